import type { Intent } from '../../../shared/sync/intents.ts';
import {
  NOTIFICATION_COLUMNS,
  notificationEntries,
  type NotificationRow,
} from '../../notifications/notification-rows.ts';
import type { HandlerContext, HandlerResult } from '../handler-context.ts';

/**
 * Marks the member's own notifications read: the ones named (ids of someone else's are passed over), or
 * all of them. Every device of theirs sees it through the inbox.
 */
export async function readNotifications(
  ctx: HandlerContext,
  intent: Extract<Intent, { kind: 'read_notifications' }>,
): Promise<HandlerResult> {
  const { rows } = await ctx.tx.query<NotificationRow>(
    `WITH seen AS (
       UPDATE notifications SET read_at = now()
        WHERE user_id = $1 AND read_at IS NULL AND ($2::uuid[] IS NULL OR id = ANY($2::uuid[]))
       RETURNING *)
     SELECT ${NOTIFICATION_COLUMNS} FROM seen n LEFT JOIN users a ON a.id = n.actor_id`,
    [ctx.userId, intent.ids ?? null],
  );
  return { status: 'accepted', changes: [], inbox: notificationEntries(rows) };
}
