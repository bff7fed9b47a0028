import type { Logger } from 'pino';
import type { Database } from '../../sync-server/db/database.ts';
import type { EmailSender } from '../../sync-server/email/email-sender.ts';
import { notificationEmail, type EmailedNotification } from '../../sync-server/email/notification-email.ts';
import { DELETED_USER_NAME } from '../../sync-server/features/users/public-user.ts';
import type { JobData } from '../job-queue.ts';
import { messageUrl } from '../../sync-server/notifications/message-url.ts';
import { paths } from '../../shared/app/paths.ts';
import { markdownToPlainText, startOf } from '../../shared/markdown/message-markdown.ts';

export interface EmailNotificationsDeps {
  db: Database;
  email: EmailSender;
  /** The app's public address, for links in emails (no trailing slash). */
  appUrl: string;
  logger: Logger;
}

/** At most this many notifications in one email (the newest); the rest are in the app. */
const PER_EMAIL = 20;

interface Claimed {
  id: string;
  kind: 'mention' | 'reply' | 'message_reply';
  message_id: string;
  thread_id: string | null;
  room_id: string | null;
  actor_name: string | null;
  actor_deleted: boolean;
  body: string;
  files: Array<{ name: string }>;
  silenced: boolean;
  room_name: string | null;
  room_slug: string | null;
  room_type: string | null;
  thread_title: string | null;
}

/**
 * Emails a member what waited for them: the mentions and replies in their threads they have not read
 * (scheduled a few minutes after the first one, so reading it in the app in time means no email), if
 * they asked for such emails and the host platform gave an address. Each notification is claimed
 * (`emailed_at`) before sending, in one statement, so two runs never email it twice; a refused send
 * gives the claims back and throws, so the queue retries.
 */
export async function emailNotifications(
  deps: EmailNotificationsDeps,
  data: JobData<'email-notifications'>,
): Promise<{ sent: number }> {
  const settings = (
    await deps.db.query<{ email: string | null; notify_email_mentions: boolean }>(
      `SELECT s.email, s.notify_email_mentions FROM user_settings s JOIN users u ON u.id = s.user_id
        WHERE s.user_id = $1 AND u.anonymized_at IS NULL`,
      [data.userId],
    )
  ).rows[0];
  if (!settings?.email || !settings.notify_email_mentions) return { sent: 0 };

  const { rows } = await deps.db.query<Claimed>(
    `WITH claimed AS (
       UPDATE notifications n SET emailed_at = now()
        WHERE n.id IN (SELECT id FROM notifications
                        WHERE user_id = $1 AND read_at IS NULL AND emailed_at IS NULL AND kind IN ('mention', 'reply', 'message_reply')
                          AND created_at > now() - interval '1 day'
                        ORDER BY created_at DESC LIMIT $2
                        FOR UPDATE SKIP LOCKED)
       RETURNING n.id, n.kind, n.message_id, n.actor_id, n.payload, n.created_at)
     SELECT c.id, c.kind, c.message_id, c.payload->>'threadId' AS thread_id, m.room_id,
            a.display_name AS actor_name, a.anonymized_at IS NOT NULL AS actor_deleted,
            m.body, m.attachments AS files, (m.is_hidden OR m.is_deleted) AS silenced,
            r.name AS room_name, r.slug AS room_slug, r.room_type, t.title AS thread_title
       FROM claimed c JOIN messages m ON m.id = c.message_id
       LEFT JOIN users a ON a.id = c.actor_id
       LEFT JOIN rooms r ON r.id = m.room_id
       LEFT JOIN threads t ON t.id = (c.payload->>'threadId')::uuid
      ORDER BY c.created_at DESC`,
    [data.userId, PER_EMAIL],
  );
  if (rows.length === 0) return { sent: 0 };
  const items = rows.map((row): EmailedNotification => ({
    kind: row.kind,
    actorName: row.actor_deleted ? DELETED_USER_NAME : (row.actor_name ?? 'Someone'),
    place: row.thread_title
      ? `“${row.thread_title}” in ${row.room_name ?? 'a room'}`
      : (row.room_name ?? 'a conversation'),
    // Files alone are named, so "Ada mentioned you" is not followed by nothing.
    excerpt: row.silenced
      ? ''
      : markdownToPlainText(startOf(row.body, 2000)) ||
        (row.files.length > 0 ? `Shared ${row.files.map((f) => f.name).join(', ')}` : ''),
    url: messageUrl(deps.appUrl, row),
  }));
  try {
    await deps.email.send(notificationEmail(settings.email, items, `${deps.appUrl}${paths.settings}`));
  } catch (err) {
    await deps.db
      .query('UPDATE notifications SET emailed_at = NULL WHERE id = ANY($1::uuid[])', [rows.map((r) => r.id)])
      .catch(() => undefined);
    throw err;
  }
  deps.logger.info({ userId: data.userId, notifications: rows.length }, 'notification email sent');
  return { sent: rows.length };
}
