import { setBounded } from './bounded-map.ts';

/** How long a learned pairing is trusted without reading the member's row again. */
export const MEMBER_ID_TTL_MS = 60_000;

/**
 * Which Lounge user a host account is, remembered per process for a minute: routes that need only the
 * member's id (history pages, with a latency goal at the server) then skip reading the member's row, one
 * round trip to PostgreSQL fewer before their own reads start. A host account keeps its Lounge user
 * through renames; only deleting the account ends the pairing (the row is anonymized and let go of the
 * host account, so a later sign-in is a new member), and then every node forgets it within the minute —
 * as a host key removed from the JWKS stops working within a minute (auth/verified-tokens.ts).
 *
 * Bounded: past `capacity` entries the oldest learned is forgotten (and read again when next needed).
 */
export class MemberIds {
  readonly #ids = new Map<string, { userId: string; until: number }>();

  constructor(
    private readonly capacity = 100_000,
    private readonly now: () => number = Date.now,
  ) {}

  get(hostUserId: string): string | undefined {
    const known = this.#ids.get(hostUserId);
    if (!known) return undefined;
    if (known.until > this.now()) return known.userId;
    this.#ids.delete(hostUserId);
    return undefined;
  }

  learn(hostUserId: string, userId: string): void {
    const known = this.#ids.get(hostUserId);
    if (known && known.userId === userId && known.until > this.now()) return;
    this.#ids.delete(hostUserId);
    setBounded(this.#ids, hostUserId, { userId, until: this.now() + MEMBER_ID_TTL_MS }, this.capacity);
  }
}
