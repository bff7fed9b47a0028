import type { Decision } from '../../shared/rules/permissions.ts';

/** A reasoned "no" to an intent: recorded as its verdict, shown to the member with its reason. */
export class IntentRefusal extends Error {
  constructor(
    readonly code: string,
    readonly reason: string,
    readonly retryAfterMs?: number,
  ) {
    super(reason);
    this.name = 'IntentRefusal';
  }
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
