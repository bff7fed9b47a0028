import type { ChannelChange, ChannelChangeBody } from '../../shared/sync/channel-doc.ts';
import { segmentOf } from '../../shared/sync/segments.ts';
import type { Queryable } from '../db/database.ts';

/**
 * The per-channel change log: every visible change, in change_seq order, written in the transaction
 * that made the change. Docs are rebuilt from it, and returning replicas catch up from it.
 */
export async function appendChange(tx: Queryable, channelId: string, body: ChannelChangeBody): Promise<ChannelChange> {
  // The channel row lock serializes change_seq per channel, so the log is gapless and in commit order.
  const segment = body.kind === 'message' ? segmentOf(body.message.seq) : null;
  const messageId = body.kind === 'message' ? body.message.id : null;
  const { rows } = await tx.query<{ change_seq: number }>(
    `WITH next AS (UPDATE channels SET change_seq = change_seq + 1 WHERE id = $1 RETURNING change_seq)
     INSERT INTO channel_changes (channel_id, change_seq, kind, segment, message_id, payload)
     SELECT $1, next.change_seq, $2, $3, $4, $5 FROM next
     RETURNING change_seq`,
    [channelId, body.kind, segment, messageId, JSON.stringify(body)],
  );
  const changeSeq = rows[0]?.change_seq;
  if (changeSeq === undefined) throw new Error(`channel ${channelId} does not exist`);
  return { ...body, channelId, changeSeq };
}

interface ChangeRow {
  channel_id: string;
  change_seq: number;
  payload: ChannelChangeBody;
}

const toChange = (row: ChangeRow): ChannelChange => ({ ...row.payload, channelId: row.channel_id, changeSeq: row.change_seq });

/** Changes after `afterSeq` up to `untilSeq`, optionally only one segment's, in order. */
export async function readChanges(
  db: Queryable,
  channelId: string,
  range: { afterSeq: number; untilSeq?: number; segment?: number; limit?: number },
): Promise<ChannelChange[]> {
  const { rows } = await db.query<ChangeRow>(
    `SELECT channel_id, change_seq, payload FROM channel_changes
      WHERE channel_id = $1 AND change_seq > $2 AND ($3::bigint IS NULL OR change_seq <= $3)
        AND ($4::int IS NULL OR segment = $4)
      ORDER BY change_seq
      LIMIT $5`,
    [channelId, range.afterSeq, range.untilSeq ?? null, range.segment ?? null, range.limit ?? 10_000],
  );
  return rows.map(toChange);
}

export async function currentChangeSeqs(db: Queryable, channelIds: readonly string[]): Promise<Map<string, number>> {
  if (channelIds.length === 0) return new Map();
  const { rows } = await db.query<{ id: string; change_seq: number }>(
    'SELECT id, change_seq FROM channels WHERE id = ANY($1::uuid[])',
    [channelIds],
  );
  return new Map(rows.map((r) => [r.id, r.change_seq]));
}
