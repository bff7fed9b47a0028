import type { RateWindow } from '../../shared/rules/limits.ts';

/** `recorded: false`: allowed because this very event was recorded before (nothing was counted now). */
export type RateDecision = { allowed: true; recorded?: boolean } | { allowed: false; retryAfterMs: number };

/**
 * Sliding-window limits (spec: 10 messages/min and 100/hour, …). `consume` records the event only when
 * every window has room, so a refused attempt does not use up the member's allowance. An event id
 * consumed again is allowed and not counted twice: an intent checked a second time (a retry, or the
 * general path after the one-statement send path declined) is the same message.
 * Embedded: in memory. Production: Redis, so limits hold across every node.
 */
export interface RateLimiter {
  consume(key: string, windows: readonly RateWindow[], eventId: string, now?: number): Promise<RateDecision>;
  /** Takes back an event this caller recorded and then did not go through with. */
  release(key: string, windows: readonly RateWindow[], eventId: string): Promise<void>;
}
