import { randomUUID } from 'node:crypto';
import type { ChannelChange } from '../../shared/sync/channel-doc.ts';
import { SEGMENT_SIZE } from '../../shared/sync/segments.ts';
import { isDataRefusal, type Database } from '../db/database.ts';
import { resolveMentions } from './message-writes.ts';
import { refusalRecord } from './refusal.ts';
import type { StoredIntent } from './process-intent.ts';
import type { ModerationDeps } from '../moderation/moderation-deps.ts';
import type { RateLimiter } from '../rate-limit/rate-limiter.ts';
import {
  checkSends,
  counterCounts,
  countBy,
  newMessageView,
  releaseMessageAllowance,
  type Checked,
  type PendingSend,
  type SendOutcome,
  type SendReads,
} from './send-batch.ts';

/** A stored intent row with its keys (what `verdictFromRow` answers from). */
export type StoredVerdictRow = StoredIntent & { user_id: string; intent_id: string };

export interface StatementOutcome {
  /** The intent row as stored (one per send, in the order given). */
  row: StoredVerdictRow;
  /** For an accepted send: its message and the change every replica applies. */
  accepted?: { messageId: string; change: ChannelChange };
}

interface Row {
  user_id: string | null;
  intent_id: string | null;
  status: StoredVerdictRow['status'] | null;
  reason: string | null;
  result: StoredVerdictRow['result'] | null;
  created_at: Date | null;
  change_channel: string | null;
  change_seq: number | null;
  message_id: string | null;
  payload: { kind: 'message'; message: unknown } | null;
}

/**
 * The common batch — new sends only, to rooms and DMs, with nothing that needs a write of its own (no
 * thread activity, no question thread, nothing Layer 1 queued for review) — in
 * ONE autocommit statement: intent rows with their verdicts, channel locks and seqs, messages, the
 * change log and every counter. The channel rows stay locked for the statement and its commit only,
 * never across a round trip to this process; under load that round trip (waiting behind a busy event
 * loop) was most of a message's latency and serialized a busy room's batches.
 *
 * Exactly once still rests on the intent rows' primary key, in the same statement as the writes: an
 * intent answered before (a retry, another device, another node) makes the statement fail as a whole
 * and nothing is written. Returns undefined whenever the batch is not this simple case or the database
 * refused it; the caller then runs the general path, which answers duplicates and bad data one by one
 * (what the checks recorded with the rate limiter is taken back first).
 */
export async function sendInOneStatement(
  db: Database,
  ctx: { now: Date; rateLimiter: RateLimiter; moderation: ModerationDeps },
  sends: readonly PendingSend[],
  reads: SendReads,
): Promise<StatementOutcome[] | undefined> {
  const outcomes: SendOutcome[] = new Array(sends.length);
  const recorded: PendingSend[] = [];
  const checked = await checkSends(ctx, sends, reads, outcomes, (send) => recorded.push(send));
  // Declined after the checks: what they recorded with the rate limiter is taken back, and the general
  // path checks again — counting only the intents that turn out new (one answered long ago, sent again
  // after a reconnect, must not use up the member's allowance a second time).
  const decline = async (): Promise<undefined> => {
    await Promise.all(recorded.map((s) => releaseMessageAllowance(ctx, s.userId, s.intentId)));
    return undefined;
  };
  if (!checked.every(isSimple)) return decline();
  // Mentions resolve against who can read the channel now: read beside nothing else, like the checks' reads.
  const mentions = new Map<number, string[]>(
    await Promise.all(
      checked
        .filter((c) => c.body.includes('@'))
        .map(async (c): Promise<[number, string[]]> => [
          c.index,
          await resolveMentions(db, c.access, c.send.userId, c.body),
        ]),
    ),
  );

  const messageIds = new Map<number, string>(checked.map((c) => [c.index, randomUUID()]));
  const refusals = sends.map((_, i) => {
    const o = outcomes[i];
    return o && !o.ok ? refusalRecord(o.refusal, ctx.now) : undefined;
  });
  const perChannel = countBy(checked, (c) => c.access.channelId);
  const position = new Map<string, number>();
  const counters = counterCounts(checked);

  let rows: Row[];
  try {
    ({ rows } = await db.query<Row>(SEND_STATEMENT, [
      // intents, accepted and refused, in the batch's order
      sends.map((s) => s.userId),
      sends.map((s) => s.intentId),
      sends.map((_, i) => refusals[i]?.status ?? 'accepted'),
      sends.map((_, i) => refusals[i]?.reason ?? null),
      sends.map((s, i) => {
        const refused = refusals[i];
        if (refused) return JSON.stringify(refused.result);
        return JSON.stringify({ messageId: messageIds.get(i), channelId: s.intent.channelId });
      }),
      sends.map((s, i) => (messageIds.has(i) ? s.intent.channelId : null)),
      sends.map((_, i) => messageIds.get(i) ?? null),
      // messages, in the batch's order; k = place among this batch's messages of the channel
      checked.map((c) => messageIds.get(c.index)),
      checked.map((c) => c.access.channelId),
      checked.map((c) => {
        const k = (position.get(c.access.channelId) ?? 0) + 1;
        position.set(c.access.channelId, k);
        return k;
      }),
      checked.map((c) => c.access.roomId),
      checked.map((c) => c.send.userId),
      checked.map((c) => c.body),
      checked.map((c) => c.send.intent.replyToId ?? null),
      checked.map((c) => JSON.stringify(mentions.get(c.index) ?? [])),
      // seq and createdAt are the statement's to fill in
      checked.map((c) =>
        JSON.stringify({
          kind: 'message',
          message: placeholderView(c, messageIds.get(c.index)!, mentions.get(c.index) ?? []),
        }),
      ),
      // channels to lock (in id order: no deadlock between batches) and their counts
      [...perChannel.keys()].sort(),
      [...perChannel.keys()],
      [...perChannel.values()],
      // counters
      counters.authorIds,
      counters.authorCounts,
      counters.membershipRooms,
      counters.membershipUsers,
      counters.membershipCounts,
      counters.roomIds,
      counters.roomCounts,
      SEGMENT_SIZE,
    ]));
  } catch (err) {
    if (isDataRefusal(err)) return decline();
    throw err;
  }

  const verdicts = new Map<string, StoredVerdictRow>();
  const changes = new Map<string, ChannelChange>();
  for (const r of rows) {
    if (r.intent_id && r.user_id && r.status && r.created_at) {
      verdicts.set(`${r.user_id}:${r.intent_id}`, {
        user_id: r.user_id,
        intent_id: r.intent_id,
        status: r.status,
        reason: r.reason,
        result: r.result ?? {},
        created_at: r.created_at,
      });
    } else if (r.message_id && r.payload && r.change_channel && r.change_seq !== null) {
      changes.set(r.message_id, {
        ...(r.payload as Omit<Extract<ChannelChange, { kind: 'message' }>, 'channelId' | 'changeSeq'>),
        channelId: r.change_channel,
        changeSeq: Number(r.change_seq),
      });
    }
  }
  return sends.map((s, i): StatementOutcome => {
    const row = verdicts.get(`${s.userId}:${s.intentId}`);
    if (!row) throw new Error(`intent ${s.intentId} has no row after the send statement`);
    const messageId = messageIds.get(i);
    if (!messageId) return { row };
    const change = changes.get(messageId);
    if (!change) throw new Error(`message ${messageId} has no change after the send statement`);
    return { row, accepted: { messageId, change } };
  });
}

/** What the one statement can write by itself (no files to claim); anything else goes the general way. */
function isSimple(c: Checked): boolean {
  return c.access.kind !== 'thread' && !c.access.autoThread && !c.layer1.flagged && c.attachments.length === 0;
}

function placeholderView(c: Checked, messageId: string, mentions: string[]) {
  return newMessageView({ ...c, messageId, seq: 0, changeSeq: 0, mentions, createdAt: new Date(0) });
}

// One statement, autocommit. The locking CTE is materialized and joined by the seq bump, so every channel
// row is locked (in id order) before the first counter moves; seqs and change seqs are the channel's next
// n, handed out in the batch's order (k). created_at is now(): the same instant for every row, and the
// change payloads carry it in the ISO form the app's message views use.
const SEND_STATEMENT = `
WITH locked AS MATERIALIZED (SELECT id FROM channels WHERE id = ANY($17::uuid[]) ORDER BY id FOR UPDATE),
     all_locked AS (SELECT count(*) AS n FROM locked),
     bumped AS (
       UPDATE channels c SET last_seq = c.last_seq + v.n, change_seq = c.change_seq + v.n
         FROM unnest($18::uuid[], $19::int[]) AS v(id, n), all_locked
        WHERE c.id = v.id
        RETURNING c.id, c.last_seq - v.n AS seq0, c.change_seq - v.n AS change0),
     stamp AS (SELECT now() AS at, to_char(now() AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"') AS iso),
     assigned AS MATERIALIZED (
       SELECT m.id, m.channel_id, m.room_id, m.author_id, m.body, m.reply_to_id, m.mentions, m.payload,
              b.seq0 + m.k AS seq, b.change0 + m.k AS change_seq
         FROM unnest($8::uuid[], $9::uuid[], $10::int[], $11::uuid[], $12::uuid[], $13::text[], $14::uuid[], $15::jsonb[], $16::jsonb[])
              AS m(id, channel_id, k, room_id, author_id, body, reply_to_id, mentions, payload)
         JOIN bumped b ON b.id = m.channel_id),
     messages_in AS (
       INSERT INTO messages (id, channel_id, seq, room_id, author_id, body, reply_to_id, mentions, is_flagged)
       SELECT id, channel_id, seq, room_id, author_id, body, reply_to_id, mentions, false FROM assigned),
     changes_in AS (
       INSERT INTO channel_changes (channel_id, change_seq, kind, segment, message_id, payload)
       SELECT a.channel_id, a.change_seq, 'message', (a.seq - 1) / $27::int, a.id,
              jsonb_set(jsonb_set(a.payload, '{message,seq}', to_jsonb(a.seq)), '{message,createdAt}', to_jsonb(s.iso))
         FROM assigned a CROSS JOIN stamp s
       RETURNING channel_id, change_seq, message_id, payload),
     claimed AS (
       INSERT INTO client_intents (user_id, intent_id, kind, status, reason, result, channel_id)
       SELECT v.u, v.i, 'send', v.status, v.reason,
              CASE WHEN a.seq IS NULL THEN v.result ELSE v.result || jsonb_build_object('seq', a.seq) END,
              v.channel_id
         FROM unnest($1::uuid[], $2::uuid[], $3::text[], $4::text[], $5::jsonb[], $6::uuid[], $7::uuid[])
              AS v(u, i, status, reason, result, channel_id, message_id)
         LEFT JOIN assigned a ON a.id = v.message_id
       RETURNING user_id, intent_id, status, reason, result, created_at),
     authors AS (
       UPDATE users u SET messages_sent = u.messages_sent + a.n
         FROM unnest($20::uuid[], $21::int[]) AS a(id, n) WHERE u.id = a.id),
     memberships AS (
       INSERT INTO room_memberships (room_id, user_id, messages_sent, last_posted_at)
       SELECT v.r, v.u, v.n, s.at FROM unnest($22::uuid[], $23::uuid[], $24::int[]) AS v(r, u, n) CROSS JOIN stamp s
       ON CONFLICT (room_id, user_id) DO UPDATE
         SET messages_sent = room_memberships.messages_sent + EXCLUDED.messages_sent,
             last_posted_at = EXCLUDED.last_posted_at, updated_at = now()),
     rooms AS (
       UPDATE rooms r SET message_count = r.message_count + v.n, last_message_at = s.at
         FROM unnest($25::uuid[], $26::int[]) AS v(id, n) CROSS JOIN stamp s WHERE r.id = v.id),
     markers AS (
       INSERT INTO read_markers (user_id, channel_id, last_read_seq)
       SELECT author_id, channel_id, max(seq) FROM assigned GROUP BY author_id, channel_id
       ON CONFLICT (user_id, channel_id) DO UPDATE
         SET last_read_seq = GREATEST(read_markers.last_read_seq, EXCLUDED.last_read_seq), updated_at = now())
SELECT user_id, intent_id, status, reason, result, created_at,
       NULL::uuid AS change_channel, NULL::bigint AS change_seq, NULL::uuid AS message_id, NULL::jsonb AS payload
  FROM claimed
UNION ALL
SELECT NULL, NULL, NULL, NULL, NULL, NULL, channel_id, change_seq, message_id, payload FROM changes_in`;
