import type { MessageView } from '../../shared/sync/channel-doc.ts';
import type { Queryable } from '../db/database.ts';

interface ViewRow {
  id: string;
  channel_id: string;
  seq: number;
  author_id: string | null;
  body: string;
  message_type: MessageView['type'];
  reply_to_id: string | null;
  thread_id: string | null;
  thread_replies: number | null;
  thread_last_reply_at: Date | null;
  mentions: string[];
  is_edited: boolean;
  edited_at: Date | null;
  is_hidden: boolean;
  hidden_reason: string | null;
  is_deleted: boolean;
  is_pinned: boolean;
  created_at: Date;
  reactions: Record<string, string[]>;
}

const VIEW_SQL = `
  SELECT m.id, m.channel_id, m.seq, m.author_id, m.body, m.message_type, m.reply_to_id, m.mentions,
         m.is_edited, m.edited_at, m.is_hidden, m.hidden_reason, m.is_deleted, m.is_pinned, m.created_at,
         t.id AS thread_id, t.message_count AS thread_replies, t.last_message_at AS thread_last_reply_at,
         COALESCE((SELECT jsonb_object_agg(x.emoji, x.users)
                     FROM (SELECT emoji, jsonb_agg(user_id::text ORDER BY created_at, user_id) AS users
                             FROM reactions WHERE message_id = m.id GROUP BY emoji) x), '{}'::jsonb) AS reactions
    FROM messages m
    LEFT JOIN threads t ON t.parent_message_id = m.id
   WHERE m.id = $1`;

/**
 * The words a reader may see: nobody reads a deleted message's, and only moderators a hidden one's.
 * Channel docs carry the public view (no moderator), REST answers per viewer.
 */
export function visibleBody(
  message: { body: string; is_hidden: boolean; is_deleted: boolean },
  viewerIsModerator: boolean,
): string {
  if (message.is_deleted) return '';
  return message.is_hidden && !viewerIsModerator ? '' : message.body;
}

/**
 * The public view of a message as it goes into channel docs and change payloads: a hidden or deleted
 * message keeps its place but not its words, so the body never reaches a replica that must not hold it.
 */
export async function loadMessageView(tx: Queryable, messageId: string): Promise<MessageView> {
  const { rows } = await tx.query<ViewRow>(VIEW_SQL, [messageId]);
  const row = rows[0];
  if (!row) throw new Error(`message ${messageId} vanished inside its own transaction`);
  const silenced = row.is_hidden || row.is_deleted;
  return {
    id: row.id,
    channelId: row.channel_id,
    seq: row.seq,
    authorId: row.author_id,
    body: visibleBody(row, false),
    type: row.is_deleted ? 'deleted' : row.message_type,
    replyToId: row.reply_to_id,
    threadId: row.thread_id,
    mentions: silenced ? [] : row.mentions,
    edited: row.is_edited,
    hidden: row.is_hidden,
    hiddenReason: row.is_hidden ? row.hidden_reason : null,
    deleted: row.is_deleted,
    pinned: row.is_pinned,
    createdAt: row.created_at.toISOString(),
    editedAt: row.edited_at ? row.edited_at.toISOString() : null,
    reactions: silenced ? {} : row.reactions,
    // Activity stays on a hidden or deleted message: its thread lives on, and the room still leads to it.
    threadReplies: row.thread_replies ?? 0,
    // A help room's question thread starts with its creation time as its activity, but no reply yet.
    threadLastReplyAt: row.thread_replies && row.thread_last_reply_at ? row.thread_last_reply_at.toISOString() : null,
  };
}
