import type { NotificationEntry } from '../../shared/sync/inbox.ts';
import type { InboxEntry } from '../intents/handler-context.ts';

/** A notification as the reads below return it (`n` the notification, `a` its author). */
export interface NotificationRow {
  id: string;
  user_id: string;
  kind: NotificationEntry['kind'];
  channel_id: string;
  message_id: string;
  actor_id: string | null;
  actor_name: string | null;
  payload: { seq?: number; roomId?: string; threadId?: string | null };
  read: boolean;
  created_at: Date;
}

/** The columns of a notification, for a query over `notifications n LEFT JOIN users a ON a.id = n.actor_id`. */
export const NOTIFICATION_COLUMNS = `n.id, n.user_id, n.kind, n.channel_id, n.message_id, n.actor_id,
  CASE WHEN a.anonymized_at IS NULL THEN a.display_name END AS actor_name,
  n.payload, n.read_at IS NOT NULL AS read, n.created_at`;

/** The kinds an inbox shows (the table also holds kinds that other channels, push and email, may use). */
export const INBOX_NOTIFICATION_KINDS = ['mention', 'reply'] as const;

export function notificationFromRow(row: NotificationRow): NotificationEntry {
  return {
    kind: row.kind,
    channelId: row.channel_id,
    roomId: row.payload.roomId ?? row.channel_id,
    threadId: row.payload.threadId ?? null,
    messageId: row.message_id,
    seq: row.payload.seq ?? 0,
    actorId: row.actor_id,
    actorName: row.actor_name,
    at: row.created_at.getTime(),
    read: row.read,
  };
}

/** Each row as the entry of its member's inbox. */
export function notificationEntries(rows: readonly NotificationRow[]): InboxEntry[] {
  return rows.map((row) => ({
    userId: row.user_id,
    map: 'notifications',
    key: row.id,
    value: notificationFromRow(row),
  }));
}
