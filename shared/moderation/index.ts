/**
 * Layer 1 of moderation (spec: "Two-Layer Pipeline"): synchronous pattern checks that run in the
 * composer before sending, on the server before saving, and in workers when re-checking.
 */
export { createLayer1Filter, moderateLayer1 } from './layer1.ts';
export type { Layer1Filter } from './layer1.ts';
export { createProfanityMatcher } from './profanity.ts';
export type { ProfanityHit, ProfanityMatcher, ProfanityOptions } from './profanity.ts';
export { SPAM_LIMITS, checkSpam } from './spam.ts';
export { checkLinks, createDomainAllowlist, extractLinks } from './links.ts';
export type { DomainAllowlist, FoundLink } from './links.ts';
export type {
  Finding,
  Layer1Config,
  Layer1Input,
  Layer1Reason,
  Layer1Result,
  ReasonCode,
  Severity,
  TrustLevel,
  Verdict,
} from './types.ts';
