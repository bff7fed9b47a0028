import { LIMITS } from '../../../shared/rules/limits.ts';
import { can } from '../../../shared/rules/permissions.ts';
import type { Intent } from '../../../shared/sync/intents.ts';
import { loadChannelAccess } from '../../access/channel-access.ts';
import type { HandlerContext, HandlerResult } from '../handler-context.ts';
import { appendThreadChange, cleanBody, insertMessage, resolveMentions } from '../message-writes.ts';
import { describeWait, ensureAllowed, IntentRefusal } from '../refusal.ts';
import { checkCanPost } from './send-message.ts';
import { layer1Verdict, queueForReview } from '../../moderation/layer1-check.ts';

/** A thread is its own channel with its own seq, hanging off a room (and optionally a message of it). */
export async function createThread(
  ctx: HandlerContext,
  intent: Extract<Intent, { kind: 'create_thread' }>,
): Promise<HandlerResult> {
  const { tx, userId } = ctx;
  const roomAccess = await loadChannelAccess(tx, intent.roomId, userId, ctx.now);
  if (!roomAccess || roomAccess.kind !== 'room') throw new IntentRefusal('not_found', 'That room does not exist.');
  ensureAllowed(can(roomAccess.actor, 'create_thread', { room: roomAccess.room }));
  const title = intent.title.trim().replace(/\s+/g, ' ');
  if (title.length === 0) throw new IntentRefusal('empty_title', 'A thread needs a title.');
  if ([...title].length > LIMITS.text.threadTitleMaxChars) {
    throw new IntentRefusal(
      'title_too_long',
      `Thread titles can be at most ${LIMITS.text.threadTitleMaxChars} characters.`,
    );
  }
  const body = cleanBody(intent.body);
  if (intent.parentMessageId) {
    const parent = await tx.query<{ has_thread: boolean }>(
      `SELECT EXISTS (SELECT 1 FROM threads t WHERE t.parent_message_id = m.id) AS has_thread
         FROM messages m WHERE m.id = $1 AND m.channel_id = $2 AND NOT m.is_deleted`,
      [intent.parentMessageId, intent.roomId],
    );
    if (!parent.rows[0]) throw new IntentRefusal('bad_parent', 'That message is not in this room.');
    if (parent.rows[0].has_thread) throw new IntentRefusal('thread_exists', 'That message already has a thread.');
  }
  const rate = await ctx.rateLimiter.consume(
    `threads:${userId}`,
    LIMITS.rate.threadCreates,
    ctx.intentId,
    ctx.now.getTime(),
  );
  if (!rate.allowed) {
    throw new IntentRefusal(
      'rate_limited',
      `You can start ${LIMITS.rate.threadCreates[0].max} threads an hour; try again in ${describeWait(rate.retryAfterMs)}.`,
      rate.retryAfterMs,
    );
  }
  const channel = await tx.query<{ id: string }>(`INSERT INTO channels (kind) VALUES ('thread') RETURNING id`);
  const threadId = channel.rows[0]!.id;
  await tx.query(
    `INSERT INTO threads (id, room_id, parent_message_id, title, creator_id, auto_archive_after_hours)
     VALUES ($1, $2, $3, $4, $5, $6)`,
    [
      threadId,
      intent.roomId,
      intent.parentMessageId ?? null,
      title,
      userId,
      intent.autoArchiveAfterHours ?? LIMITS.threads.autoArchiveHoursDefault,
    ],
  );
  const threadAccess = (await loadChannelAccess(tx, threadId, userId, ctx.now))!;
  // The title is posted words too, shown in the room's thread list: Layer 1 reads it as it reads the body.
  const titleCheck = layer1Verdict(ctx.moderation, threadAccess, title, []);
  const bodyCheck = await checkCanPost(ctx, threadAccess, body);
  const flagged = titleCheck.flagged || bodyCheck.flagged;
  const mentions = await resolveMentions(tx, threadAccess, userId, body);
  const first = await insertMessage(tx, threadAccess, { authorId: userId, body, replyToId: null, mentions, flagged });
  if (flagged)
    await queueForReview(
      tx,
      first.messageId,
      intent.roomId,
      'system',
      [titleCheck.flagged ? `Title: ${titleCheck.reason}` : '', bodyCheck.flagged ? bodyCheck.reason : '']
        .filter(Boolean)
        .join(' ')
        .slice(0, 1000),
    );
  // The first message's activity record logged the parent message, which now shows its thread in the room.
  const changes = [...first.changes];
  if (!changes.some((c) => c.kind === 'thread' && c.channelId === intent.roomId)) {
    changes.push(await appendThreadChange(tx, intent.roomId, threadId));
  }
  // Layer 2 reads the first message as it reads any new one.
  return {
    status: 'accepted',
    messageId: first.messageId,
    channelId: threadId,
    seq: first.seq,
    changes,
    moderate: [first.messageId],
  };
}
