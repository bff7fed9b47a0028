import * as Y from 'yjs';
import { segmentOf } from './segments.ts';

/**
 * Layout of server-owned channel docs and the one function that writes them. Every sync node and the
 * snapshot worker apply the same changes in change_seq order with the same Yjs client id, so they all
 * produce identical Yjs items: a client that reconnects to another node sees no duplicate history.
 */
export const SERVER_CLIENT_ID = 1;

export type MessageType = 'text' | 'image' | 'file' | 'embed' | 'system' | 'deleted';

/** The public view of a message as every reader of the channel sees it. */
export interface MessageView {
  id: string;
  channelId: string;
  seq: number;
  authorId: string | null;
  body: string;
  type: MessageType;
  replyToId: string | null;
  threadId: string | null;
  mentions: string[];
  edited: boolean;
  hidden: boolean;
  hiddenReason: string | null;
  deleted: boolean;
  pinned: boolean;
  createdAt: string;
  editedAt: string | null;
  /** emoji -> ids of the members who reacted with it. */
  reactions: Record<string, string[]>;
  /** A message with a thread: how many messages the thread holds, so the room shows its activity live. */
  threadReplies: number;
  /** …and when the last of them was written (ISO), or null before the first. */
  threadLastReplyAt: string | null;
  /** Files shared with the message (none once it is hidden or deleted). */
  attachments: AttachmentView[];
  /** The card of the first web address in the message (filled shortly after it is sent), or null. */
  linkPreview: LinkPreview | null;
}

/** What a linked page says about itself (its Open Graph tags or its title), as text. */
export interface LinkPreview {
  /** The address as the message has it. */
  url: string;
  title: string;
  description: string | null;
  /** The site's own name (`og:site_name`), or its host name. */
  siteName: string;
  /**
   * The page's picture (`og:image`), as a copy this server made: readers load it from
   * `GET /api/link-images/:id`, never from the site. Absent or null when the page names none or it could
   * not be copied.
   */
  image?: LinkPreviewImage | null;
}

/** A link preview's picture: its id (content hash and type) and its size, so a card reserves its box. */
export interface LinkPreviewImage {
  id: string;
  width: number;
  height: number;
}

/**
 * A file on a message as every replica knows it: enough to lay it out (an image's size reserves its box
 * before the bytes arrive) and to name it; the bytes come from `GET /api/attachments/:id`, which checks
 * that the reader may read the message.
 */
export interface AttachmentView {
  id: string;
  /** The file name the member gave it. */
  name: string;
  /** The type the server found in its bytes (never the one the uploader claimed). */
  type: AttachmentType;
  /** Bytes. */
  size: number;
  /** Pixels, for images. */
  width?: number;
  height?: number;
}

/** What Lounge accepts: images it can show, PDFs, and plain text (logs, code, notes) served as text. */
export const ATTACHMENT_TYPES = [
  'image/png',
  'image/jpeg',
  'image/gif',
  'image/webp',
  'application/pdf',
  'text/plain',
] as const;
export type AttachmentType = (typeof ATTACHMENT_TYPES)[number];

export const isImageType = (type: AttachmentType): boolean => type.startsWith('image/');

/**
 * A message as a segment doc stores it, under its id: the view without the id (the key is the id), without
 * its channel (the doc's name says it) and without the fields that hold their usual value; the time is
 * epoch milliseconds (9 bytes instead of a 25-byte ISO string). Every subscriber of a room receives,
 * decodes and keeps each message, so a plain chat line travels as its seq, author, words and time; an
 * edited, hidden, pinned or reacted-to message carries those fields too. Readers always get the full view
 * back (`messageFromDoc`); values written before — with their channel, an ISO time, or every field — read
 * the same.
 */
export type StoredMessage = Pick<MessageView, 'seq' | 'authorId' | 'body'> &
  Partial<Omit<MessageView, 'createdAt'>> & { createdAt: string | number };

const MESSAGE_DEFAULTS = {
  type: 'text',
  replyToId: null,
  threadId: null,
  mentions: [],
  edited: false,
  hidden: false,
  hiddenReason: null,
  deleted: false,
  pinned: false,
  editedAt: null,
  reactions: {},
  threadReplies: 0,
  threadLastReplyAt: null,
  attachments: [],
  linkPreview: null,
} as const satisfies Omit<
  MessageView,
  keyof Pick<MessageView, 'id' | 'channelId' | 'seq' | 'authorId' | 'body' | 'createdAt'>
>;

function isDefault(key: keyof typeof MESSAGE_DEFAULTS, value: unknown): boolean {
  const usual: unknown = MESSAGE_DEFAULTS[key];
  if (Array.isArray(usual)) return Array.isArray(value) && value.length === 0;
  if (usual !== null && typeof usual === 'object')
    return value !== null && typeof value === 'object' && Object.keys(value).length === 0;
  return value === usual;
}

/** The time as stored: epoch ms when that reads back as the very same ISO string, else the string. */
function storedTime(iso: string): string | number {
  const ms = Date.parse(iso);
  return Number.isFinite(ms) && new Date(ms).toISOString() === iso ? ms : iso;
}

export function messageToDoc(view: MessageView): StoredMessage {
  const stored: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(view)) {
    if (key === 'id' || key === 'channelId') continue;
    if (key in MESSAGE_DEFAULTS && isDefault(key as keyof typeof MESSAGE_DEFAULTS, value)) continue;
    stored[key] = key === 'createdAt' ? storedTime(value as string) : value;
  }
  return stored as StoredMessage;
}

/** The full view of the message stored under `id` in a segment doc of `channelId`. */
export function messageFromDoc(id: string, stored: StoredMessage, channelId: string): MessageView {
  const { createdAt, ...rest } = stored;
  return {
    id,
    channelId,
    ...MESSAGE_DEFAULTS,
    mentions: [],
    reactions: {},
    attachments: [],
    ...rest,
    createdAt: typeof createdAt === 'number' ? new Date(createdAt).toISOString() : createdAt,
  };
}

export interface ThreadView {
  id: string;
  roomId: string;
  title: string;
  parentMessageId: string | null;
  creatorId: string | null;
  locked: boolean;
  pinned: boolean;
  resolved: boolean;
  archived: boolean;
  messageCount: number;
  lastMessageAt: string | null;
}

/** A thread as its room's meta doc holds it. */
export type ThreadState = Omit<ThreadView, 'messageCount' | 'lastMessageAt'>;

export type ChannelChangeBody =
  | { kind: 'message'; message: MessageView }
  | { kind: 'meta'; patch: Record<string, string | number | boolean | null> }
  | { kind: 'thread'; thread: ThreadView };

export type ChannelChange = ChannelChangeBody & { channelId: string; changeSeq: number };

const docMaps = (doc: Y.Doc) => ({
  messages: doc.getMap<StoredMessage>('messages'),
  meta: doc.getMap<unknown>('meta'),
  segments: doc.getMap<number>('segments'),
  pins: doc.getMap<number>('pins'),
  /** When each pin was made, as the change_seq of the change that pinned it: pins list newest first. */
  pinnedAt: doc.getMap<number>('pinnedAt'),
  threads: doc.getMap<ThreadState>('threads'),
});

/**
 * Sets a key only when its value really changes. Every overwrite leaves a Yjs tombstone, so skipping
 * no-op writes keeps docs small, and replaying a change twice writes nothing the second time.
 */
function setIfChanged<T>(map: Y.Map<T>, key: string, value: T): void {
  const current = map.get(key);
  if (current !== undefined && JSON.stringify(current) === JSON.stringify(value)) return;
  map.set(key, value);
}

/** Applies one change to a segment doc; changes of other segments leave it untouched. */
export function applyToSegmentDoc(doc: Y.Doc, segment: number, change: ChannelChange): void {
  if (change.kind !== 'message' || segmentOf(change.message.seq) !== segment) return;
  setIfChanged(docMaps(doc).messages, change.message.id, messageToDoc(change.message));
}

/**
 * Applies one change to a channel's meta doc. The meta doc is written rarely on purpose — once per
 * segment when the head moves on, when an old segment changes, for pins and thread states — never per
 * message, so its size follows the number of segments, not the number of messages.
 *
 * `segments[s]` is the change_seq of the last change to segment `s` after it stopped being the head:
 * a returning client re-syncs a cached segment when that value differs from the one it saw (or when
 * the segment was the head when it cached it).
 */
export function applyToMetaDoc(doc: Y.Doc, change: ChannelChange): void {
  const maps = docMaps(doc);
  doc.transact(() => {
    switch (change.kind) {
      case 'message': {
        const { message } = change;
        const segment = segmentOf(message.seq);
        const head = (maps.meta.get('head') as number | undefined) ?? 0;
        if (segment > head) {
          for (let closed = head; closed < segment; closed++) maps.segments.set(String(closed), change.changeSeq);
          maps.meta.set('head', segment);
        } else if (segment < head) {
          maps.segments.set(String(segment), change.changeSeq);
        }
        const wasPinned = maps.pins.has(message.id);
        const isPinned = message.pinned && !message.deleted && !message.hidden;
        if (isPinned && !wasPinned) {
          maps.pins.set(message.id, message.seq);
          maps.pinnedAt.set(message.id, change.changeSeq);
        }
        if (!isPinned && wasPinned) {
          maps.pins.delete(message.id);
          maps.pinnedAt.delete(message.id);
        }
        break;
      }
      case 'meta':
        for (const [key, value] of Object.entries(change.patch)) setIfChanged(maps.meta, key, value);
        break;
      case 'thread': {
        // Only the thread's state lives here; its activity (counts, last message) is read over REST, so a
        // busy thread does not rewrite its room's meta doc with every reply.
        const { messageCount: _count, lastMessageAt: _last, ...state } = change.thread;
        setIfChanged(maps.threads, change.thread.id, state);
        break;
      }
      default:
        unreachable(change);
    }
  });
}

function unreachable(x: never): never {
  throw new Error(`unhandled channel change ${JSON.stringify(x)}`);
}

/** Readers used by clients and tests; they never write. */
export function messageCount(doc: Y.Doc): number {
  return docMaps(doc).messages.size;
}

/** The messages of a segment doc of `channelId`, in seq order. */
export function readMessages(doc: Y.Doc, channelId: string): MessageView[] {
  return [...docMaps(doc).messages.entries()]
    .map(([id, stored]) => messageFromDoc(id, stored, channelId))
    .sort((a, b) => a.seq - b.seq);
}

export function readMeta(doc: Y.Doc): {
  head: number;
  segments: Map<number, number>;
  pins: Map<string, number>;
  threads: ThreadState[];
  fields: Record<string, unknown>;
} {
  const maps = docMaps(doc);
  const fields = Object.fromEntries(maps.meta.entries());
  return {
    head: (fields.head as number | undefined) ?? 0,
    segments: new Map([...maps.segments.entries()].map(([k, v]) => [Number(k), v])),
    pins: new Map(maps.pins.entries()),
    threads: [...maps.threads.values()],
    fields,
  };
}

/** One pinned message of a channel as its meta doc holds it. */
export interface PinRef {
  messageId: string;
  seq: number;
}

/**
 * The channel's pinned messages, newest pin first: by the change that pinned each (`pinnedAt`), then by
 * seq for pins a meta doc recorded before it kept that order.
 */
export function readPins(doc: Y.Doc): PinRef[] {
  const { pins, pinnedAt } = docMaps(doc);
  return [...pins.entries()]
    .map(([messageId, seq]) => ({ messageId, seq, at: pinnedAt.get(messageId) ?? -1 }))
    .sort((a, b) => b.at - a.at || b.seq - a.seq)
    .map(({ messageId, seq }) => ({ messageId, seq }));
}
