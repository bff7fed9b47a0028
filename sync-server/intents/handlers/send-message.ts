import { LIMITS } from '../../../shared/rules/limits.ts';
import { can } from '../../../shared/rules/permissions.ts';
import { effectiveSlowModeSeconds, slowModeWaitSeconds } from '../../../shared/rules/trust.ts';
import type { Intent } from '../../../shared/sync/intents.ts';
import { loadChannelAccess, type ChannelAccess } from '../../access/channel-access.ts';
import type { HandlerContext, HandlerResult } from '../handler-context.ts';
import { appendChange } from '../../sync/change-log.ts';
import { appendThreadChange, cleanBody, insertMessage, resolveMentions } from '../message-writes.ts';
import { loadMessageView } from '../message-view.ts';
import type { ChannelChange } from '../../../shared/sync/channel-doc.ts';
import { describeWait, ensureAllowed, IntentRefusal } from '../refusal.ts';
import { queueForReview, runLayer1, type Layer1Outcome } from '../../moderation/layer1-check.ts';

/**
 * Checks every rule a new message must pass, in the order a member would want to hear about them, and
 * returns Layer 1's verdict: a flagged message is posted and queued for review, a blocked one refused.
 */
export async function checkCanPost(ctx: HandlerContext, access: ChannelAccess, body: string): Promise<Layer1Outcome> {
  const { actor, room, thread } = access;
  ensureAllowed(thread ? can(actor, 'reply_in_thread', { room, thread }) : can(actor, 'post_message', { room }));
  const layer1 = await runLayer1(ctx, access, body);
  const slowMode = effectiveSlowModeSeconds(access.slowModeSeconds, actor.trustLevel, actor.role, actor.isGlobalAdmin);
  const wait = slowModeWaitSeconds(slowMode, access.lastPostedAt, ctx.now);
  if (wait > 0) {
    throw new IntentRefusal('slow_mode', `Slow mode is on in this room: you can post again in ${describeWait(wait * 1000)}.`, wait * 1000);
  }
  const rate = await ctx.rateLimiter.consume(`messages:${ctx.userId}`, LIMITS.rate.messages, ctx.intentId, ctx.now.getTime());
  if (!rate.allowed) {
    throw new IntentRefusal(
      'rate_limited',
      `You're sending messages faster than the community allows. Try again in ${describeWait(rate.retryAfterMs)}.`,
      rate.retryAfterMs,
    );
  }
  return layer1;
}

export async function sendMessage(ctx: HandlerContext, intent: Extract<Intent, { kind: 'send' }>): Promise<HandlerResult> {
  const { tx, userId } = ctx;
  const access = await loadChannelAccess(tx, intent.channelId, userId, ctx.now);
  if (!access) throw new IntentRefusal('not_found', 'That conversation does not exist.');
  const body = cleanBody(intent.body);
  if (intent.replyToId) {
    const { rows } = await tx.query('SELECT 1 FROM messages WHERE id = $1 AND channel_id = $2', [
      intent.replyToId,
      intent.channelId,
    ]);
    if (rows.length === 0) throw new IntentRefusal('bad_reply', 'The message you replied to is not in this conversation.');
  }
  const layer1 = await checkCanPost(ctx, access, body);
  if (access.kind === 'dm') await refuseBlockedDm(ctx, access.channelId);
  const mentions = await resolveMentions(tx, access, userId, body);
  const inserted = await insertMessage(tx, access, {
    authorId: userId,
    body,
    replyToId: intent.replyToId ?? null,
    mentions,
    flagged: layer1.flagged,
  });
  if (layer1.flagged) await queueForReview(tx, inserted.messageId, access.roomId, 'system', layer1.reason);
  const changes = [...inserted.changes];
  if (access.autoThread && !intent.replyToId) {
    changes.push(...(await openQuestionThread(ctx, access.channelId, inserted.messageId, body)));
  }
  return {
    status: 'accepted',
    messageId: inserted.messageId,
    channelId: access.channelId,
    seq: inserted.seq,
    changes,
    moderate: [inserted.messageId],
  };
}

/** In a 1:1 conversation a block either way stops new messages (group DMs hide them client-side). */
async function refuseBlockedDm(ctx: HandlerContext, channelId: string): Promise<void> {
  const { rows } = await ctx.tx.query<{ blocked: boolean }>(
    `SELECT EXISTS (
       SELECT 1 FROM dm_threads d JOIN dm_participants p ON p.dm_thread_id = d.id AND p.user_id <> $2
         JOIN user_blocks b ON (b.blocker_id = p.user_id AND b.blocked_id = $2) OR (b.blocker_id = $2 AND b.blocked_id = p.user_id)
        WHERE d.id = $1 AND NOT d.is_group) AS blocked`,
    [channelId, ctx.userId],
  );
  if (rows[0]?.blocked) throw new IntentRefusal('blocked', "You can't message this person.");
}

/**
 * Help rooms auto-thread (spec): each question gets a thread of its own, titled from its first line,
 * so answers stay together and the room reads as a list of questions.
 */
async function openQuestionThread(ctx: HandlerContext, roomId: string, messageId: string, body: string): Promise<ChannelChange[]> {
  const firstLine = body.split('\n').find((line) => line.trim().length > 0)?.trim() ?? body;
  const title = [...firstLine].length > 100 ? `${[...firstLine].slice(0, 99).join('')}…` : firstLine;
  const channel = await ctx.tx.query<{ id: string }>(`INSERT INTO channels (kind) VALUES ('thread') RETURNING id`);
  const threadId = channel.rows[0]!.id;
  await ctx.tx.query(
    `INSERT INTO threads (id, room_id, parent_message_id, title, creator_id, last_message_at)
     VALUES ($1, $2, $3, $4, $5, now())`,
    [threadId, roomId, messageId, title, ctx.userId],
  );
  const question = await appendChange(ctx.tx, roomId, { kind: 'message', message: await loadMessageView(ctx.tx, messageId) });
  return [question, await appendThreadChange(ctx.tx, roomId, threadId)];
}
