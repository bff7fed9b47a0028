import type { Decision } from '../../shared/rules/permissions.ts';

/** A reasoned "no" to an intent: recorded as its verdict, shown to the member with its reason. */
export class IntentRefusal extends Error {
  constructor(
    readonly code: string,
    readonly reason: string,
    readonly retryAfterMs?: number,
    /**
     * Given for a limit that runs out by itself (rate limits, slow mode): the intent then waits for it
     * instead of being refused, and this says which limit, without "try again" (the server will).
     */
    readonly waitsFor?: string,
  ) {
    super(reason);
    this.name = 'IntentRefusal';
  }
}

/** Longest a limit may hold an intent back rather than refuse it (the hourly limits fit). */
export const MAX_WAIT_MS = 60 * 60 * 1000;

/** Whether this refusal holds the intent back until `retryAfterMs` instead of ending it. */
export function waitsInstead(
  refusal: IntentRefusal,
): refusal is IntentRefusal & { retryAfterMs: number; waitsFor: string } {
  return (
    refusal.waitsFor !== undefined &&
    refusal.retryAfterMs !== undefined &&
    refusal.retryAfterMs > 0 &&
    refusal.retryAfterMs <= MAX_WAIT_MS
  );
}

/** Throws the refusal a `can()` decision carries, so handlers read as a list of checks. */
export function ensureAllowed(decision: Decision): void {
  if (!decision.allowed) {
    const retryAfterMs = decision.until ? Math.max(0, decision.until.getTime() - Date.now()) : undefined;
    throw new IntentRefusal(decision.code, decision.reason, retryAfterMs);
  }
}

export function describeWait(ms: number): string {
  const seconds = Math.ceil(ms / 1000);
  if (seconds < 60) return `${seconds} second${seconds === 1 ? '' : 's'}`;
  const minutes = Math.ceil(seconds / 60);
  return `${minutes} minute${minutes === 1 ? '' : 's'}`;
}

/** How a refusal is stored on its intent's row: refused for good, or waiting for its limit to run out. */
export function refusalRecord(
  refusal: IntentRefusal,
  now: Date,
): {
  status: 'rejected' | 'waiting';
  reason: string;
  result: { code: string; retryAfterMs?: number; retryAt?: number };
} {
  if (waitsInstead(refusal)) {
    return {
      status: 'waiting',
      reason: refusal.waitsFor,
      result: { code: refusal.code, retryAt: now.getTime() + Math.ceil(refusal.retryAfterMs) },
    };
  }
  return {
    status: 'rejected',
    reason: refusal.reason,
    result: { code: refusal.code, ...(refusal.retryAfterMs ? { retryAfterMs: Math.ceil(refusal.retryAfterMs) } : {}) },
  };
}
