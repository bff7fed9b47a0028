import { LIMITS } from './limits.ts';

/** What the Layer-2 (AI) verdict does to a message. */
export type AiVerdict = 'allow' | 'flag' | 'hide';

/**
 * Spec thresholds on the highest category score: < 0.3 allow; 0.3 <= score < 0.7 post and flag for review;
 * >= 0.7 hide and queue. A score that is not a number (a broken response) is flagged rather than allowed or
 * hidden: a person looks at it, and nobody is silenced by a parsing bug.
 */
export function aiVerdictForScore(maxScore: number): AiVerdict {
  if (Number.isNaN(maxScore)) return 'flag';
  if (maxScore >= LIMITS.moderation.aiHideAt) return 'hide';
  if (maxScore >= LIMITS.moderation.aiFlagAt) return 'flag';
  return 'allow';
}

/**
 * Community reports hide a message once enough distinct trusted members reported it. The caller counts
 * distinct reporters whose trust level (or room role) is trusted or higher at the time of their report.
 */
export function reportsAutoHide(distinctTrustedReporters: number): boolean {
  return distinctTrustedReporters >= LIMITS.moderation.autoHideDistinctTrustedReports;
}
