import type { ChannelChange } from '../../shared/sync/channel-doc.ts';
import type { DmSummary } from '../../shared/sync/inbox.ts';
import type { Queryable } from '../db/database.ts';
import type { InboxEntry } from '../intents/handler-context.ts';
import type { ChannelKinds } from './channel-kinds.ts';

/** A DM row as the inbox read and the activity read return it. */
export interface DmRow {
  id: string;
  is_group: boolean;
  title: string | null;
  participant_ids: string[] | null;
  last_seq: number | null;
  /** jsonb: the newest message's time (an ISO string) and author, read in one probe. */
  last_message: { at: string; author: string | null } | null;
}

/**
 * The columns of a DM's summary, for a query over `dm_threads d`: who takes part, and the conversation's
 * newest message (its seq, time and author; never its words, which a later hide must be able to take
 * back from every replica — the inbox would keep a copy).
 */
export const DM_SUMMARY_COLUMNS = `d.id, d.is_group, d.title,
  (SELECT array_agg(p.user_id::text ORDER BY p.joined_at, p.user_id) FROM dm_participants p
    WHERE p.dm_thread_id = d.id AND p.left_at IS NULL) AS participant_ids,
  (SELECT c.last_seq FROM channels c WHERE c.id = d.id) AS last_seq,
  (SELECT jsonb_build_object('at', m.created_at, 'author', m.author_id) FROM messages m
    WHERE m.channel_id = d.id ORDER BY m.seq DESC LIMIT 1) AS last_message`;

export function dmSummaryFromRow(row: DmRow): DmSummary {
  return {
    channelId: row.id,
    isGroup: row.is_group,
    title: row.title,
    participantIds: row.participant_ids ?? [],
    lastSeq: row.last_seq ?? 0,
    lastMessageAt: row.last_message ? new Date(row.last_message.at).toISOString() : null,
    lastAuthorId: row.last_message?.author ?? null,
  };
}

/**
 * The summaries of these conversations as each participant's inbox keeps them: one entry per participant
 * and conversation. A new message, a member leaving, a new name — every change of a conversation reaches
 * its people this way.
 */
export async function dmSummaryEntries(db: Queryable, channelIds: readonly string[]): Promise<InboxEntry[]> {
  if (channelIds.length === 0) return [];
  const { rows } = await db.query<DmRow>(
    `SELECT ${DM_SUMMARY_COLUMNS} FROM dm_threads d WHERE d.id = ANY($1::uuid[])`,
    [channelIds],
  );
  return rows.flatMap((row) => {
    const summary = dmSummaryFromRow(row);
    return summary.participantIds.map((userId): InboxEntry => ({
      userId,
      map: 'dms',
      key: summary.channelId,
      value: summary,
    }));
  });
}

/**
 * After a batch commits: the DMs it wrote a new message to, with their summaries as every participant's
 * inbox keeps them. That is how a member learns of a message in a conversation they do not have open —
 * the unread mark and the order of their conversation list — live, on every device.
 */
export class DmActivity {
  constructor(
    private readonly db: Queryable,
    private readonly kinds: ChannelKinds,
  ) {}

  async entriesFor(changes: readonly ChannelChange[]): Promise<InboxEntry[]> {
    // Edits and reactions read the same summary again; the inbox write skips a value it already holds.
    const candidates = [...new Set(changes.flatMap((c) => (c.kind === 'message' ? [c.channelId] : [])))];
    if (candidates.length === 0) return [];
    const kinds = await this.kinds.of(candidates);
    return dmSummaryEntries(
      this.db,
      candidates.filter((id) => kinds.get(id) === 'dm'),
    );
  }
}

/**
 * Whether `next` may replace `current` in a member's `dms` map: two nodes can deliver a conversation's
 * summaries out of order (each read after its own commit), and the older must not undo the newer.
 */
export function isNewerDmSummary(current: DmSummary | undefined, next: DmSummary): boolean {
  return current === undefined || (next.lastSeq ?? 0) >= (current.lastSeq ?? 0);
}
