import type { Logger } from 'pino';
import type { Database } from '../../sync-server/db/database.ts';
import { digestEmail, digestHasNews, type Digest } from '../../sync-server/email/digest-email.ts';
import type { EmailSender } from '../../sync-server/email/email-sender.ts';
import type { JobData } from '../job-queue.ts';
import { paths } from '../../shared/app/paths.ts';

export interface DigestDeps {
  db: Database;
  email: EmailSender;
  appUrl: string;
  logger: Logger;
  /** Members per run; the next hourly run continues. */
  batchSize?: number;
}

/** Rooms and threads a digest names at most. */
const ROOMS = 5;
const THREADS = 3;

interface Due {
  user_id: string;
  email: string;
  period: Digest['period'];
  since: Date | null;
}

/**
 * Sends the daily and weekly digests that are due. Each member's turn is claimed (`last_digest_at`) in
 * the statement that finds it, so a digest goes once per period however many workers run this; a first
 * turn only starts the clock. A send that fails gives the turn back (the next run tries again); the job
 * fails after the others were sent, so the queue retries it too.
 */
export async function emailDigests(deps: DigestDeps, _data: JobData<'email-digests'>): Promise<{ sent: number }> {
  const { rows: due } = await deps.db.query<Due>(
    `WITH due AS (
       SELECT s.user_id, s.last_digest_at FROM user_settings s JOIN users u ON u.id = s.user_id
        WHERE u.anonymized_at IS NULL AND s.email IS NOT NULL AND s.email_digest <> 'off'
          AND (s.last_digest_at IS NULL
               OR s.last_digest_at <= now() - CASE s.email_digest WHEN 'daily' THEN interval '1 day' ELSE interval '7 days' END)
        ORDER BY s.last_digest_at NULLS FIRST
        LIMIT $1
        FOR UPDATE OF s SKIP LOCKED)
     UPDATE user_settings s SET last_digest_at = now() FROM due WHERE s.user_id = due.user_id
     RETURNING s.user_id, s.email, s.email_digest AS period, due.last_digest_at AS since`,
    [deps.batchSize ?? 200],
  );
  let sent = 0;
  let failed: unknown;
  for (const member of due) {
    if (!member.since) continue;
    try {
      const digest = await readDigest(deps, member.user_id, member.period, member.since);
      if (!digestHasNews(digest)) continue;
      await deps.email.send(digestEmail(member.email, digest, deps.appUrl));
      sent++;
    } catch (err) {
      failed = err;
      await deps.db
        .query('UPDATE user_settings SET last_digest_at = $2 WHERE user_id = $1', [member.user_id, member.since])
        .catch(() => undefined);
      deps.logger.warn({ err, userId: member.user_id }, 'a digest could not be sent; it is tried again');
    }
  }
  if (sent > 0) deps.logger.info({ sent }, 'email digests sent');
  if (failed) throw failed;
  return { sent };
}

async function readDigest(deps: DigestDeps, userId: string, period: Digest['period'], since: Date): Promise<Digest> {
  const [unread, rooms] = await Promise.all([
    deps.db.query<{ n: string | number }>(
      `SELECT count(*) AS n FROM notifications
        WHERE user_id = $1 AND read_at IS NULL AND kind IN ('mention', 'reply', 'message_reply') AND created_at > $2`,
      [userId, since],
    ),
    deps.db.query<{
      name: string;
      slug: string;
      room_type: 'lounge' | 'circle';
      messages: string | number;
      threads: Array<{ id: string; title: string; replies: number }> | null;
    }>(
      `SELECT r.name, r.slug, r.room_type, a.messages,
              (SELECT jsonb_agg(x) FROM (
                 SELECT t.id, t.title, t.message_count AS replies FROM threads t
                  WHERE t.room_id = r.id AND t.created_at > $2
                  ORDER BY t.message_count DESC, t.created_at DESC LIMIT $3) x) AS threads
         FROM rooms r LEFT JOIN room_memberships m ON m.room_id = r.id AND m.user_id = $1
         CROSS JOIN LATERAL (SELECT count(*) AS messages FROM messages x
                              WHERE x.room_id = r.id AND x.created_at > $2 AND x.author_id IS DISTINCT FROM $1
                                AND NOT x.is_hidden AND NOT x.is_deleted) a
        WHERE r.room_type IN ('lounge', 'circle') AND a.messages > 0
          AND (m.role IS NOT NULL AND m.role <> 'banned'
               -- Many read a public room without ever posting (which is what makes one a member): a
               -- room they opened (it has their read marker) is theirs to hear about too.
               OR (m.role IS NULL AND r.room_type = 'lounge' AND NOT r.is_private AND r.read_permission_level = 'everyone'
                   AND EXISTS (SELECT 1 FROM read_markers k WHERE k.user_id = $1 AND k.channel_id = r.id)))
        ORDER BY a.messages DESC, r.name
        LIMIT $4`,
      [userId, since, THREADS, ROOMS],
    ),
  ]);
  return {
    period,
    unread: Number(unread.rows[0]?.n ?? 0),
    rooms: rooms.rows.map((room) => {
      const circle = room.room_type === 'circle';
      return {
        name: room.name,
        url: `${deps.appUrl}${circle ? paths.circle(room.slug) : paths.room(room.slug)}`,
        messages: Number(room.messages),
        threads: (room.threads ?? []).map((t) => ({
          title: t.title,
          url: `${deps.appUrl}${circle ? paths.circleThread(room.slug, t.id) : paths.thread(room.slug, t.id)}`,
          replies: t.replies,
        })),
      };
    }),
  };
}
