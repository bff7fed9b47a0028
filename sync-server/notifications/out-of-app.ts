import type { JobQueue } from '../../workers/job-queue.ts';
import type { Config } from '../config.ts';
import type { NewNotification } from '../sync/sync-service.ts';

/** The moderation notices that count as critical (texted to who opted in): they change what a member can do. */
export const SMS_ACTIONS = ['ban', 'mute'] as const;

/**
 * Which new notifications leave the app, and when: every one by push at once (to the browsers the
 * member subscribed and the app devices they registered); mentions and replies by email after a few minutes'
 * grace (read in the app by then, no email; one pending job per member gathers what comes meanwhile into
 * one email), bans and mutes by SMS at once. Undefined when the server sends neither.
 */
export function outOfAppDelivery(
  config: Pick<Config, 'email' | 'sms'>,
  queue: JobQueue,
  /** The server pushes: Web Push keys, or a Firebase account for app devices. */
  push = false,
): ((notifications: NewNotification[]) => Promise<void>) | undefined {
  const { email, sms } = config;
  if (!email && !sms && !push) return undefined;
  return async (notifications) => {
    // Push at once: it is the member's own devices, and reading it in the app settles it anyway.
    if (push)
      for (const n of notifications)
        await queue.enqueue('push-notification', { notificationId: n.id }, { jobId: `push:${n.id}` });
    if (email) {
      const members = new Set(notifications.filter((n) => n.notification.kind !== 'moderation').map((n) => n.userId));
      for (const userId of members)
        await queue.enqueue(
          'email-notifications',
          { userId },
          { jobId: `email:${userId}`, delayMs: email.delaySeconds * 1000 },
        );
    }
    if (sms) {
      for (const n of notifications) {
        const critical =
          n.notification.kind === 'moderation' && (SMS_ACTIONS as readonly string[]).includes(n.notification.action);
        if (critical) await queue.enqueue('sms-alert', { notificationId: n.id }, { jobId: `sms:${n.id}` });
      }
    }
  };
}
