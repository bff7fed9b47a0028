import { can } from '../../../shared/rules/permissions.ts';
import type { Intent } from '../../../shared/sync/intents.ts';
import { loadChannelAccess } from '../../access/channel-access.ts';
import { appendChange } from '../../sync/change-log.ts';
import { notifyAuthorOfModeration } from '../../notifications/notification-rows.ts';
import type { HandlerContext, HandlerResult } from '../handler-context.ts';
import { lockMessage } from '../message-writes.ts';
import { loadMessageView } from '../message-view.ts';
import { ensureAllowed, IntentRefusal } from '../refusal.ts';

/**
 * A moderator hides (or restores) a message. The change empties the body in every replica's channel
 * doc; the author and moderators read the reason from the message's hidden state.
 */
export async function hideMessage(
  ctx: HandlerContext,
  intent: Extract<Intent, { kind: 'hide' }>,
): Promise<HandlerResult> {
  const { tx, userId } = ctx;
  const message = await lockMessage(tx, intent.messageId);
  const access = await loadChannelAccess(tx, message.channelId, userId, ctx.now);
  if (!access) throw new IntentRefusal('not_found', 'That conversation does not exist.');
  ensureAllowed(can(access.actor, 'hide_message', { room: access.room }));
  const reason = intent.reason || (intent.hidden ? 'Hidden by a moderator.' : '');
  // The message shows "Hidden by moderation" and the moderator's reason when there is one: the log's
  // stand-in sentence would only repeat it ("Hidden by moderation: Hidden by a moderator.").
  const { rowCount } = await tx.query(
    `UPDATE messages SET is_hidden = $2, hidden_reason = $3, updated_at = now() WHERE id = $1 AND is_hidden <> $2`,
    [message.id, intent.hidden, intent.hidden && intent.reason ? intent.reason : null],
  );
  const view = await loadMessageView(tx, message.id);
  if (rowCount === 0)
    return { status: 'accepted', messageId: message.id, channelId: message.channelId, seq: view.seq, changes: [] };
  await tx.query(
    `INSERT INTO moderation_actions (room_id, message_id, target_user_id, actor_id, source, action, reason)
     VALUES ($1, $2, $3, $4, 'admin', $5, $6)`,
    [access.roomId, message.id, message.authorId, userId, intent.hidden ? 'hide' : 'unhide', reason],
  );
  // A decision on the message settles whatever was waiting for review about it.
  await tx.query(
    `UPDATE moderation_queue SET status = $2, resolved_by = $3, resolved_at = now()
      WHERE message_id = $1 AND status = 'pending'`,
    [message.id, intent.hidden ? 'hidden' : 'approved', userId],
  );
  const change = await appendChange(tx, message.channelId, { kind: 'message', message: view });
  // The author learns that, and why, from their notifications (not only from a body gone grey).
  const inbox = intent.hidden
    ? await notifyAuthorOfModeration(tx, {
        message: { ...message, seq: view.seq },
        access,
        actorId: userId,
        action: 'hide',
        reason,
      })
    : [];
  return {
    status: 'accepted',
    messageId: message.id,
    channelId: message.channelId,
    seq: view.seq,
    changes: [change],
    inbox,
  };
}
