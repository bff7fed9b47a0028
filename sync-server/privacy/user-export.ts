import { PassThrough, type Readable } from 'node:stream';
import { Zip, ZipDeflate, ZipPassThrough } from 'fflate';
import type { AttachmentStore } from '../attachments/attachment-store.ts';
import type { Queryable } from '../db/database.ts';

/** Format of `data.json`; a reader can tell versions apart. */
export const EXPORT_FORMAT = 'lounge-export/1';

/** Messages are read this many at a time: a member with years of history is not held in memory at once. */
const MESSAGE_PAGE = 1000;

const README = `Your Lounge data

data.json      everything Lounge keeps about you: your account and settings, the rooms you belong to,
               your direct-message conversations, every message you wrote (with earlier versions of
               edited ones, and those you deleted or a moderator hid), your reactions, reports,
               notifications, read positions, blocks and mutes, follows and connections, the threads
               you follow, moderation actions taken about you, and the list of files you uploaded.
files/         the files you uploaded, one folder per file (named by its id in data.json).

Times are ISO 8601 in UTC. Other members appear by their handle only.
`;

/**
 * Everything Lounge holds about one member, as a zip stream (GDPR: the right of access): `data.json`
 * and the files they uploaded. Built piece by piece — messages page by page, files streamed from the
 * attachment store one after another — so a long history never sits in memory whole.
 */
export function userExportZip(db: Queryable, store: AttachmentStore, userId: string, now = new Date()): Readable {
  const out = new PassThrough();
  const zip = new Zip((err, chunk, final) => {
    if (err) out.destroy(err);
    else {
      out.write(chunk);
      if (final) out.end();
    }
  });
  void (async () => {
    const add = (name: string, text: string) => {
      const file = new ZipDeflate(`lounge-export/${name}`, { level: 6 });
      zip.add(file);
      file.push(new TextEncoder().encode(text), true);
    };
    add('README.txt', README);
    const json = new ZipDeflate('lounge-export/data.json', { level: 6 });
    zip.add(json);
    const write = (text: string) => json.push(new TextEncoder().encode(text), false);
    const files = await writeDocument(db, userId, now, write);
    json.push(new Uint8Array(0), true);
    for (const file of files) {
      const object = await store.get(file.storage_key);
      // Bytes already swept (a deleted message's file): data.json still lists it, without bytes.
      if (!object) continue;
      const entry = new ZipPassThrough(`lounge-export/files/${file.id}/${file.filename}`);
      zip.add(entry);
      for await (const chunk of object.stream)
        entry.push(chunk instanceof Uint8Array ? chunk : Buffer.from(chunk), false);
      entry.push(new Uint8Array(0), true);
    }
    zip.end();
  })().catch((err: unknown) => out.destroy(err instanceof Error ? err : new Error(String(err))));
  return out;
}

interface FileRow {
  id: string;
  storage_key: string;
  filename: string;
}

/** Writes data.json as a stream of JSON text; answers the files to add after it. */
async function writeDocument(
  db: Queryable,
  userId: string,
  now: Date,
  write: (text: string) => void,
): Promise<FileRow[]> {
  const all = async (sql: string) => (await db.query<Record<string, unknown>>(sql, [userId])).rows;
  const field = (name: string, value: unknown, last = false) =>
    write(`${JSON.stringify(name)}:${JSON.stringify(value)}${last ? '' : ','}`);

  write('{');
  field('format', EXPORT_FORMAT);
  field('exportedAt', now.toISOString());
  const [account] = await all(
    `SELECT id, handle, display_name AS "displayName", avatar_url AS "avatarUrl", joined_at AS "joinedAt",
            messages_sent AS "messagesSent", is_global_admin AS "isGlobalAdmin"
       FROM users WHERE id = $1`,
  );
  if (!account) throw new Error(`no member ${userId} to export`);
  field('account', account);
  field(
    'settings',
    (
      await all(
        `SELECT dm_permission AS "dmPermission", notify_push AS "notifyPush",
                notify_email_mentions AS "notifyEmailMentions", email_digest AS "emailDigest",
                sms_critical AS "smsCritical", phone_e164 AS "phone", email, ask_me_enabled AS "askMeEnabled",
                updated_at AS "updatedAt"
           FROM user_settings WHERE user_id = $1`,
      )
    )[0] ?? null,
  );
  field(
    'rooms',
    await all(
      `SELECT r.name AS room, r.slug, m.role, m.joined_at AS "joinedAt", m.messages_sent AS "messagesSent",
              m.warnings_count AS "warnings", m.muted_until AS "mutedUntil"
         FROM room_memberships m JOIN rooms r ON r.id = m.room_id WHERE m.user_id = $1 ORDER BY m.joined_at`,
    ),
  );
  field(
    'directMessages',
    await all(
      `SELECT d.id, d.is_group AS "isGroup", d.title, p.joined_at AS "joinedAt", p.left_at AS "leftAt",
              (SELECT coalesce(jsonb_agg(u.handle ORDER BY u.handle), '[]') FROM dm_participants o JOIN users u ON u.id = o.user_id
                WHERE o.dm_thread_id = d.id AND o.user_id <> $1) AS "with"
         FROM dm_participants p JOIN dm_threads d ON d.id = p.dm_thread_id WHERE p.user_id = $1 ORDER BY p.joined_at`,
    ),
  );

  // Messages, page by page (keyset on the author's index).
  write('"messages":[');
  let after: { at: Date; id: string } | null = null;
  let first = true;
  for (;;) {
    const page: Array<Record<string, unknown> & { created_at: Date; id: string }> = (
      await db.query<Record<string, unknown> & { created_at: Date; id: string }>(
        `SELECT m.id, m.created_at,
                CASE WHEN d.id IS NOT NULL THEN 'direct message' WHEN t.id IS NOT NULL THEN 'thread' ELSE 'room' END AS "in",
                coalesce(r.name, t.title, d.title) AS "where", m.channel_id AS "channelId", m.seq, m.body,
                m.attachments AS files, m.reply_to_id AS "replyToId", m.edited_at AS "editedAt",
                m.is_hidden AS hidden, m.hidden_reason AS "hiddenReason", m.is_deleted AS deleted,
                m.deleted_at AS "deletedAt"
           FROM messages m
           LEFT JOIN rooms r ON r.id = m.channel_id
           LEFT JOIN threads t ON t.id = m.channel_id
           LEFT JOIN dm_threads d ON d.id = m.channel_id
          WHERE m.author_id = $1 AND ($2::timestamptz IS NULL OR (m.created_at, m.id) > ($2::timestamptz, $3::uuid))
          ORDER BY m.created_at, m.id LIMIT $4`,
        [userId, after?.at ?? null, after?.id ?? null, MESSAGE_PAGE],
      )
    ).rows;
    for (const { created_at: createdAt, ...row } of page) {
      write(`${first ? '' : ','}${JSON.stringify({ ...row, createdAt })}`);
      first = false;
    }
    const last = page.at(-1);
    if (!last || page.length < MESSAGE_PAGE) break;
    after = { at: last.created_at, id: last.id };
  }
  write('],');

  field(
    'earlierVersionsOfYourMessages',
    await all(
      `SELECT message_id AS "messageId", old_body AS body, edited_at AS "replacedAt"
         FROM message_edits WHERE editor_id = $1 ORDER BY id`,
    ),
  );
  field(
    'reactions',
    await all(
      `SELECT message_id AS "messageId", emoji, created_at AS "createdAt" FROM reactions WHERE user_id = $1 ORDER BY created_at`,
    ),
  );
  field(
    'readPositions',
    await all(
      `SELECT channel_id AS "channelId", last_read_seq AS "lastReadSeq", updated_at AS "updatedAt"
         FROM read_markers WHERE user_id = $1 ORDER BY updated_at`,
    ),
  );
  // Who wrote a mention or a reply is named; a moderator's notice speaks for the room's moderators, as the app
  // says it ("A moderator warned you"): which moderator acted is theirs to keep. A deleted account names nobody.
  field(
    'notifications',
    await all(
      `SELECT n.kind, n.channel_id AS "channelId", n.message_id AS "messageId",
              CASE WHEN n.kind <> 'moderation' AND a.anonymized_at IS NULL THEN a.handle END AS "from", n.payload,
              n.read_at AS "readAt", n.created_at AS "createdAt"
         FROM notifications n LEFT JOIN users a ON a.id = n.actor_id WHERE n.user_id = $1 ORDER BY n.created_at`,
    ),
  );
  field(
    'reportsYouMade',
    await all(
      `SELECT message_id AS "messageId", reason, details, created_at AS "createdAt" FROM reports
        WHERE reporter_id = $1 ORDER BY created_at`,
    ),
  );
  // Who the moderator was is theirs to keep: the action and its reason are about this member.
  field(
    'moderationAboutYou',
    await all(
      `SELECT a.action, a.reason, a.source, r.name AS room, a.message_id AS "messageId", a.created_at AS "createdAt"
         FROM moderation_actions a LEFT JOIN rooms r ON r.id = a.room_id
        WHERE a.target_user_id = $1 ORDER BY a.created_at`,
    ),
  );
  field(
    'blocked',
    await all(
      `SELECT u.handle, b.created_at AS "since" FROM user_blocks b JOIN users u ON u.id = b.blocked_id WHERE b.blocker_id = $1`,
    ),
  );
  field(
    'muted',
    await all(
      `SELECT u.handle, m.created_at AS "since" FROM user_mutes m JOIN users u ON u.id = m.muted_id WHERE m.muter_id = $1`,
    ),
  );
  field(
    'following',
    await all(
      `SELECT u.handle, f.created_at AS "since" FROM user_follows f JOIN users u ON u.id = f.followee_id WHERE f.follower_id = $1`,
    ),
  );
  // Threads they follow, or said they no longer follow (migration 0027).
  field(
    'threadsYouFollow',
    await all(
      `SELECT f.thread_id AS "threadId", t.title, r.name AS room, f.following, f.updated_at AS "since"
         FROM thread_follows f JOIN threads t ON t.id = f.thread_id JOIN rooms r ON r.id = t.room_id
        WHERE f.user_id = $1 ORDER BY f.updated_at`,
    ),
  );
  field(
    'connections',
    await all(
      `SELECT u.handle, c.created_at AS "since" FROM user_connections c
         JOIN users u ON u.id = CASE WHEN c.user_a = $1 THEN c.user_b ELSE c.user_a END
        WHERE c.user_a = $1 OR c.user_b = $1`,
    ),
  );
  field(
    'devices',
    await all(
      `SELECT platform, created_at AS "registeredAt", last_seen_at AS "lastSeenAt" FROM device_tokens WHERE user_id = $1`,
    ),
  );
  field(
    'browsersForPush',
    await all(
      `SELECT endpoint AS "pushService", created_at AS "subscribedAt", last_sent_at AS "lastPushAt"
         FROM push_subscriptions WHERE user_id = $1 ORDER BY created_at`,
    ),
  );
  const files = (
    await db.query<FileRow & Record<string, unknown>>(
      `SELECT id, storage_key, filename, content_type AS type, byte_size AS size, width, height,
              message_id AS "messageId", removed_at IS NOT NULL AS removed, created_at AS "uploadedAt"
         FROM attachments WHERE uploader_id = $1 ORDER BY created_at, id`,
      [userId],
    )
  ).rows;
  field(
    'files',
    files.map(({ storage_key: _key, filename, removed, ...rest }) => ({
      ...rest,
      name: filename,
      inThisExport: removed ? null : `files/${rest.id}/${filename}`,
    })),
    true,
  );
  write('}');
  return files.filter((f) => !f.removed);
}
