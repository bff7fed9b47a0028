import { can } from '../../../shared/rules/permissions.ts';
import type { Intent } from '../../../shared/sync/intents.ts';
import { loadChannelAccess } from '../../access/channel-access.ts';
import { appendChange } from '../../sync/change-log.ts';
import type { HandlerContext, HandlerResult } from '../handler-context.ts';
import { lockMessage } from '../message-writes.ts';
import { loadMessageView } from '../message-view.ts';
import { ensureAllowed, IntentRefusal } from '../refusal.ts';

/**
 * A moderator approves a message the filters held (flagged, or hidden pending review): it is shown to
 * everyone again, the review is settled, and the members it mentions or answers are told now — a flagged
 * message notified nobody when it was posted (migration 0023's trigger writes those notifications, and
 * the message change delivers them to the members' inboxes).
 */
export async function approveMessage(
  ctx: HandlerContext,
  intent: Extract<Intent, { kind: 'approve' }>,
): Promise<HandlerResult> {
  const { tx, userId } = ctx;
  const message = await lockMessage(tx, intent.messageId);
  const access = await loadChannelAccess(tx, message.channelId, userId, ctx.now);
  if (!access) throw new IntentRefusal('not_found', 'That conversation does not exist.');
  ensureAllowed(can(access.actor, 'hide_message', { room: access.room }));
  if (message.isDeleted) throw new IntentRefusal('deleted', 'That message was deleted; there is nothing to approve.');
  const { rowCount } = await tx.query(
    `UPDATE messages SET is_flagged = false, is_hidden = false, hidden_reason = NULL, updated_at = now()
      WHERE id = $1 AND (is_flagged OR is_hidden)`,
    [message.id],
  );
  await tx.query(
    `INSERT INTO moderation_actions (room_id, message_id, target_user_id, actor_id, source, action, reason)
     VALUES ($1, $2, $3, $4, 'admin', 'approve', $5)`,
    [access.roomId, message.id, message.authorId, userId, intent.reason],
  );
  await tx.query(
    `UPDATE moderation_queue SET status = 'approved', resolved_by = $2, resolved_at = now()
      WHERE message_id = $1 AND status IN ('pending', 'escalated')`,
    [message.id, userId],
  );
  const view = await loadMessageView(tx, message.id);
  if (rowCount === 0)
    return { status: 'accepted', messageId: message.id, channelId: message.channelId, seq: view.seq, changes: [] };
  const change = await appendChange(tx, message.channelId, { kind: 'message', message: view });
  return { status: 'accepted', messageId: message.id, channelId: message.channelId, seq: view.seq, changes: [change] };
}
