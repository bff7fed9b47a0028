import type { Logger } from 'pino';
import type { Database } from '../../sync-server/db/database.ts';
import { DELETED_USER_NAME } from '../../sync-server/features/users/public-user.ts';
import { messageUrl } from '../../sync-server/notifications/message-url.ts';
import type { PushPayload } from '../../sync-server/push/web-push-sender.ts';
import type { JobData } from '../job-queue.ts';
import { messageExcerpt } from '../../shared/markdown/message-markdown.ts';
import { pushTargetsOf, pushToDevices, type PushChannels } from '../../sync-server/push/push-to-devices.ts';
import { awaitingModeration, type Layer2Gate } from './layer2-gate.ts';

export interface PushNotificationDeps {
  db: Database;
  push: PushChannels;
  /** Present when Layer 2 is on: the push waits for the message's verdict. */
  layer2?: Layer2Gate | undefined;
  appUrl: string;
  logger: Logger;
}

interface Claimed {
  id: string;
  user_id: string;
  kind: 'mention' | 'reply' | 'message_reply' | 'moderation';
  message_id: string | null;
  thread_id: string | null;
  action: string | null;
  reason: string | null;
  actor_name: string | null;
  actor_deleted: boolean;
  body: string | null;
  silenced: boolean | null;
  room_name: string | null;
  room_slug: string | null;
  room_type: string | null;
  thread_title: string | null;
  /** A reply in a thread the member follows rather than started (migration 0027). */
  followed?: boolean | null;
}

const EXCERPT_CHARS = 140;
const ACTION_WORDS: Record<string, string> = {
  warn: 'warned you',
  mute: 'muted you',
  unmute: 'unmuted you',
  ban: 'banned you',
  unban: 'lifted your ban',
  hide: 'hid your message',
  delete: 'deleted your message',
};

/** What the device shows: who and what in the title, where (and the words) in the body. */
export function pushPayload(row: Claimed, appUrl: string): PushPayload {
  const place = row.thread_title ? `“${row.thread_title}”` : (row.room_name ?? 'a conversation');
  const url = messageUrl(appUrl, row);
  const tag = `notification-${row.id}`;
  if (row.kind === 'moderation') {
    const what = ACTION_WORDS[row.action ?? ''] ?? 'acted on your account';
    return {
      title: `A moderator ${what}`,
      body: `In ${row.room_name ?? 'a room'}${row.reason ? `: ${row.reason}` : ''}`,
      url,
      tag,
    };
  }
  const actor = row.actor_deleted ? DELETED_USER_NAME : (row.actor_name ?? 'Someone');
  const title =
    row.kind === 'mention'
      ? `${actor} mentioned you`
      : row.kind === 'message_reply'
        ? `${actor} replied to your message`
        : row.followed
          ? `${actor} replied in a thread you follow`
          : `${actor} replied in your thread`;
  const words = row.silenced ? '' : messageExcerpt(row.body ?? '', EXCERPT_CHARS);
  return { title, body: words ? `In ${place}: ${words}` : `In ${place}`, url, tag };
}

/**
 * Pushes one notification to every browser the member subscribed and every app device they registered
 * (a mention, a reply to them, a moderator's notice), unless they turned push off or already read it. Claimed (`pushed_at`) before
 * sending, so it goes once; a subscription the push service says is gone is forgotten; when no
 * subscription could be reached the claim is given back and the job retries.
 */
export async function pushNotification(
  deps: PushNotificationDeps,
  data: JobData<'push-notification'>,
): Promise<{ sent: number }> {
  let withheld = false;
  if (deps.layer2) {
    const { rows: unjudged } = await deps.db.query(
      `SELECT 1 FROM notifications n JOIN messages m ON m.id = n.message_id
        WHERE n.id = $1 AND m.ai_checked_at IS NULL AND NOT m.is_hidden AND NOT m.is_deleted`,
      [data.notificationId],
    );
    if (unjudged.length > 0) {
      if (!deps.layer2.lastAttempt) throw awaitingModeration();
      // Layer 2 is down or slow: the member still learns of it, without the words nobody has judged.
      withheld = true;
    }
  }
  const { rows } = await deps.db.query<Claimed>(
    `WITH claimed AS (
       UPDATE notifications n SET pushed_at = now()
        WHERE n.id = $1 AND n.pushed_at IS NULL AND n.read_at IS NULL
          AND (EXISTS (SELECT 1 FROM push_subscriptions p WHERE p.user_id = n.user_id)
               OR EXISTS (SELECT 1 FROM device_tokens d WHERE d.user_id = n.user_id))
          AND NOT EXISTS (SELECT 1 FROM user_settings s WHERE s.user_id = n.user_id AND NOT s.notify_push)
          AND NOT EXISTS (SELECT 1 FROM users u WHERE u.id = n.user_id AND u.anonymized_at IS NOT NULL)
       RETURNING n.id, n.user_id, n.kind, n.message_id, n.actor_id, n.payload)
     SELECT c.id, c.user_id, c.kind, c.message_id, c.payload->>'threadId' AS thread_id,
            c.payload->>'action' AS action, c.payload->>'reason' AS reason,
            (c.payload->>'followed')::boolean AS followed,
            a.display_name AS actor_name, a.anonymized_at IS NOT NULL AS actor_deleted,
            m.body, (m.is_hidden OR m.is_deleted) AS silenced,
            r.name AS room_name, r.slug AS room_slug, r.room_type, t.title AS thread_title
       FROM claimed c
       LEFT JOIN messages m ON m.id = c.message_id
       LEFT JOIN users a ON a.id = c.actor_id
       LEFT JOIN rooms r ON r.id = coalesce(m.room_id, (c.payload->>'roomId')::uuid)
       LEFT JOIN threads t ON t.id = (c.payload->>'threadId')::uuid`,
    [data.notificationId],
  );
  const row = rows[0];
  if (!row) return { sent: 0 };
  const payload = pushPayload(withheld ? { ...row, silenced: true } : row, deps.appUrl);
  try {
    return { sent: await pushToDevices(deps, await pushTargetsOf(deps.db, deps.push, [row.user_id]), payload) };
  } catch (err) {
    await deps.db.query('UPDATE notifications SET pushed_at = NULL WHERE id = $1', [row.id]).catch(() => undefined);
    throw err;
  }
}
