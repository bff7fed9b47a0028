import { z } from 'zod';
import { visibleBody } from '../../intents/message-view.ts';

export const apiMessageSchema = z.object({
  id: z.uuid(),
  channelId: z.uuid(),
  seq: z.number().int(),
  authorId: z.uuid().nullable(),
  body: z.string(),
  type: z.enum(['text', 'image', 'file', 'embed', 'system', 'deleted']),
  replyToId: z.uuid().nullable(),
  edited: z.boolean(),
  hidden: z.boolean(),
  hiddenReason: z.string().nullable(),
  deleted: z.boolean(),
  pinned: z.boolean(),
  createdAt: z.string(),
  editedAt: z.string().nullable(),
  mentions: z.array(z.uuid()).describe('Ids of the members the words mention (empty when hidden or deleted).'),
  reactions: z
    .record(z.string(), z.array(z.uuid()))
    .describe('Emoji → ids of the members who reacted with it, in the order they did.'),
  threadId: z.uuid().nullable().describe('The thread this message leads to, if any.'),
  threadReplies: z.number().int().describe('How many messages that thread holds.'),
  threadLastReplyAt: z.string().nullable().describe('When the last of them was written.'),
});
export type ApiMessage = z.infer<typeof apiMessageSchema>;

/**
 * A history page shows what a channel doc shows: reactions and the thread a message leads to (with its
 * activity) included, so a question scrolled back to still opens its thread. Written as subqueries on
 * `messages`, they run only for the rows of the page (after its ORDER BY … LIMIT), each one index probe.
 */
export const MESSAGE_COLUMNS = `id, channel_id, seq, author_id, body, message_type, reply_to_id, is_edited, is_hidden,
  hidden_reason, is_deleted, is_pinned, created_at, edited_at, mentions,
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
  message_type: ApiMessage['type'];
  reply_to_id: string | null;
  is_edited: boolean;
  is_hidden: boolean;
  hidden_reason: string | null;
  is_deleted: boolean;
  is_pinned: boolean;
  created_at: Date;
  edited_at: Date | null;
  mentions: string[];
  /** jsonb: timestamps come back as ISO strings. */
  thread: { id: string; replies: number; lastAt: string | null } | null;
  reactions: Record<string, string[]> | null;
}

/**
 * A hidden or deleted message keeps its place in the conversation but not its words: only moderators
 * see a hidden body, and nobody sees a deleted one.
 */
export function toApiMessage(row: MessageRow, viewer: { viewerIsModerator: boolean }): ApiMessage {
  const body = visibleBody(row, viewer.viewerIsModerator);
  const silenced = row.is_hidden || row.is_deleted;
  return {
    id: row.id,
    channelId: row.channel_id,
    seq: row.seq,
    authorId: row.author_id,
    body,
    type: row.is_deleted ? 'deleted' : row.message_type,
    replyToId: row.reply_to_id,
    edited: row.is_edited,
    hidden: row.is_hidden,
    hiddenReason: row.is_hidden ? row.hidden_reason : null,
    deleted: row.is_deleted,
    pinned: row.is_pinned,
    createdAt: row.created_at.toISOString(),
    editedAt: row.edited_at ? row.edited_at.toISOString() : null,
    // As in channel docs: a hidden or deleted message keeps its thread but not its mentions or reactions.
    mentions: silenced ? [] : row.mentions,
    reactions: silenced ? {} : (row.reactions ?? {}),
    threadId: row.thread?.id ?? null,
    threadReplies: row.thread?.replies ?? 0,
    threadLastReplyAt: row.thread?.replies && row.thread.lastAt ? new Date(row.thread.lastAt).toISOString() : null,
  };
}
