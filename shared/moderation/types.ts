/**
 * Shapes shared by every Layer-1 check. Layer 1 runs in the browser (to warn before sending), on the
 * server (to decide) and in workers (to re-check), so these types carry no runtime dependency.
 */

import type { TrustLevel } from '../rules/trust.ts';

export type { TrustLevel };

/** `flag` posts the message and queues it for a moderator; `block` refuses to post it. */
export type Verdict = 'allow' | 'flag' | 'block';
export type Severity = Exclude<Verdict, 'allow'>;

export type ReasonCode =
  | 'profanity.blocked'
  | 'profanity.flagged'
  | 'profanity.community'
  | 'spam.repeat'
  | 'spam.caps'
  | 'spam.repeated_chars'
  | 'spam.mentions'
  | 'spam.emoji'
  | 'spam.blank_lines'
  | 'message.too_long'
  | 'links.new_member'
  | 'images.new_member'
  | 'links.untrusted_domain'
  | 'links.disguised';

export interface Layer1Reason {
  code: ReasonCode;
  /** A sentence the member sees, so it says what to change rather than how the filter works. */
  message: string;
}

export interface Layer1Result {
  verdict: Verdict;
  reasons: Layer1Reason[];
}

export interface Layer1Input {
  body: string;
  trustLevel: TrustLevel;
  /** The author's own recent message bodies inside the caller's repeat window, oldest first. */
  recentBodies?: readonly string[];
  hasImages?: boolean;
}

export interface Layer1Config {
  /** Community words to block on top of the English dataset; they match at the start of a word. */
  extraBlockedWords?: readonly string[];
  /** Words the community allows: a dataset word listed here is dropped, anything else is whitelisted. */
  allowedWords?: readonly string[];
  /** Trusted domains; their subdomains count too (docs.github.com under github.com). */
  allowedLinkDomains: readonly string[];
}

/** What a single check found, before Layer 1 folds the findings into one verdict. */
export interface Finding extends Layer1Reason {
  severity: Severity;
}
