import { MENTION_PATTERN } from '../../shared/mentions/mentions.ts';
import { blankOutCode } from '../../shared/moderation/code-spans.ts';
import { LIMITS } from '../../shared/rules/limits.ts';
import type { ChannelChange, ThreadView } from '../../shared/sync/channel-doc.ts';
import type { ChannelAccess } from '../access/channel-access.ts';
import type { Queryable } from '../db/database.ts';
import { appendChange } from '../sync/change-log.ts';
import { loadMessageView } from './message-view.ts';
import { IntentRefusal } from './refusal.ts';

/**
 * Trims and checks a body the way members expect: no empty messages (unless files make the message), at
 * most 4,000 characters.
 */
export function cleanBody(raw: string, options: { allowEmpty?: boolean } = {}): string {
  const body = raw.trim();
  if (body.length === 0 && !options.allowEmpty) throw new IntentRefusal('empty', 'A message needs some text.');
  const chars = [...body].length;
  if (chars > LIMITS.text.messageBodyMaxChars) {
    throw new IntentRefusal(
      'too_long',
      `Messages can be at most ${LIMITS.text.messageBodyMaxChars.toLocaleString('en')} characters; this one has ${chars.toLocaleString('en')}.`,
    );
  }
  return body;
}

/**
 * `@handle`s become user ids of members who can read the channel; an unknown handle, or someone who
 * blocked the author, stays plain text. A handle followed by sentence punctuation (`thanks @grace.`) is
 * looked up both as written and without its trailing dots and dashes, as the client's chips read it
 * (`splitMentions` in shared/mentions).
 */
export async function resolveMentions(
  tx: Queryable,
  access: ChannelAccess,
  authorId: string,
  body: string,
): Promise<string[]> {
  const handles = [
    ...new Set(
      // `@Component` in code is code (the client shows no chip there either): nobody is notified.
      [...blankOutCode(body).matchAll(MENTION_PATTERN)].flatMap((m) => {
        const written = m[2]!.toLowerCase();
        const bare = written.replace(/[.-]+$/, '');
        return bare !== written && bare.length >= 2 ? [written, bare] : [written];
      }),
    ),
  ];
  if (handles.length === 0) return [];
  const { rows } = await tx.query<{ id: string }>(
    `SELECT u.id FROM users u
      WHERE lower(u.handle) = ANY($1::text[]) AND u.id <> $2 AND u.anonymized_at IS NULL
        AND NOT EXISTS (SELECT 1 FROM user_blocks b
                         WHERE (b.blocker_id = u.id AND b.blocked_id = $2) OR (b.blocker_id = $2 AND b.blocked_id = u.id))
        AND CASE
              WHEN $3 = 'dm' THEN EXISTS (SELECT 1 FROM dm_participants p
                                            WHERE p.dm_thread_id = $4 AND p.user_id = u.id AND p.left_at IS NULL)
              WHEN $5 THEN EXISTS (SELECT 1 FROM room_memberships m
                                    WHERE m.room_id = $6 AND m.user_id = u.id AND m.role <> 'banned')
              ELSE NOT EXISTS (SELECT 1 FROM room_memberships m
                                WHERE m.room_id = $6 AND m.user_id = u.id AND m.role = 'banned')
            END
      ORDER BY u.id`,
    [handles.slice(0, 20), authorId, access.kind, access.channelId, access.room.isPrivate, access.roomId],
  );
  return rows.map((r) => r.id);
}

export interface InsertedMessage {
  messageId: string;
  seq: number;
  changes: ChannelChange[];
}

/** Inserts a message with the next seq, updates the counters that lists and trust read, logs the change. */
export async function insertMessage(
  tx: Queryable,
  access: ChannelAccess,
  message: { authorId: string; body: string; replyToId: string | null; mentions: string[]; flagged?: boolean },
): Promise<InsertedMessage> {
  // One statement each for "take the next seq and insert" and for every counter the message moves:
  // the intent transaction is a chain of round trips, and this is the hot path of the product.
  const { rows } = await tx.query<{ id: string; seq: number; created_at: Date }>(
    `WITH next AS (UPDATE channels SET last_seq = last_seq + 1 WHERE id = $1 RETURNING last_seq)
     INSERT INTO messages (channel_id, seq, room_id, author_id, body, reply_to_id, mentions, is_flagged)
     SELECT $1, next.last_seq, $2, $3, $4, $5, $6, $7 FROM next
     RETURNING id, seq, created_at`,
    [
      access.channelId,
      access.roomId,
      message.authorId,
      message.body,
      message.replyToId,
      JSON.stringify(message.mentions),
      message.flagged ?? false,
    ],
  );
  const { id: messageId, seq, created_at: createdAt } = rows[0]!;
  await tx.query(
    `WITH author AS (UPDATE users SET messages_sent = messages_sent + 1 WHERE id = $2),
          membership AS (
            INSERT INTO room_memberships (room_id, user_id, messages_sent, last_posted_at)
            SELECT $3::uuid, $2, 1, $4 WHERE $3::uuid IS NOT NULL
            ON CONFLICT (room_id, user_id) DO UPDATE
              SET messages_sent = room_memberships.messages_sent + 1, last_posted_at = $4, updated_at = now()),
          room AS (UPDATE rooms SET message_count = message_count + 1, last_message_at = $4 WHERE id = $1 AND $6),
          -- The author has read what they just wrote.
          marker AS (
            INSERT INTO read_markers (user_id, channel_id, last_read_seq) VALUES ($2, $1, $5)
            ON CONFLICT (user_id, channel_id) DO UPDATE
              SET last_read_seq = GREATEST(read_markers.last_read_seq, $5), updated_at = now())
     SELECT 1`,
    [access.channelId, message.authorId, access.roomId, createdAt, seq, access.kind === 'room'],
  );
  const changes: ChannelChange[] = [];
  changes.push(
    await appendChange(tx, access.channelId, { kind: 'message', message: await loadMessageView(tx, messageId) }),
  );
  if (access.kind === 'thread' && access.roomId) {
    changes.push(...(await recordThreadActivity(tx, access.roomId, access.channelId, 1, createdAt)));
  }
  return { messageId, seq, changes };
}

/**
 * A thread got `count` more messages, the last written at `at`. Its counters move, and a reply brings an
 * auto-archived thread back to life (only locking closes a thread). The room learns it through the message
 * that leads to the thread: its view carries the thread's activity, so every replica's "3 replies · 2m"
 * under the question changes live. The thread's state is logged on the room only when it changed (it was
 * archived) or when no message of the room leads to the thread: a reply does not rewrite it otherwise.
 */
export async function recordThreadActivity(
  tx: Queryable,
  roomId: string,
  threadId: string,
  count: number,
  at: Date,
): Promise<ChannelChange[]> {
  // The row is locked before it is read, so "was it archived" is the state this update replaces even when
  // the auto-archive job got to the thread first.
  const { rows } = await tx.query<{ parent_message_id: string | null; was_archived: boolean }>(
    `UPDATE threads t SET message_count = t.message_count + $2, last_message_at = $3, archived_at = NULL
       FROM (SELECT id, archived_at FROM threads WHERE id = $1 FOR UPDATE) old
      WHERE t.id = old.id
      RETURNING t.parent_message_id, old.archived_at IS NOT NULL AS was_archived`,
    [threadId, count, at],
  );
  const thread = rows[0];
  if (!thread) throw new Error(`thread ${threadId} vanished inside its own transaction`);
  const changes: ChannelChange[] = [];
  if (thread.was_archived || thread.parent_message_id === null)
    changes.push(await appendThreadChange(tx, roomId, threadId));
  if (thread.parent_message_id !== null) {
    const parent = await loadMessageView(tx, thread.parent_message_id);
    changes.push(await appendChange(tx, parent.channelId, { kind: 'message', message: parent }));
  }
  return changes;
}

/** Logs a thread's current state on its room's channel, so the room's thread list updates live. */
export async function appendThreadChange(tx: Queryable, roomId: string, threadId: string): Promise<ChannelChange> {
  const { rows } = await tx.query<{
    id: string;
    room_id: string;
    title: string;
    parent_message_id: string | null;
    creator_id: string | null;
    is_locked: boolean;
    is_pinned: boolean;
    is_resolved: boolean;
    archived_at: Date | null;
    message_count: number;
    last_message_at: Date | null;
  }>(
    `SELECT id, room_id, title, parent_message_id, creator_id, is_locked, is_pinned, is_resolved, archived_at,
            message_count, last_message_at FROM threads WHERE id = $1`,
    [threadId],
  );
  const t = rows[0]!;
  const thread: ThreadView = {
    id: t.id,
    roomId: t.room_id,
    title: t.title,
    parentMessageId: t.parent_message_id,
    creatorId: t.creator_id,
    locked: t.is_locked,
    pinned: t.is_pinned,
    resolved: t.is_resolved,
    archived: t.archived_at !== null,
    messageCount: t.message_count,
    lastMessageAt: t.last_message_at ? t.last_message_at.toISOString() : null,
  };
  return appendChange(tx, roomId, { kind: 'thread', thread });
}

export interface MessageRef {
  id: string;
  channelId: string;
  authorId: string | null;
  isDeleted: boolean;
}

/** Locks the message row first (edit/hide/delete of one message serialize here, before change_seq). */
export async function lockMessage(tx: Queryable, messageId: string): Promise<MessageRef> {
  const { rows } = await tx.query<{ id: string; channel_id: string; author_id: string | null; is_deleted: boolean }>(
    'SELECT id, channel_id, author_id, is_deleted FROM messages WHERE id = $1 FOR UPDATE',
    [messageId],
  );
  const row = rows[0];
  if (!row) throw new IntentRefusal('not_found', 'That message does not exist (anymore).');
  return { id: row.id, channelId: row.channel_id, authorId: row.author_id, isDeleted: row.is_deleted };
}
