import { randomUUID } from 'node:crypto';
import { LIMITS } from '../../shared/rules/limits.ts';
import { can } from '../../shared/rules/permissions.ts';
import { aloneSentence } from '../../shared/rules/conversation.ts';
import { effectiveSlowModeSeconds, slowModeWaitSeconds } from '../../shared/rules/trust.ts';
import type { AttachmentView, ChannelChange, MessageView } from '../../shared/sync/channel-doc.ts';
import type { Intent } from '../../shared/sync/intents.ts';
import { segmentOf } from '../../shared/sync/segments.ts';
import {
  accessFromRow,
  accessKey,
  accessSqlFor,
  afterAcceptedSends,
  type AccessRow,
  type ChannelAccess,
} from '../access/channel-access.ts';
import type { Queryable } from '../db/database.ts';
import {
  layer1Verdict,
  recentBodiesSqlFor,
  queueForReview,
  RECENT_COUNT,
  type Layer1Outcome,
} from '../moderation/layer1-check.ts';
import type { ModerationDeps } from '../moderation/moderation-deps.ts';
import type { RateDecision, RateLimiter } from '../rate-limit/rate-limiter.ts';
import { appendChange } from '../sync/change-log.ts';
import type { HandlerResult } from './handler-context.ts';
import { appendThreadChange, cleanBody, recordThreadActivity, resolveMentions } from './message-writes.ts';
import { threadTitleFrom } from '../../shared/markdown/message-markdown.ts';
import { loadMessageView } from './message-view.ts';
import { describeWait, ensureAllowed, IntentRefusal } from './refusal.ts';
import { opaqueArray } from '../db/opaque-array.ts';
import {
  claimRows,
  claimUploadsCte,
  ensureAllClaimed,
  loadUploads,
  pickUploads,
  type UploadRecord,
} from '../attachments/message-attachments.ts';

export type SendIntent = Extract<Intent, { kind: 'send' }>;

export interface PendingSend {
  userId: string;
  intentId: string;
  intent: SendIntent;
}

export interface SendContext {
  tx: Queryable;
  now: Date;
  rateLimiter: RateLimiter;
  moderation: ModerationDeps;
}

export type SendOutcome = { ok: true; result: HandlerResult } | { ok: false; refusal: IntentRefusal };

export interface Checked {
  index: number;
  send: PendingSend;
  access: ChannelAccess;
  body: string;
  layer1: Layer1Outcome;
  /** The files the message carries, in the order sent (claimed by the write). */
  attachments: AttachmentView[];
}

export interface Written extends Checked {
  messageId: string;
  seq: number;
  changeSeq: number;
  mentions: string[];
  createdAt: Date;
}

/**
 * Posts many members' messages in one transaction with a fixed number of statements, whatever the
 * batch size: the checks read everything they need in a few queries and decide in memory, then the
 * accepted messages, their counters and their change-log rows are written set-wise. This is the group
 * commit of the hot path (one commit and one round trip per step for a whole batch, where one message at a
 * time cost a dozen round trips and a commit each).
 *
 * The outcome of each send is exactly what sending it alone would give: checks that depend on the
 * author's earlier messages (slow mode, repeats, rate limits) see the earlier sends of the same batch.
 * Sends of one member must be given in that member's order.
 */
export async function sendMessages(
  ctx: SendContext,
  sends: readonly PendingSend[],
  reads?: SendReads,
): Promise<SendOutcome[]> {
  const outcomes: SendOutcome[] = new Array(sends.length);
  const checked = await checkSends(ctx, sends, reads ?? (await loadSendReads(ctx.tx, sends, ctx.now)), outcomes);
  if (checked.length > 0) {
    const written = await writeMessages(ctx, checked);
    for (const w of written) {
      outcomes[w.index] = {
        ok: true,
        result: {
          status: 'accepted',
          messageId: w.messageId,
          channelId: w.access.channelId,
          seq: w.seq,
          changes: [],
          moderate: [w.messageId],
        },
      };
    }
    await followUps(ctx, written, outcomes);
  }
  return outcomes;
}

/** Everything the checks of a batch of sends read, in a few set-wise queries. */
export interface SendReads {
  accesses: Map<string, ChannelAccess>;
  /** The authors' recent bodies (Layer 1's repeat check). */
  recent: Map<string, string[]>;
  /** Reply target id -> its channel. */
  replies: Map<string, string>;
  /** accessKey(channel, author) of 1:1 DMs where a block stops the send. */
  blocked: Set<string>;
  /** accessKey(channel, author) of conversations nobody else is in any more, and whether each is a group. */
  alone: Map<string, boolean>;
  /**
   * Rate-limiter answers asked for beside the reads (see prefetchAllowances), by intent id. Each is used
   * by one check only: a check that runs again (the general path after the one-statement path declined
   * and gave back what it recorded) asks the limiter again.
   */
  allowances?: Map<string, Promise<RateDecision>>;
  /** The uploads the sends name (read only when some send carries files). */
  uploads?: Map<string, UploadRecord>;
}

/**
 * Asks the rate limiter about the sends of members who have only one in the batch while the reads are
 * under way, instead of after them: one round trip less between a keypress and the message, for the
 * usual batch. A member with several sends in the batch is still asked send after send, each seeing the
 * ones before. What a check then refuses for another reason is given back (checkSends).
 */
export function prefetchAllowances(
  ctx: { now: Date; rateLimiter: RateLimiter },
  sends: readonly PendingSend[],
): Map<string, Promise<RateDecision>> {
  const perMember = new Map<string, number>();
  for (const s of sends) perMember.set(s.userId, (perMember.get(s.userId) ?? 0) + 1);
  const allowances = new Map<string, Promise<RateDecision>>();
  for (const s of sends) {
    if (perMember.get(s.userId) !== 1) continue;
    const decision = askAllowance(ctx, s.userId, s.intentId);
    // Awaited by the check; a batch that fails before must not leave an unhandled rejection.
    decision.catch(() => {});
    allowances.set(s.intentId, decision);
  }
  return allowances;
}

function askAllowance(
  ctx: { now: Date; rateLimiter: RateLimiter },
  userId: string,
  intentId: string,
): Promise<RateDecision> {
  return ctx.rateLimiter.consume(`messages:${userId}`, LIMITS.rate.messages, intentId, ctx.now.getTime());
}

/**
 * Reads what the checks need, in one statement: per send, the member's access to the channel, whether a
 * block stops it (1:1 DMs), the channel of the message it replies to, and the author's recent bodies
 * (Layer 1's repeat check). Given the pool (PostgreSQL) instead of a transaction, it runs on a connection
 * of its own beside the transaction's first statements: the same READ COMMITTED view the transaction's
 * own statements would have had, without a round trip on its critical path. A superset of the sends is
 * fine (duplicates found later are ignored). A send to a channel that does not exist gets no row.
 */
export async function loadSendReads(db: Queryable, sends: readonly PendingSend[], now: Date): Promise<SendReads> {
  const reads: SendReads = {
    accesses: new Map(),
    recent: new Map(),
    replies: new Map(),
    blocked: new Set(),
    alone: new Map(),
  };
  const unique = new Map(
    sends.map((s) => [`${accessKey(s.intent.channelId, s.userId)}:${s.intent.replyToId ?? ''}`, s] as const),
  );
  if (unique.size === 0) return reads;
  const list = [...unique.values()];
  const uploadIds = sends.flatMap((s) => s.intent.attachmentIds ?? []);
  const uploads = uploadIds.length > 0 ? loadUploads(db, uploadIds) : undefined;
  uploads?.catch(() => {});
  const { rows } = await db.query<
    AccessRow & {
      q_channel: string;
      q_user: string;
      q_reply: string | null;
      reply_channel: string | null;
      dm_blocked: boolean;
      /** A conversation nobody else is in any more: whether it is a group; null otherwise. */
      dm_alone_group: boolean | null;
      recent_bodies: string[];
    }
  >(SEND_READS_SQL, [
    list.map((s) => s.intent.channelId),
    list.map((s) => s.userId),
    list.map((s) => s.intent.replyToId ?? null),
  ]);
  for (const row of rows) {
    const key = accessKey(row.q_channel, row.q_user);
    reads.accesses.set(key, accessFromRow(row, row.q_channel, row.q_user, now));
    if (row.recent_bodies.length > 0) reads.recent.set(row.q_user, row.recent_bodies);
    if (row.q_reply && row.reply_channel) reads.replies.set(row.q_reply, row.reply_channel);
    if (row.dm_blocked) reads.blocked.add(key);
    if (row.dm_alone_group !== null) reads.alone.set(key, row.dm_alone_group);
  }
  if (uploads) reads.uploads = await uploads;
  return reads;
}

// A block between the sender and the other member of a 1:1 DM stops the send (channels that are not
// 1:1 DMs match nothing; group DMs fold a blocked member's messages on the reader's screen). So does a
// conversation everyone else has gone from: nobody would read the message.
const SEND_READS_SQL = `
  WITH q AS MATERIALIZED (
         SELECT * FROM unnest(${opaqueArray('$1', 'uuid[]')}, ${opaqueArray('$2', 'uuid[]')}, ${opaqueArray('$3', 'uuid[]')})
                AS q(channel_id, user_id, reply_to)),
       -- Once per author, however many of their sends the batch holds (an outbox flushed after a reconnect).
       recent AS (SELECT u.user_id, ${recentBodiesSqlFor('u.user_id')} AS bodies FROM (SELECT DISTINCT user_id FROM q) u)
  SELECT q.channel_id AS q_channel, q.user_id AS q_user, q.reply_to AS q_reply, a.*,
         (SELECT m.channel_id FROM messages m WHERE m.id = q.reply_to) AS reply_channel,
         EXISTS (
           SELECT 1 FROM dm_threads d JOIN dm_participants p ON p.dm_thread_id = d.id AND p.user_id <> q.user_id
             JOIN user_blocks b ON (b.blocker_id = p.user_id AND b.blocked_id = q.user_id)
                                OR (b.blocker_id = q.user_id AND b.blocked_id = p.user_id)
            WHERE d.id = q.channel_id AND NOT d.is_group) AS dm_blocked,
         (SELECT d.is_group FROM dm_threads d
           WHERE d.id = q.channel_id
             AND NOT EXISTS (SELECT 1 FROM dm_participants p
                              WHERE p.dm_thread_id = d.id AND p.user_id <> q.user_id AND p.left_at IS NULL)) AS dm_alone_group,
         recent.bodies AS recent_bodies
    FROM q JOIN recent ON recent.user_id = q.user_id
   CROSS JOIN LATERAL (${accessSqlFor('q.channel_id', 'q.user_id')}) a`;

// ---- checks ---------------------------------------------------------------------------------------

export async function checkSends(
  ctx: Pick<SendContext, 'now' | 'rateLimiter' | 'moderation'>,
  sends: readonly PendingSend[],
  reads: SendReads,
  outcomes: SendOutcome[],
  /** Told of every send whose message this check recorded with the rate limiter. */
  onRecorded?: (send: PendingSend) => void,
): Promise<Checked[]> {
  const { accesses, recent, replies, blocked, alone } = reads;

  // Members are independent of each other; one member's sends are decided in their order, each seeing
  // the ones before it (slow mode, the repeat check, the rate limiter's count).
  const byUser = new Map<string, number[]>();
  sends.forEach((s, i) => byUser.set(s.userId, [...(byUser.get(s.userId) ?? []), i]));
  const checked: Checked[] = [];
  // Upload ids the batch's accepted sends carry: one file goes on one message.
  const taken = new Set<string>();
  await Promise.all(
    [...byUser].map(async ([userId, indexes]) => {
      const recentBodies = [...(recent.get(userId) ?? [])];
      const postedAt = new Map<string, Date>();
      let acceptedSoFar = 0;
      for (const index of indexes) {
        const send = sends[index]!;
        const prefetched = reads.allowances?.get(send.intentId);
        reads.allowances?.delete(send.intentId);
        let asked = false;
        try {
          const loaded = accesses.get(accessKey(send.intent.channelId, userId));
          if (!loaded) throw new IntentRefusal('not_found', 'That conversation does not exist.');
          // Trust as it will stand after this member's earlier sends of the batch (a promotion counts
          // from the next message, as it would one transaction at a time).
          const access = afterAcceptedSends(loaded, acceptedSoFar);
          const uploadIds = send.intent.attachmentIds ?? [];
          // A help room's question becomes a thread titled by its first line: files alone cannot be one.
          const question = access.autoThread && !send.intent.replyToId;
          if (question && uploadIds.length > 0 && send.intent.body.trim() === '')
            throw new IntentRefusal(
              'empty',
              'A question needs some words: say what you need help with, then attach the files.',
            );
          const body = cleanBody(send.intent.body, { allowEmpty: uploadIds.length > 0 });
          if (send.intent.replyToId && replies.get(send.intent.replyToId) !== access.channelId) {
            throw new IntentRefusal('bad_reply', 'The message you replied to is not in this conversation.');
          }
          const lastPostedAt = postedAt.get(access.roomId ?? access.channelId) ?? access.lastPostedAt;
          const layer1 = checkPostRules(ctx, { ...access, lastPostedAt }, body, recentBodies);
          if (blocked.has(accessKey(access.channelId, userId)))
            throw new IntentRefusal('blocked', "You can't message this person.");
          const aloneIsGroup = alone.get(accessKey(access.channelId, userId));
          if (aloneIsGroup !== undefined) throw new IntentRefusal('nobody_there', aloneSentence(aloneIsGroup));
          let attachments: AttachmentView[] = [];
          if (uploadIds.length > 0) {
            const { actor, room, thread } = access;
            ensureAllowed(can(actor, 'post_attachment', { room, ...(thread ? { thread } : {}) }));
            attachments = pickUploads(userId, uploadIds, reads.uploads ?? new Map(), taken);
          }
          asked = true;
          if (await consumeMessageAllowance(ctx, userId, send.intentId, prefetched)) onRecorded?.(send);
          // A question opens a thread: the spec's 5 thread creates an hour hold for it too.
          if (question) await consumeQuestionThread(ctx, userId, send.intentId);
          for (const a of attachments) taken.add(a.id);
          recentBodies.push(body);
          if (recentBodies.length > RECENT_COUNT) recentBodies.shift();
          postedAt.set(access.roomId ?? access.channelId, ctx.now);
          acceptedSoFar++;
          checked.push({ index, send, access, body, layer1, attachments });
        } catch (err) {
          if (prefetched && !asked) await giveBack(ctx, userId, send.intentId, prefetched);
          if (!(err instanceof IntentRefusal)) throw err;
          outcomes[index] = { ok: false, refusal: err };
        }
      }
    }),
  );
  return checked.sort((a, b) => a.index - b.index);
}

/**
 * The rules a new message must pass that need no further reads, in the order a member would want to
 * hear about them: may post here, Layer 1, slow mode. Returns Layer 1's verdict (flagged messages are
 * posted and queued for review; blocked ones are refused by the throw).
 */
export function checkPostRules(
  ctx: { now: Date; moderation: ModerationDeps },
  access: ChannelAccess,
  body: string,
  recentBodies: readonly string[],
): Layer1Outcome {
  const { actor, room, thread } = access;
  ensureAllowed(thread ? can(actor, 'reply_in_thread', { room, thread }) : can(actor, 'post_message', { room }));
  const layer1 = layer1Verdict(ctx.moderation, access, body, recentBodies);
  const slowMode = effectiveSlowModeSeconds(access.slowModeSeconds, actor.trustLevel, actor.role, actor.isGlobalAdmin);
  const wait = slowModeWaitSeconds(slowMode, access.lastPostedAt, ctx.now);
  if (wait > 0) {
    throw new IntentRefusal(
      'slow_mode',
      `Slow mode is on in this room: you can post again in ${describeWait(wait * 1000)}.`,
      wait * 1000,
      'Slow mode is on in this room.',
    );
  }
  return layer1;
}

/**
 * Spec: 10 messages a minute and 100 an hour per member, across every node. Answers whether this call
 * recorded the message (false: the same intent was counted before).
 */
export async function consumeMessageAllowance(
  ctx: { now: Date; rateLimiter: RateLimiter },
  userId: string,
  intentId: string,
  /** The limiter's answer when it was asked already (prefetchAllowances). */
  prefetched?: Promise<RateDecision>,
): Promise<boolean> {
  const rate = await (prefetched ?? askAllowance(ctx, userId, intentId));
  if (!rate.allowed) {
    throw new IntentRefusal(
      'rate_limited',
      `You're sending messages faster than the community allows. Try again in ${describeWait(rate.retryAfterMs)}.`,
      rate.retryAfterMs,
      `The community allows ${LIMITS.rate.messages[0].max} messages a minute and ${LIMITS.rate.messages[1].max} an hour.`,
    );
  }
  return rate.recorded !== false;
}

/** Spec: 5 threads an hour per member, whether started by hand or by a help-room question. */
async function consumeQuestionThread(
  ctx: { now: Date; rateLimiter: RateLimiter },
  userId: string,
  intentId: string,
): Promise<void> {
  const rate = await ctx.rateLimiter.consume(
    `threads:${userId}`,
    LIMITS.rate.threadCreates,
    intentId,
    ctx.now.getTime(),
  );
  if (rate.allowed) return;
  // The message it would have been is not sent: its allowance goes back.
  await releaseMessageAllowance(ctx, userId, intentId).catch(() => {});
  throw new IntentRefusal(
    'rate_limited',
    `You can ask ${LIMITS.rate.threadCreates[0].max} questions (or start as many threads) an hour; try again in ${describeWait(rate.retryAfterMs)}.`,
    rate.retryAfterMs,
    `You can ask ${LIMITS.rate.threadCreates[0].max} questions (or start as many threads) an hour.`,
  );
}

/** A prefetched allowance for a send the rules refused: what it recorded goes back. */
async function giveBack(
  ctx: { rateLimiter: RateLimiter },
  userId: string,
  intentId: string,
  prefetched: Promise<RateDecision>,
): Promise<void> {
  const decision = await prefetched.catch(() => undefined);
  // Failing to give it back costs the member one message of allowance, not the refusal they are owed.
  if (decision?.allowed && decision.recorded !== false)
    await releaseMessageAllowance(ctx, userId, intentId).catch(() => {});
}

/** Takes back a message recorded by consumeMessageAllowance that was not sent after all. */
export function releaseMessageAllowance(
  ctx: { rateLimiter: RateLimiter },
  userId: string,
  intentId: string,
): Promise<void> {
  return ctx.rateLimiter.release(`messages:${userId}`, LIMITS.rate.messages, intentId);
}

// ---- writes ---------------------------------------------------------------------------------------

async function writeMessages(ctx: SendContext, checked: readonly Checked[]): Promise<Written[]> {
  const { tx } = ctx;
  const mentions = new Map<number, string[]>();
  for (const c of checked) {
    if (c.body.includes('@')) mentions.set(c.index, await resolveMentions(tx, c.access, c.send.userId, c.body));
  }

  // Every channel row this batch moves is locked first, in id order: two batches touching the same
  // channels queue up instead of deadlocking, and every other row written below (rooms, threads,
  // memberships, markers) is one only a holder of these locks writes for these messages. One statement:
  // the materialized CTE locks every row (the join needs all of `locked` before its first row), then the
  // seq counters move by the batch's count per channel.
  const perChannel = countBy(checked, (c) => c.access.channelId);
  const threadRooms = checked.flatMap((c) => (c.access.kind === 'thread' && c.access.roomId ? [c.access.roomId] : []));
  const lockIds = [...new Set([...perChannel.keys(), ...threadRooms])].sort();
  const counts = [...perChannel];
  const { rows: bumped } = await tx.query<{
    id: string;
    last_seq: string | number;
    change_seq: string | number;
    now: Date;
  }>(
    `WITH locked AS MATERIALIZED (SELECT id FROM channels WHERE id = ANY($1::uuid[]) ORDER BY id FOR UPDATE),
          all_locked AS (SELECT count(*) AS n FROM locked)
     UPDATE channels c SET last_seq = c.last_seq + v.n, change_seq = c.change_seq + v.n
       FROM unnest(${opaqueArray('$2', 'uuid[]')}, ${opaqueArray('$3', 'int[]')}) AS v(id, n), all_locked
      WHERE c.id = v.id
      RETURNING c.id, c.last_seq, c.change_seq, now() AS now`,
    [lockIds, counts.map(([id]) => id), counts.map(([, n]) => n)],
  );
  // Each channel's new seqs (and change seqs) are the last n, handed out in batch order.
  const next = new Map<string, { seq: number; changeSeq: number }>(
    bumped.map((r): [string, { seq: number; changeSeq: number }] => {
      const n = perChannel.get(r.id)!;
      return [r.id, { seq: Number(r.last_seq) - n + 1, changeSeq: Number(r.change_seq) - n + 1 }];
    }),
  );
  // created_at is the column's default, now(): the transaction's start, the same for the whole batch.
  const createdAt = bumped[0]!.now;
  const written: Written[] = checked.map((c) => {
    const slot = next.get(c.access.channelId)!;
    const assigned = { seq: slot.seq++, changeSeq: slot.changeSeq++ };
    return { ...c, ...assigned, messageId: randomUUID(), mentions: mentions.get(c.index) ?? [], createdAt };
  });

  // The messages, the counters lists and trust read, the change log and the files' claims: one statement.
  const counters = counterRows(written);
  const claims = claimRows(
    written.map((w) => ({ messageId: w.messageId, senderId: w.send.userId, attachments: w.attachments })),
  );
  const withFiles = claims[0].length > 0;
  const { rows: wrote } = await tx.query<{ claimed: string | number }>(
    `WITH messages_in AS (
       INSERT INTO messages (id, channel_id, seq, room_id, author_id, body, reply_to_id, mentions, is_flagged${withFiles ? ', attachments' : ''})
       SELECT * FROM unnest(${opaqueArray('$1', 'uuid[]')}, ${opaqueArray('$2', 'uuid[]')}, ${opaqueArray('$3', 'bigint[]')}, ${opaqueArray('$4', 'uuid[]')}, ${opaqueArray('$5', 'uuid[]')}, ${opaqueArray('$6', 'text[]')}, ${opaqueArray('$7', 'uuid[]')}, ${opaqueArray('$8', 'jsonb[]')}, ${opaqueArray('$9', 'bool[]')}${withFiles ? `, ${opaqueArray('$25', 'jsonb[]')}` : ''})),
     ${withFiles ? `${claimUploadsCte('$26', '$27', '$28')},` : ''}
     changes_in AS (
       INSERT INTO channel_changes (channel_id, change_seq, kind, segment, message_id, payload)
       SELECT c, s, 'message', g, m, p FROM unnest(${opaqueArray('$2', 'uuid[]')}, ${opaqueArray('$10', 'bigint[]')}, ${opaqueArray('$11', 'int[]')}, ${opaqueArray('$1', 'uuid[]')}, ${opaqueArray('$12', 'jsonb[]')}) AS v(c, s, g, m, p)),
     authors AS (
       UPDATE users u SET messages_sent = u.messages_sent + a.n
         FROM unnest(${opaqueArray('$13', 'uuid[]')}, ${opaqueArray('$14', 'int[]')}) AS a(id, n) WHERE u.id = a.id),
     memberships AS (
       INSERT INTO room_memberships (room_id, user_id, messages_sent, last_posted_at)
       SELECT * FROM unnest(${opaqueArray('$15', 'uuid[]')}, ${opaqueArray('$16', 'uuid[]')}, ${opaqueArray('$17', 'int[]')}, ${opaqueArray('$18', 'timestamptz[]')})
       ON CONFLICT (room_id, user_id) DO UPDATE
         SET messages_sent = room_memberships.messages_sent + EXCLUDED.messages_sent,
             last_posted_at = EXCLUDED.last_posted_at, updated_at = now()),
     rooms AS (
       UPDATE rooms r SET message_count = r.message_count + v.n, last_message_at = v.at
         FROM unnest(${opaqueArray('$19', 'uuid[]')}, ${opaqueArray('$20', 'int[]')}, ${opaqueArray('$21', 'timestamptz[]')}) AS v(id, n, at) WHERE r.id = v.id),
     markers AS (
       INSERT INTO read_markers (user_id, channel_id, last_read_seq)
       SELECT * FROM unnest(${opaqueArray('$22', 'uuid[]')}, ${opaqueArray('$23', 'uuid[]')}, ${opaqueArray('$24', 'bigint[]')})
       ON CONFLICT (user_id, channel_id) DO UPDATE
         SET last_read_seq = GREATEST(read_markers.last_read_seq, EXCLUDED.last_read_seq), updated_at = now())
     SELECT ${withFiles ? '(SELECT count(*) FROM claimed)' : '0'} AS claimed`,
    [
      written.map((r) => r.messageId),
      written.map((r) => r.access.channelId),
      written.map((r) => r.seq),
      written.map((r) => r.access.roomId),
      written.map((r) => r.send.userId),
      written.map((r) => r.body),
      written.map((r) => r.send.intent.replyToId ?? null),
      written.map((r) => JSON.stringify(r.mentions)),
      written.map((r) => r.layer1.flagged),
      written.map((w) => w.changeSeq),
      written.map((w) => segmentOf(w.seq)),
      written.map((w) => JSON.stringify({ kind: 'message', message: newMessageView(w) })),
      ...counters,
      ...(withFiles ? [written.map((w) => JSON.stringify(w.attachments)), ...claims] : []),
    ],
  );
  // A lost race for a file refuses the batch; it is then decided send by send, and the loser is told.
  ensureAllClaimed(claims[0].length, Number(wrote[0]!.claimed));
  for (const w of written) {
    if (w.layer1.flagged) await queueForReview(tx, w.messageId, w.access.roomId, 'system', w.layer1.reason);
  }
  return written;
}

/** What a batch of new messages adds to the counters lists and trust read: per author, per room membership, per room. */
export function counterCounts(messages: readonly Checked[]) {
  const byAuthor = countBy(messages, (m) => m.send.userId);
  const memberships = groupLast(
    messages.filter((m) => m.access.roomId),
    (m) => `${m.access.roomId}|${m.send.userId}`,
  );
  const rooms = countBy(
    messages.filter((m) => m.access.kind === 'room'),
    (m) => m.access.channelId,
  );
  return {
    authorIds: [...byAuthor.keys()],
    authorCounts: [...byAuthor.values()],
    membershipRooms: memberships.map((g) => g.last.access.roomId),
    membershipUsers: memberships.map((g) => g.last.send.userId),
    membershipCounts: memberships.map((g) => g.count),
    roomIds: [...rooms.keys()],
    roomCounts: [...rooms.values()],
  };
}

/**
 * The counters' parameters: author totals, room membership and activity (at the batch's one
 * created_at), and the author's read marker (they have read what they just wrote).
 */
function counterRows(written: readonly Written[]): unknown[][] {
  const c = counterCounts(written);
  const at = written[0]!.createdAt;
  const markers = groupLast(written, (w) => `${w.send.userId}|${w.access.channelId}`);
  return [
    c.authorIds,
    c.authorCounts,
    c.membershipRooms,
    c.membershipUsers,
    c.membershipCounts,
    c.membershipRooms.map(() => at),
    c.roomIds,
    c.roomCounts,
    c.roomIds.map(() => at),
    markers.map((g) => g.last.send.userId),
    markers.map((g) => g.last.access.channelId),
    markers.map((g) => g.last.seq),
  ];
}

/** Thread activity for replies and the help room's question threads; their changes join the outcomes. */
async function followUps(ctx: SendContext, written: readonly Written[], outcomes: SendOutcome[]): Promise<void> {
  const changesOf = (w: Written): ChannelChange[] => {
    const outcome = outcomes[w.index];
    return outcome?.ok ? outcome.result.changes : [];
  };
  for (const w of written)
    changesOf(w).push({
      kind: 'message',
      message: newMessageView(w),
      channelId: w.access.channelId,
      changeSeq: w.changeSeq,
    });

  // The room learns a thread's new activity once per thread, with the batch's last reply.
  const threads = groupLast(
    written.filter((w) => w.access.kind === 'thread' && w.access.roomId),
    (w) => w.access.channelId,
  );
  for (const { last, count } of threads) {
    changesOf(last).push(
      ...(await recordThreadActivity(ctx.tx, last.access.roomId!, last.access.channelId, count, last.createdAt)),
    );
  }
  for (const w of written) {
    if (w.access.autoThread && !w.send.intent.replyToId) {
      changesOf(w).push(...(await openQuestionThread(ctx.tx, w.send.userId, w.access.channelId, w.messageId, w.body)));
    }
  }
}

const QUESTION_TITLE_MAX_CHARS = 100;

/**
 * Help rooms auto-thread (spec): each question gets a thread of its own, titled from its first line,
 * so answers stay together and the room reads as a list of questions.
 */
async function openQuestionThread(
  tx: Queryable,
  userId: string,
  roomId: string,
  messageId: string,
  body: string,
): Promise<ChannelChange[]> {
  const title = threadTitleFrom(body, QUESTION_TITLE_MAX_CHARS);
  const channel = await tx.query<{ id: string }>(`INSERT INTO channels (kind) VALUES ('thread') RETURNING id`);
  const threadId = channel.rows[0]!.id;
  await tx.query(
    `INSERT INTO threads (id, room_id, parent_message_id, title, creator_id, last_message_at)
     VALUES ($1, $2, $3, $4, $5, now())`,
    [threadId, roomId, messageId, title, userId],
  );
  const question = await appendChange(tx, roomId, { kind: 'message', message: await loadMessageView(tx, messageId) });
  return [question, await appendThreadChange(tx, roomId, threadId)];
}

/** A just-posted message as replicas see it (what loadMessageView would read back, without the read). */
export function newMessageView(w: Written): MessageView {
  return {
    id: w.messageId,
    channelId: w.access.channelId,
    seq: w.seq,
    authorId: w.send.userId,
    body: w.body,
    type: 'text',
    replyToId: w.send.intent.replyToId ?? null,
    threadId: null,
    mentions: w.mentions,
    edited: false,
    hidden: false,
    hiddenReason: null,
    deleted: false,
    pinned: false,
    createdAt: w.createdAt.toISOString(),
    editedAt: null,
    reactions: {},
    threadReplies: 0,
    threadLastReplyAt: null,
    attachments: w.attachments,
    // Filled by the unfurl job once the message is in.
    linkPreview: null,
  };
}

export function countBy<T>(items: readonly T[], key: (item: T) => string): Map<string, number> {
  const counts = new Map<string, number>();
  for (const item of items) counts.set(key(item), (counts.get(key(item)) ?? 0) + 1);
  return counts;
}

/** Items grouped by key: how many, and the last one (batch order). */
export function groupLast<T>(items: readonly T[], key: (item: T) => string): Array<{ last: T; count: number }> {
  const groups = new Map<string, { last: T; count: number }>();
  for (const item of items) {
    const g = groups.get(key(item));
    groups.set(key(item), { last: item, count: (g?.count ?? 0) + 1 });
  }
  return [...groups.values()];
}
