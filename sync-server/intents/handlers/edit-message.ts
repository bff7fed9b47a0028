import { LIMITS } from '../../../shared/rules/limits.ts';
import { can } from '../../../shared/rules/permissions.ts';
import type { Intent } from '../../../shared/sync/intents.ts';
import { loadChannelAccess } from '../../access/channel-access.ts';
import { appendChange } from '../../sync/change-log.ts';
import type { HandlerContext, HandlerResult } from '../handler-context.ts';
import { cleanBody, lockMessage, resolveMentions } from '../message-writes.ts';
import { loadMessageView } from '../message-view.ts';
import { describeWait, ensureAllowed, IntentRefusal } from '../refusal.ts';
import { queueForReview, runLayer1 } from '../../moderation/layer1-check.ts';

export async function editMessage(
  ctx: HandlerContext,
  intent: Extract<Intent, { kind: 'edit' }>,
): Promise<HandlerResult> {
  const { tx, userId } = ctx;
  const message = await lockMessage(tx, intent.messageId);
  const access = await loadChannelAccess(tx, message.channelId, userId, ctx.now);
  if (!access) throw new IntentRefusal('not_found', 'That conversation does not exist.');
  ensureAllowed(can(access.actor, 'edit_own_message', { room: access.room, message: { authorId: message.authorId } }));
  if (message.isDeleted) throw new IntentRefusal('deleted', 'A deleted message cannot be edited.');
  const body = cleanBody(intent.body);
  const rate = await ctx.rateLimiter.consume(`edits:${userId}`, LIMITS.rate.edits, ctx.intentId, ctx.now.getTime());
  if (!rate.allowed) {
    throw new IntentRefusal(
      'rate_limited',
      `Too many edits; try again in ${describeWait(rate.retryAfterMs)}.`,
      rate.retryAfterMs,
    );
  }
  const layer1 = await runLayer1(ctx, access, body);
  const mentions = await resolveMentions(tx, access, userId, body);
  // Moderators keep every earlier version.
  await tx.query(
    `INSERT INTO message_edits (message_id, editor_id, old_body) SELECT id, $2, body FROM messages WHERE id = $1`,
    [message.id, userId],
  );
  await tx.query(
    `UPDATE messages SET body = $2, mentions = $3, is_edited = true, edited_at = now(), updated_at = now(), ai_checked_at = NULL,
                         is_flagged = is_flagged OR $4 WHERE id = $1`,
    [message.id, body, JSON.stringify(mentions), layer1.flagged],
  );
  if (layer1.flagged) await queueForReview(tx, message.id, access.roomId, 'system', layer1.reason);
  const view = await loadMessageView(tx, message.id);
  const change = await appendChange(tx, message.channelId, { kind: 'message', message: view });
  return {
    status: 'accepted',
    messageId: message.id,
    channelId: message.channelId,
    seq: view.seq,
    changes: [change],
    moderate: [message.id],
  };
}
