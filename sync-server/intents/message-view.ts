import type { AttachmentView, LinkPreview, MessageView } from '../../shared/sync/channel-doc.ts';
import type { Queryable } from '../db/database.ts';

/**
 * The columns a message's view is read from, over `messages` (no alias): reactions and the thread the
 * message leads to (with its activity) as subqueries, which run only for the rows a query returns (after
 * its ORDER BY … LIMIT), each one index probe. Channel docs (`loadMessageView`) and history pages read the
 * same, so a page scrolled back to shows exactly what a doc shows.
 */
export const MESSAGE_COLUMNS = `id, channel_id, seq, author_id, body, message_type, reply_to_id, is_edited, is_hidden,
  hidden_reason, is_deleted, is_pinned, created_at, edited_at, mentions, attachments, link_preview,
  (SELECT jsonb_build_object('id', t.id, 'replies', t.message_count, 'lastAt', t.last_message_at)
     FROM threads t WHERE t.parent_message_id = messages.id) AS thread,
  (SELECT jsonb_object_agg(x.emoji, x.users)
     FROM (SELECT emoji, jsonb_agg(user_id ORDER BY created_at, user_id) AS users
             FROM reactions WHERE message_id = messages.id GROUP BY emoji) x) AS reactions`;

export interface MessageRow {
  id: string;
  channel_id: string;
  seq: number;
  author_id: string | null;
  body: string;
  message_type: MessageView['type'];
  reply_to_id: string | null;
  is_edited: boolean;
  is_hidden: boolean;
  hidden_reason: string | null;
  is_deleted: boolean;
  is_pinned: boolean;
  created_at: Date;
  edited_at: Date | null;
  mentions: string[];
  attachments: AttachmentView[];
  link_preview: LinkPreview | null;
  /** jsonb: timestamps come back as ISO strings. */
  thread: { id: string; replies: number; lastAt: string | null } | null;
  reactions: Record<string, string[]> | null;
}

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
 * A message as a reader sees it: a hidden or deleted message keeps its place but not its words, mentions,
 * files or reactions; it keeps its thread (the thread lives on, and the room still leads to it).
 */
export function messageViewOf(row: MessageRow, viewer: { viewerIsModerator: boolean }): MessageView {
  const silenced = row.is_hidden || row.is_deleted;
  return {
    id: row.id,
    channelId: row.channel_id,
    seq: row.seq,
    authorId: row.author_id,
    body: visibleBody(row, viewer.viewerIsModerator),
    type: row.is_deleted ? 'deleted' : row.message_type,
    replyToId: row.reply_to_id,
    threadId: row.thread?.id ?? null,
    mentions: silenced ? [] : row.mentions,
    edited: row.is_edited,
    hidden: row.is_hidden,
    hiddenReason: row.is_hidden ? row.hidden_reason : null,
    deleted: row.is_deleted,
    pinned: row.is_pinned,
    createdAt: row.created_at.toISOString(),
    editedAt: row.edited_at ? row.edited_at.toISOString() : null,
    reactions: silenced ? {} : (row.reactions ?? {}),
    threadReplies: row.thread?.replies ?? 0,
    // A help room's question thread starts with its creation time as its activity, but no reply yet.
    threadLastReplyAt: row.thread?.replies && row.thread.lastAt ? new Date(row.thread.lastAt).toISOString() : null,
    // Files go with the words: a hidden message's reach its room's moderators only, a deleted one's nobody.
    attachments: row.is_deleted || (row.is_hidden && !viewer.viewerIsModerator) ? [] : row.attachments,
    linkPreview: silenced ? null : (row.link_preview ?? null),
  };
}

/**
 * The public view of a message as it goes into channel docs and change payloads, so the body never
 * reaches a replica that must not hold it.
 */
export async function loadMessageView(tx: Queryable, messageId: string): Promise<MessageView> {
  const { rows } = await tx.query<MessageRow>(`SELECT ${MESSAGE_COLUMNS} FROM messages WHERE id = $1`, [messageId]);
  const row = rows[0];
  if (!row) throw new Error(`message ${messageId} vanished inside its own transaction`);
  return messageViewOf(row, { viewerIsModerator: false });
}
