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

export type ChannelChangeBody =
  | { kind: 'message'; message: MessageView }
  | { kind: 'meta'; patch: Record<string, string | number | boolean | null> }
  | { kind: 'thread'; thread: ThreadView };

export type ChannelChange = ChannelChangeBody & { channelId: string; changeSeq: number };

const docMaps = (doc: Y.Doc) => ({
  messages: doc.getMap<MessageView>('messages'),
  meta: doc.getMap<unknown>('meta'),
  segments: doc.getMap<number>('segments'),
  pins: doc.getMap<number>('pins'),
  threads: doc.getMap<ThreadView>('threads'),
});

/** Applies one change to a segment doc; changes of other segments leave it untouched. */
export function applyToSegmentDoc(doc: Y.Doc, segment: number, change: ChannelChange): void {
  if (change.kind !== 'message' || segmentOf(change.message.seq) !== segment) return;
  docMaps(doc).messages.set(change.message.id, change.message);
}

/** Applies one change to a channel's meta doc (segment versions, pins, settings, thread states). */
export function applyToMetaDoc(doc: Y.Doc, change: ChannelChange): void {
  const maps = docMaps(doc);
  doc.transact(() => {
    switch (change.kind) {
      case 'message': {
        const { message } = change;
        const segment = segmentOf(message.seq);
        maps.segments.set(String(segment), change.changeSeq);
        if (((maps.meta.get('lastSeq') as number | undefined) ?? 0) < message.seq) {
          maps.meta.set('lastSeq', message.seq);
          maps.meta.set('head', segment);
        }
        const wasPinned = maps.pins.has(message.id);
        const isPinned = message.pinned && !message.deleted && !message.hidden;
        if (isPinned && !wasPinned) maps.pins.set(message.id, message.seq);
        if (!isPinned && wasPinned) maps.pins.delete(message.id);
        break;
      }
      case 'meta':
        for (const [key, value] of Object.entries(change.patch)) maps.meta.set(key, value);
        break;
      case 'thread':
        maps.threads.set(change.thread.id, change.thread);
        break;
      default:
        unreachable(change);
    }
    maps.meta.set('changeSeq', change.changeSeq);
  });
}

function unreachable(x: never): never {
  throw new Error(`unhandled channel change ${JSON.stringify(x)}`);
}

/** Readers used by clients and tests; they never write. */
export function readMessages(doc: Y.Doc): MessageView[] {
  return [...docMaps(doc).messages.values()].sort((a, b) => a.seq - b.seq);
}

export function readMeta(doc: Y.Doc): {
  lastSeq: number;
  head: number;
  changeSeq: number;
  segments: Map<number, number>;
  pins: Map<string, number>;
  threads: ThreadView[];
  fields: Record<string, unknown>;
} {
  const maps = docMaps(doc);
  const fields = Object.fromEntries(maps.meta.entries());
  return {
    lastSeq: (fields.lastSeq as number | undefined) ?? 0,
    head: (fields.head as number | undefined) ?? 0,
    changeSeq: (fields.changeSeq as number | undefined) ?? 0,
    segments: new Map([...maps.segments.entries()].map(([k, v]) => [Number(k), v])),
    pins: new Map(maps.pins.entries()),
    threads: [...maps.threads.values()],
    fields,
  };
}
