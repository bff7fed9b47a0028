import { can } from '../../../shared/rules/permissions.ts';
import type { Intent } from '../../../shared/sync/intents.ts';
import { loadChannelAccess } from '../../access/channel-access.ts';
import { removeMessageAttachments } from '../../attachments/message-attachments.ts';
import { appendChange } from '../../sync/change-log.ts';
import type { HandlerContext, HandlerResult } from '../handler-context.ts';
import { lockMessage } from '../message-writes.ts';
import { loadMessageView } from '../message-view.ts';
import { ensureAllowed, IntentRefusal } from '../refusal.ts';
import { notifyAuthorOfModeration } from '../../notifications/notification-rows.ts';

/** Soft delete: the message keeps its place in the conversation as a placeholder without words or files. */
export async function deleteMessage(
  ctx: HandlerContext,
  intent: Extract<Intent, { kind: 'delete' }>,
): Promise<HandlerResult> {
  const { tx, userId } = ctx;
  const message = await lockMessage(tx, intent.messageId);
  const access = await loadChannelAccess(tx, message.channelId, userId, ctx.now);
  if (!access) throw new IntentRefusal('not_found', 'That conversation does not exist.');
  const own = message.authorId === userId;
  ensureAllowed(
    own
      ? can(access.actor, 'delete_own_message', { room: access.room, message: { authorId: message.authorId } })
      : can(access.actor, 'delete_any_message', { room: access.room }),
  );
  if (message.isDeleted) {
    const view = await loadMessageView(tx, message.id);
    return { status: 'accepted', messageId: message.id, channelId: message.channelId, seq: view.seq, changes: [] };
  }
  await tx.query('UPDATE messages SET is_deleted = true, deleted_at = now(), updated_at = now() WHERE id = $1', [
    message.id,
  ]);
  // Deleted means gone: its files stop being served now, and the sweep deletes their bytes.
  await removeMessageAttachments(tx, message.id);
  if (!own) {
    await tx.query(
      `INSERT INTO moderation_actions (room_id, message_id, target_user_id, actor_id, source, action, reason)
       VALUES ($1, $2, $3, $4, 'admin', 'delete', $5)`,
      [access.roomId, message.id, message.authorId, userId, intent.reason || 'Deleted by a moderator'],
    );
  }
  const view = await loadMessageView(tx, message.id);
  const change = await appendChange(tx, message.channelId, { kind: 'message', message: view });
  // A moderator's delete is an action on the author's content: they are told (spec: mod actions notify).
  const inbox = own
    ? []
    : await notifyAuthorOfModeration(tx, {
        message: { ...message, seq: view.seq },
        access,
        actorId: userId,
        action: 'delete',
        reason: intent.reason ?? '',
      });
  return {
    status: 'accepted',
    messageId: message.id,
    channelId: message.channelId,
    seq: view.seq,
    changes: [change],
    inbox,
  };
}
