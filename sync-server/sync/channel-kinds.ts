import { setBounded } from '../auth/bounded-map.ts';
import type { Queryable } from '../db/database.ts';

export type ChannelKind = 'room' | 'thread' | 'dm';

/** Channel kinds never change, so a node remembers them and asks only about channels it has not seen. */
const KINDS_KEPT = 50_000;

/**
 * What kind each channel is, for the steps after a commit that only some kinds need (a DM's summary in
 * its participants' inboxes, a thread reply's notification): a room's busy chat costs them no query.
 */
export class ChannelKinds {
  private readonly kinds = new Map<string, ChannelKind>();

  constructor(private readonly db: Queryable) {}

  /** The kinds of these channels (a channel that does not exist has none). */
  async of(channelIds: readonly string[]): Promise<ReadonlyMap<string, ChannelKind>> {
    const unknown = [...new Set(channelIds)].filter((id) => !this.kinds.has(id));
    if (unknown.length > 0) {
      const { rows } = await this.db.query<{ id: string; kind: ChannelKind }>(
        'SELECT id, kind FROM channels WHERE id = ANY($1::uuid[])',
        [unknown],
      );
      for (const row of rows) setBounded(this.kinds, row.id, row.kind, KINDS_KEPT);
    }
    return this.kinds;
  }
}
