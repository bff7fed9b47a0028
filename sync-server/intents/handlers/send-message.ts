import { LIMITS } from '../../../shared/rules/limits.ts';
import { can } from '../../../shared/rules/permissions.ts';
import { effectiveSlowModeSeconds, slowModeWaitSeconds } from '../../../shared/rules/trust.ts';
import type { Intent } from '../../../shared/sync/intents.ts';
import { loadChannelAccess, type ChannelAccess } from '../../access/channel-access.ts';
import type { HandlerContext, HandlerResult } from '../handler-context.ts';
import { cleanBody, insertMessage, resolveMentions } from '../message-writes.ts';
import { describeWait, ensureAllowed, IntentRefusal } from '../refusal.ts';

const LINK = /\bhttps?:\/\/|\bwww\.|\b[a-z0-9-]+\.(?:com|net|org|io|dev|ai|app|co|gg|me|xyz)\b/i;

/** Checks every rule a new message must pass, in the order a member would want to hear about them. */
export async function checkCanPost(ctx: HandlerContext, access: ChannelAccess, body: string): Promise<void> {
  const { actor, room, thread } = access;
  ensureAllowed(thread ? can(actor, 'reply_in_thread', { room, thread }) : can(actor, 'post_message', { room }));
  if (LINK.test(body)) ensureAllowed(can(actor, 'post_link', { room }));
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
  await checkCanPost(ctx, access, body);
  const mentions = await resolveMentions(tx, access, userId, body);
  const inserted = await insertMessage(tx, access, { authorId: userId, body, replyToId: intent.replyToId ?? null, mentions });
  return {
    status: 'accepted',
    messageId: inserted.messageId,
    channelId: access.channelId,
    seq: inserted.seq,
    changes: inserted.changes,
  };
}
