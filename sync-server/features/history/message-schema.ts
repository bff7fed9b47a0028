import { z } from 'zod';
import { ATTACHMENT_TYPES } from '../../../shared/sync/channel-doc.ts';
import { messageViewOf, type MessageRow } from '../../intents/message-view.ts';

/** A file on a message (shared/sync/channel-doc.ts AttachmentView). */
export const apiAttachmentSchema = z.object({
  id: z.uuid(),
  name: z.string(),
  type: z.enum(ATTACHMENT_TYPES),
  size: z.number().int(),
  width: z.number().int().optional(),
  height: z.number().int().optional(),
});

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
  attachments: z
    .array(apiAttachmentSchema)
    .describe('Files on the message (bytes: GET /api/attachments/:id); none when hidden or deleted.'),
  linkPreview: z
    .object({
      url: z.string(),
      title: z.string(),
      description: z.string().nullable(),
      siteName: z.string(),
      image: z
        .object({ id: z.string(), width: z.number().int(), height: z.number().int() })
        .nullable()
        .optional()
        .describe("The page's picture, copied by this server: GET /api/link-images/:id."),
    })
    .nullable()
    .describe("The card of the message's first web address (its page's title and description), or null."),
});
export type ApiMessage = z.infer<typeof apiMessageSchema>;

export { MESSAGE_COLUMNS, type MessageRow } from '../../intents/message-view.ts';

/** A history page's message: the channel doc's view, with hidden words for the room's moderators. */
export const toApiMessage = (row: MessageRow, viewer: { viewerIsModerator: boolean }): ApiMessage =>
  messageViewOf(row, viewer);
