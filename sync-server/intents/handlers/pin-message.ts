import { can } from '../../../shared/rules/permissions.ts';
import type { Intent } from '../../../shared/sync/intents.ts';
import { loadChannelAccess } from '../../access/channel-access.ts';
import { appendChange } from '../../sync/change-log.ts';
import type { HandlerContext, HandlerResult } from '../handler-context.ts';
import { lockMessage } from '../message-writes.ts';
import { loadMessageView } from '../message-view.ts';
import { ensureAllowed, IntentRefusal } from '../refusal.ts';

export async function pinMessage(
  ctx: HandlerContext,
  intent: Extract<Intent, { kind: 'pin' }>,
): Promise<HandlerResult> {
  const { tx, userId } = ctx;
  const message = await lockMessage(tx, intent.messageId);
  const access = await loadChannelAccess(tx, message.channelId, userId, ctx.now);
  if (!access) throw new IntentRefusal('not_found', 'That conversation does not exist.');
  ensureAllowed(can(access.actor, 'pin_message', { room: access.room }));
  if (message.isDeleted) throw new IntentRefusal('deleted', 'A deleted message cannot be pinned.');
  const { rowCount } = await tx.query(
    'UPDATE messages SET is_pinned = $2, updated_at = now() WHERE id = $1 AND is_pinned <> $2',
    [message.id, intent.pinned],
  );
  const view = await loadMessageView(tx, message.id);
  const changes = rowCount > 0 ? [await appendChange(tx, message.channelId, { kind: 'message', message: view })] : [];
  return { status: 'accepted', messageId: message.id, channelId: message.channelId, seq: view.seq, changes };
}
