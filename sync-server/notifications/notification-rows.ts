import type { ModerationAction, NotificationEntry } from '../../shared/sync/inbox.ts';
import type { Queryable } from '../db/database.ts';
import type { InboxEntry } from '../intents/handler-context.ts';

/** A notification as the reads below return it (`n` the notification, `a` its actor). */
export interface NotificationRow {
  id: string;
  user_id: string;
  kind: NotificationEntry['kind'];
  channel_id: string;
  message_id: string | null;
  actor_id: string | null;
  actor_name: string | null;
  room_name: string | null;
  payload: {
    seq?: number | null;
    roomId?: string;
    threadId?: string | null;
    action?: ModerationAction;
    reason?: string;
    until?: number | null;
    /** A reply in a thread the member follows rather than started (migration 0027). */
    followed?: boolean;
  };
  read: boolean;
  created_at: Date;
}

/** The columns of a notification, for a query over `notifications n LEFT JOIN users a ON a.id = n.actor_id`. */
export const NOTIFICATION_COLUMNS = `n.id, n.user_id, n.kind, n.channel_id, n.message_id, n.actor_id,
  CASE WHEN a.anonymized_at IS NULL THEN a.display_name END AS actor_name,
  (SELECT r.name FROM rooms r WHERE r.id = COALESCE((n.payload ->> 'roomId')::uuid, n.channel_id)) AS room_name,
  n.payload, n.read_at IS NOT NULL AS read, n.created_at`;

/** The kinds an inbox shows (the table also holds kinds that other channels, push and email, may use). */
export const INBOX_NOTIFICATION_KINDS = ['mention', 'reply', 'message_reply', 'moderation'] as const;

export function notificationFromRow(row: NotificationRow): NotificationEntry {
  const base = {
    channelId: row.channel_id,
    roomId: row.payload.roomId ?? row.channel_id,
    threadId: row.payload.threadId ?? null,
    actorId: row.actor_id,
    actorName: row.actor_name,
    roomName: row.room_name,
    at: row.created_at.getTime(),
    read: row.read,
  };
  if (row.kind === 'moderation') {
    return {
      ...base,
      // The notice speaks for the room's moderators ("A moderator warned you"): which one acted stays on the
      // server, off the member's devices.
      actorId: null,
      actorName: null,
      kind: 'moderation',
      action: row.payload.action ?? 'warn',
      reason: row.payload.reason ?? '',
      until: row.payload.until ?? null,
      messageId: row.message_id,
      seq: row.payload.seq ?? null,
    };
  }
  return {
    ...base,
    kind: row.kind,
    messageId: row.message_id ?? '',
    seq: row.payload.seq ?? 0,
    ...(row.payload.followed ? { followed: true } : {}),
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

export interface ModerationNotice {
  /** The member acted on. */
  userId: string;
  actorId: string;
  action: ModerationAction;
  reason: string;
  roomId: string;
  /** Where: the room's chat, or the thread of the message acted on. */
  channelId: string;
  message?: { id: string; seq: number; threadId: string | null };
  until?: Date | null;
}

/**
 * Tells a member what a moderator did to them or to their message, with the moderator's reason: written in
 * the action's transaction, answered as their inbox's new entry. A moderator acting on their own message
 * tells no one.
 */
export async function notifyModeration(tx: Queryable, notice: ModerationNotice): Promise<InboxEntry[]> {
  if (notice.userId === notice.actorId) return [];
  const payload = {
    action: notice.action,
    reason: notice.reason,
    roomId: notice.roomId,
    threadId: notice.message?.threadId ?? null,
    seq: notice.message?.seq ?? null,
    until: notice.until ? notice.until.getTime() : null,
  };
  const { rows } = await tx.query<NotificationRow>(
    `WITH added AS (
       INSERT INTO notifications (user_id, kind, channel_id, message_id, actor_id, payload)
       VALUES ($1, 'moderation', $2, $3, $4, $5)
       ON CONFLICT (message_id, user_id) WHERE message_id IS NOT NULL
       DO UPDATE SET kind = 'moderation', payload = EXCLUDED.payload, actor_id = EXCLUDED.actor_id,
                     read_at = NULL, created_at = now()
       RETURNING *)
     SELECT ${NOTIFICATION_COLUMNS} FROM added n LEFT JOIN users a ON a.id = n.actor_id`,
    [notice.userId, notice.channelId, notice.message?.id ?? null, notice.actorId, JSON.stringify(payload)],
  );
  return notificationEntries(rows);
}

/**
 * Tells a message's author what a moderator did to it (hide, delete), with the reason; nobody when the
 * message has no author or no room, or the moderator acted on their own message.
 */
export function notifyAuthorOfModeration(
  tx: Queryable,
  act: {
    message: { id: string; channelId: string; authorId: string | null; seq: number };
    access: { roomId: string | null; kind: string };
    actorId: string;
    action: ModerationAction;
    reason: string;
  },
): Promise<InboxEntry[]> {
  const { message, access } = act;
  if (!message.authorId || !access.roomId) return Promise.resolve([]);
  return notifyModeration(tx, {
    userId: message.authorId,
    actorId: act.actorId,
    action: act.action,
    reason: act.reason,
    roomId: access.roomId,
    channelId: message.channelId,
    message: { id: message.id, seq: message.seq, threadId: access.kind === 'thread' ? message.channelId : null },
  });
}
