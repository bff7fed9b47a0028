import { setBounded } from './bounded-map.ts';

/**
 * Member tokens this process verified recently, with what they said. A member's app sends the same
 * host token with every request and every reconnect (a reconnect storm is thousands of them at once),
 * and each verification is a WebCrypto signature check (~0.1 ms of CPU); the token string itself is the
 * credential, so a string that verified a moment ago verifies again.
 *
 * An entry never outlives its token's own expiry, and lives at most `ttlMs`: a host that rotates its
 * signing keys (JWKS) sees a removed key's tokens refused within that time. Bounded: past `capacity`
 * entries the oldest is forgotten (and verified again when next seen).
 */
export class VerifiedTokens<Claims> {
  readonly #entries = new Map<string, { claims: Claims; untilMs: number }>();

  constructor(
    private readonly ttlMs = 60_000,
    private readonly capacity = 10_000,
  ) {}

  get(token: string, nowMs: number): Claims | undefined {
    const entry = this.#entries.get(token);
    if (!entry) return undefined;
    if (entry.untilMs > nowMs) return entry.claims;
    this.#entries.delete(token);
    return undefined;
  }

  /** `expiresAtSec`: the token's `exp` claim. */
  remember(token: string, claims: Claims, expiresAtSec: number, nowMs: number): void {
    const untilMs = Math.min(expiresAtSec * 1000, nowMs + this.ttlMs);
    if (untilMs <= nowMs) return;
    setBounded(this.#entries, token, { claims, untilMs }, this.capacity);
  }
}
