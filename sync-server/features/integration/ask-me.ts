import { LIMITS } from '../../../shared/rules/limits.ts';
import type { ChannelChange } from '../../../shared/sync/channel-doc.ts';
import type { Queryable } from '../../db/database.ts';
import { conflict } from '../../http/errors.ts';
import { appendThreadChange } from '../../intents/message-writes.ts';
import { logRoomMeta, ROOM_SETTINGS_COLUMNS, type RoomSettingsRow } from '../rooms-admin/room-settings.ts';
import { contextLoungeId, lockHostRecord } from './host-records.ts';

const fitTitle = (title: string) => [...title].slice(0, LIMITS.text.threadTitleMaxChars).join('');

/**
 * Turns a member's profile "Ask me" chat on or off — from the host platform (the integration API) or from
 * the member's own Settings, with one result. On: their "Ask me" thread (in the Ask me room, outside The
 * Lounge's list) is created or reopened and the profile widget resolves to it. Off: the thread is locked
 * (its history stays readable) and the widget no longer resolves. Runs in the caller's transaction; the
 * caller publishes the changes after the commit.
 */
export async function switchAskMe(
  tx: Queryable,
  user: { id: string; hostUserId: string; displayName: string; deleted: boolean },
  enabled: boolean,
): Promise<{ threadId: string | null; changes: ChannelChange[] }> {
  await lockHostRecord(tx, 'ask_me', user.hostUserId);
  if (user.deleted && enabled) throw conflict('This member deleted their account.', 'user_deleted');
  await tx.query(
    `INSERT INTO user_settings (user_id, ask_me_enabled) VALUES ($1, $2)
     ON CONFLICT (user_id) DO UPDATE SET ask_me_enabled = $2, updated_at = now()
      WHERE user_settings.ask_me_enabled <> $2`,
    [user.id, enabled],
  );
  const existing = await tx.query<{ id: string; room_id: string; is_locked: boolean }>(
    `SELECT id, room_id, is_locked FROM threads WHERE host_context_type = 'ask_me' AND host_context_id = $1 FOR UPDATE`,
    [user.hostUserId],
  );
  const thread = existing.rows[0];
  const changes: ChannelChange[] = [];
  if (thread) {
    // Locked while off: nobody adds questions, the history stays readable.
    if (thread.is_locked === enabled) {
      await tx.query('UPDATE threads SET is_locked = $2, updated_at = now() WHERE id = $1', [thread.id, !enabled]);
      changes.push(await appendThreadChange(tx, thread.room_id, thread.id));
    }
    return { threadId: thread.id, changes };
  }
  if (!enabled) return { threadId: null, changes };
  const room = await askMeRoom(tx, changes);
  const channel = await tx.query<{ id: string }>(`INSERT INTO channels (kind) VALUES ('thread') RETURNING id`);
  const threadId = channel.rows[0]!.id;
  await tx.query(
    `INSERT INTO threads (id, room_id, title, creator_id, host_context_type, host_context_id)
     VALUES ($1, $2, $3, $4, 'ask_me', $5)`,
    [threadId, room, fitTitle(`Ask ${user.displayName}`), user.id, user.hostUserId],
  );
  changes.push(await appendThreadChange(tx, room, threadId));
  return { threadId, changes };
}

/** The room holding every member's "Ask me" thread, created on first use. */
async function askMeRoom(tx: Queryable, changes: ChannelChange[]): Promise<string> {
  const loungeId = await contextLoungeId(tx);
  await tx.query('SELECT pg_advisory_xact_lock(7420010, hashtext($1))', ['room:ask-me']);
  const found = await tx.query<{ id: string }>(`SELECT id FROM rooms WHERE lounge_id = $1 AND slug = 'ask-me'`, [
    loungeId,
  ]);
  if (found.rows[0]) return found.rows[0].id;
  const channel = await tx.query<{ id: string }>(`INSERT INTO channels (kind) VALUES ('room') RETURNING id`);
  const { rows } = await tx.query<RoomSettingsRow>(
    `INSERT INTO rooms (id, lounge_id, room_type, slug, name, description, emoji, context_type)
     VALUES ($1, $2, 'lounge', 'ask-me', 'Ask me', 'Questions to members who opened "Ask me" on their profile.', '🙋', 'help')
     RETURNING ${ROOM_SETTINGS_COLUMNS}`,
    [channel.rows[0]!.id, loungeId],
  );
  changes.push(...(await logRoomMeta(tx, null, rows[0]!)));
  return rows[0]!.id;
}
