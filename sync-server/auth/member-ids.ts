import { setBounded } from './bounded-map.ts';

/**
 * Which Lounge user a host account is, remembered per process: a host user id names one Lounge user
 * for good (the row keeps its id through renames and anonymization), so this never goes stale. Routes
 * that need only the member's id (history pages, with a latency goal at the server) then skip reading
 * the member's row, one round trip to PostgreSQL fewer before their own reads start.
 *
 * Bounded: past `capacity` entries the oldest learned is forgotten (and read again when next needed).
 */
export class MemberIds {
  readonly #ids = new Map<string, string>();

  constructor(private readonly capacity = 100_000) {}

  get(hostUserId: string): string | undefined {
    return this.#ids.get(hostUserId);
  }

  learn(hostUserId: string, userId: string): void {
    if (this.#ids.has(hostUserId)) return;
    setBounded(this.#ids, hostUserId, userId, this.capacity);
  }
}
