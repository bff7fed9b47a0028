import type { Database } from '../../sync-server/db/database.ts';

/**
 * Fills a channel with `count` messages and their change-log rows in one statement, the way the intent
 * pipeline would have written them one by one (same payload shape as `loadMessageView`).
 */
export async function fillChannelHistory(db: Database, channelId: string, authorId: string, count: number): Promise<void> {
  await db.transaction(async (tx) => {
    const { rows } = await tx.query<{ last_seq: number }>('SELECT last_seq FROM channels WHERE id = $1 FOR UPDATE', [channelId]);
    const base = rows[0]!.last_seq;
    await tx.query(
      `WITH ins AS (
         INSERT INTO messages (channel_id, seq, room_id, author_id, body, created_at)
         SELECT $1, $4 + n, (SELECT id FROM rooms WHERE id = $1), $2, 'history message ' || ($4 + n),
                now() - make_interval(secs => $3 - n)
           FROM generate_series(1, $3) AS n
         RETURNING id, seq, body, created_at
       )
       INSERT INTO channel_changes (channel_id, change_seq, kind, segment, message_id, payload)
       SELECT $1, c.change_seq_base + ins.seq - $4, 'message', (ins.seq - 1) / 256, ins.id,
              jsonb_build_object('kind', 'message', 'message', jsonb_build_object(
                'id', ins.id, 'channelId', $1::text, 'seq', ins.seq, 'authorId', $2::text, 'body', ins.body,
                'type', 'text', 'replyToId', null, 'threadId', null, 'mentions', '[]'::jsonb, 'edited', false,
                'hidden', false, 'hiddenReason', null, 'deleted', false, 'pinned', false,
                'createdAt', to_char(ins.created_at AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"'),
                'editedAt', null, 'reactions', '{}'::jsonb))
         FROM ins, (SELECT change_seq AS change_seq_base FROM channels WHERE id = $1) AS c`,
      [channelId, authorId, count, base],
    );
    await tx.query('UPDATE channels SET last_seq = last_seq + $2, change_seq = change_seq + $2 WHERE id = $1', [channelId, count]);
    await tx.query('UPDATE rooms SET message_count = message_count + $2, last_message_at = now() WHERE id = $1', [channelId, count]);
  });
}
