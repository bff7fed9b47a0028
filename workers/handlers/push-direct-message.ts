import type { Logger } from 'pino';
import type { Database } from '../../sync-server/db/database.ts';
import { DELETED_USER_NAME } from '../../sync-server/features/users/public-user.ts';
import type { PushPayload } from '../../sync-server/push/web-push-sender.ts';
import type { JobData } from '../job-queue.ts';
import { messageExcerpt } from '../../shared/markdown/message-markdown.ts';
import { pushTargetsOf, pushToDevices, type PushChannels } from '../../sync-server/push/push-to-devices.ts';
import { awaitingModeration, type Layer2Gate } from './layer2-gate.ts';
import { paths } from '../../shared/app/paths.ts';

export interface PushDirectMessageDeps {
  db: Database;
  push: PushChannels;
  /** Present when Layer 2 is on: the push waits for the message's verdict. */
  layer2?: Layer2Gate | undefined;
  appUrl: string;
  logger: Logger;
}

const EXCERPT_CHARS = 140;

/**
 * Pushes a new direct message to the other participants' browsers and app devices (spec: DMs always, if push is on):
 * not to who left, muted or blocked the author (or was blocked), turned push off, or already read it.
 * One notification per conversation on a device (its tag): a newer message replaces the older one.
 * Scheduled once per message (the send's job id); a subscription the service says is gone is forgotten.
 */
export async function pushDirectMessage(
  deps: PushDirectMessageDeps,
  data: JobData<'push-direct-message'>,
): Promise<{ sent: number }> {
  const { rows } = await deps.db.query<{
    channel_id: string;
    seq: string | number;
    author_id: string | null;
    author_name: string | null;
    author_deleted: boolean;
    body: string;
    files: Array<{ name: string }>;
    silenced: boolean;
    unjudged: boolean;
    is_group: boolean;
    title: string | null;
  }>(
    `SELECT m.channel_id, m.seq, m.author_id, a.display_name AS author_name, a.anonymized_at IS NOT NULL AS author_deleted,
            m.body, m.attachments AS files, (m.is_hidden OR m.is_deleted) AS silenced,
            m.ai_checked_at IS NULL AS unjudged, d.is_group, d.title
       FROM messages m JOIN dm_threads d ON d.id = m.channel_id LEFT JOIN users a ON a.id = m.author_id
      WHERE m.id = $1`,
    [data.messageId],
  );
  const message = rows[0];
  if (!message || message.silenced) return { sent: 0 };
  // Layer 2 first: a message it hides must not reach a lock screen. Down or slow past the last attempt,
  // the push goes without the words.
  const withheld = deps.layer2 !== undefined && message.unjudged;
  if (withheld && !deps.layer2!.lastAttempt) throw awaitingModeration();
  const { rows: recipients } = await deps.db.query<{ user_id: string }>(
    `SELECT p.user_id
       FROM dm_participants p
      WHERE p.dm_thread_id = $1 AND p.left_at IS NULL AND p.user_id IS DISTINCT FROM $2
        AND NOT EXISTS (SELECT 1 FROM user_settings s WHERE s.user_id = p.user_id AND NOT s.notify_push)
        AND NOT EXISTS (SELECT 1 FROM user_mutes x WHERE x.muter_id = p.user_id AND x.muted_id = $2)
        AND NOT EXISTS (SELECT 1 FROM user_blocks b WHERE (b.blocker_id = p.user_id AND b.blocked_id = $2)
                                                     OR (b.blocker_id = $2 AND b.blocked_id = p.user_id))
        AND NOT EXISTS (SELECT 1 FROM read_markers r WHERE r.user_id = p.user_id AND r.channel_id = $1 AND r.last_read_seq >= $3)
        AND NOT EXISTS (SELECT 1 FROM users u WHERE u.id = p.user_id AND u.anonymized_at IS NOT NULL)`,
    [message.channel_id, message.author_id, message.seq],
  );
  if (recipients.length === 0) return { sent: 0 };
  const targets = await pushTargetsOf(
    deps.db,
    deps.push,
    recipients.map((r) => r.user_id),
  );
  if (targets.browsers.length === 0 && targets.devices.length === 0) return { sent: 0 };
  const author = message.author_deleted ? DELETED_USER_NAME : (message.author_name ?? 'Someone');
  const text = withheld ? '' : messageExcerpt(message.body, EXCERPT_CHARS);
  const payload: PushPayload = {
    title: message.is_group ? `${author} in ${message.title ?? 'your group'}` : author,
    body:
      text ||
      (message.files.length > 0 && !withheld ? `Shared ${message.files.map((f) => f.name).join(', ')}` : 'New message'),
    url: `${deps.appUrl}${paths.conversation(message.channel_id)}`,
    tag: `dm-${message.channel_id}`,
  };
  // Nothing reached anyone: it throws and the job retries (a device that got it keeps one notification by its tag).
  return { sent: await pushToDevices(deps, targets, payload) };
}
