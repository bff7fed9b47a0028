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
});
export type ApiMessage = z.infer<typeof apiMessageSchema>;

export const MESSAGE_COLUMNS = `id, channel_id, seq, author_id, body, message_type, reply_to_id, is_edited, is_hidden,
  hidden_reason, is_deleted, is_pinned, created_at`;

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
}

/**
 * A hidden or deleted message keeps its place in the conversation but not its words: only moderators
 * see a hidden body, and nobody sees a deleted one.
 */
export function toApiMessage(row: MessageRow, viewer: { viewerIsModerator: boolean }): ApiMessage {
  const body = visibleBody(row, viewer.viewerIsModerator);
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
  };
}
