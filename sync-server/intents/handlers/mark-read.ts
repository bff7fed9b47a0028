import { can } from '../../../shared/rules/permissions.ts';
import type { Intent } from '../../../shared/sync/intents.ts';
import { loadChannelAccess } from '../../access/channel-access.ts';
import {
  NOTIFICATION_COLUMNS,
  notificationEntries,
  type NotificationRow,
} from '../../notifications/notification-rows.ts';
import type { HandlerContext, HandlerResult } from '../handler-context.ts';
import { ensureAllowed, IntentRefusal } from '../refusal.ts';

/** Moves the member's read marker forward (never back), so unread counts agree across devices. */
export async function markRead(
  ctx: HandlerContext,
  intent: Extract<Intent, { kind: 'mark_read' }>,
): Promise<HandlerResult> {
  const { tx, userId } = ctx;
  const access = await loadChannelAccess(tx, intent.channelId, userId, ctx.now);
  if (!access) throw new IntentRefusal('not_found', 'That conversation does not exist.');
  ensureAllowed(can(access.actor, 'read', { room: access.room }));
  // Reading a channel up to a message also reads the mentions and replies there (one round trip); a
  // moderator's notice waits until the member opens it.
  const { rows } = await tx.query<NotificationRow>(
    `WITH marker AS (
       INSERT INTO read_markers (user_id, channel_id, last_read_seq)
       SELECT $1, c.id, LEAST($3::bigint, c.last_seq) FROM channels c WHERE c.id = $2
       ON CONFLICT (user_id, channel_id) DO UPDATE
         SET last_read_seq = GREATEST(read_markers.last_read_seq, EXCLUDED.last_read_seq), updated_at = now()),
     seen AS (
       UPDATE notifications SET read_at = now()
        WHERE user_id = $1 AND read_at IS NULL AND channel_id = $2 AND kind <> 'moderation'
          AND (payload->>'seq')::bigint <= $3
       RETURNING *)
     SELECT ${NOTIFICATION_COLUMNS} FROM seen n LEFT JOIN users a ON a.id = n.actor_id`,
    [userId, intent.channelId, intent.seq],
  );
  return { status: 'accepted', channelId: intent.channelId, changes: [], inbox: notificationEntries(rows) };
}
