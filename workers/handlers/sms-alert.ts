import type { Logger } from 'pino';
import type { Database } from '../../sync-server/db/database.ts';
import type { SmsSender } from '../../sync-server/sms/sms-sender.ts';
import type { JobData } from '../job-queue.ts';
import { SMS_ACTIONS } from '../../sync-server/notifications/out-of-app.ts';

export interface SmsAlertDeps {
  db: Database;
  sms: SmsSender;
  logger: Logger;
}

const untilFormat = new Intl.DateTimeFormat('en-GB', {
  dateStyle: 'medium',
  timeStyle: 'short',
  timeZone: 'UTC',
});

/** The text of a critical alert: short (one SMS segment when the reason is), plain, and signed. */
export function smsText(notice: { action: string; room: string; reason: string; until: number | null }): string {
  const what =
    notice.action === 'ban'
      ? `a moderator banned you from ${notice.room}`
      : `a moderator muted you in ${notice.room}${notice.until ? ` until ${untilFormat.format(new Date(notice.until))} UTC` : ''}`;
  const reason = notice.reason.trim() ? ` Reason: ${notice.reason.trim()}` : '';
  return `Lounge: ${what}.${reason}`.slice(0, 320);
}

/**
 * Texts a member a critical moderation notice (a ban or mute of theirs), when they opted in to SMS
 * alerts and gave a number. Claimed (`texted_at`) before sending, so it is never sent twice; a refused
 * send gives the claim back and throws, so the queue retries.
 */
export async function smsAlert(deps: SmsAlertDeps, data: JobData<'sms-alert'>): Promise<{ sent: boolean }> {
  const { rows } = await deps.db.query<{
    id: string;
    phone: string;
    action: string;
    reason: string | null;
    until: number | null;
    room: string | null;
  }>(
    `WITH claimed AS (
       UPDATE notifications n SET texted_at = now()
         FROM user_settings s, users u
        WHERE n.id = $1 AND n.kind = 'moderation' AND n.texted_at IS NULL
          AND n.payload->>'action' = ANY($2::text[])
          AND s.user_id = n.user_id AND s.sms_critical AND s.phone_e164 IS NOT NULL
          AND u.id = n.user_id AND u.anonymized_at IS NULL
       RETURNING n.id, s.phone_e164, n.payload)
     SELECT c.id, c.phone_e164 AS phone, c.payload->>'action' AS action, c.payload->>'reason' AS reason,
            (c.payload->>'until')::bigint AS until, r.name AS room
       FROM claimed c LEFT JOIN rooms r ON r.id = (c.payload->>'roomId')::uuid`,
    [data.notificationId, SMS_ACTIONS],
  );
  const notice = rows[0];
  if (!notice) return { sent: false };
  try {
    await deps.sms.send({
      to: notice.phone,
      body: smsText({
        action: notice.action,
        room: notice.room ?? 'a room',
        reason: notice.reason ?? '',
        until: notice.until === null ? null : Number(notice.until),
      }),
    });
  } catch (err) {
    await deps.db.query('UPDATE notifications SET texted_at = NULL WHERE id = $1', [notice.id]).catch(() => undefined);
    throw err;
  }
  deps.logger.info({ notificationId: notice.id }, 'critical alert texted');
  return { sent: true };
}
