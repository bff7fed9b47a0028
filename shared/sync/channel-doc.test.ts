import * as Y from 'yjs';
import { describe, expect, it } from 'vitest';
import {
  applyToMetaDoc,
  applyToSegmentDoc,
  readMessages,
  readPins,
  SERVER_CLIENT_ID,
  type MessageView,
} from './channel-doc.ts';

const message = (seq: number, extra: Partial<MessageView> = {}): MessageView => ({
  id: `m${seq}`,
  channelId: 'c',
  seq,
  authorId: 'a',
  body: `message ${seq}`,
  type: 'text',
  replyToId: null,
  threadId: null,
  mentions: [],
  edited: false,
  hidden: false,
  hiddenReason: null,
  deleted: false,
  pinned: false,
  createdAt: new Date(1795700000000 + seq * 1001).toISOString(),
  editedAt: null,
  reactions: {},
  threadReplies: 0,
  threadLastReplyAt: null,
  attachments: [],
  linkPreview: null,
  ...extra,
});

function serverDoc(): Y.Doc {
  const doc = new Y.Doc();
  doc.clientID = SERVER_CLIENT_ID;
  return doc;
}

describe('readPins: the meta doc pins, newest pin first', () => {
  it('orders pins by when they were made, not by seq; unpinned, hidden and deleted messages are gone', () => {
    const doc = serverDoc();
    let changeSeq = 0;
    const apply = (m: MessageView) =>
      applyToMetaDoc(doc, { kind: 'message', message: m, channelId: 'c', changeSeq: ++changeSeq });
    apply(message(5, { pinned: true }));
    apply(message(2, { pinned: true }));
    apply(message(9, { pinned: true }));
    expect(readPins(doc).map((p) => p.messageId)).toEqual(['m9', 'm2', 'm5']);
    // Unpinned and pinned again: the newest pin.
    apply(message(5, { pinned: false }));
    apply(message(5, { pinned: true }));
    expect(readPins(doc)).toEqual([
      { messageId: 'm5', seq: 5 },
      { messageId: 'm9', seq: 9 },
      { messageId: 'm2', seq: 2 },
    ]);
    apply(message(9, { pinned: true, hidden: true }));
    apply(message(2, { pinned: true, deleted: true }));
    expect(readPins(doc).map((p) => p.messageId)).toEqual(['m5']);
  });

  it('reads the same order from a replica the doc was synced to', () => {
    const doc = serverDoc();
    let changeSeq = 0;
    for (const seq of [3, 1, 2]) {
      applyToMetaDoc(doc, {
        kind: 'message',
        message: message(seq, { pinned: true }),
        channelId: 'c',
        changeSeq: ++changeSeq,
      });
    }
    const replica = new Y.Doc();
    Y.applyUpdate(replica, Y.encodeStateAsUpdate(doc));
    expect(readPins(replica).map((p) => p.messageId)).toEqual(['m2', 'm1', 'm3']);
  });
});

describe('segment docs: a message travels without the fields that hold their usual value', () => {
  const seg = (view: MessageView) => {
    const doc = serverDoc();
    applyToSegmentDoc(doc, 0, { kind: 'message', channelId: 'c', changeSeq: view.seq, message: view });
    return doc;
  };

  it('stores a plain chat line as seq, author, words and time under its id, and reads it back whole', () => {
    const plain = message(1);
    const doc = seg(plain);
    const stored = doc.getMap('messages').get('m1') as Record<string, unknown>;
    expect(Object.keys(stored).sort()).toEqual(['authorId', 'body', 'createdAt', 'seq']);
    // The channel is the doc's; the time travels as epoch milliseconds.
    expect(stored.createdAt).toBe(Date.parse(plain.createdAt));
    expect(readMessages(doc, 'c')).toEqual([plain]);
    // Under half the bytes every subscriber receives for it.
    const full = new Y.Doc();
    full.getMap('messages').set('m1', plain);
    expect(Y.encodeStateAsUpdate(doc).byteLength).toBeLessThan(Y.encodeStateAsUpdate(full).byteLength * 0.5);
  });

  it('keeps a time that would not read back the same as text', () => {
    const odd = message(5, { createdAt: '2026-11-26T14:00:00Z' });
    const doc = seg(odd);
    expect((doc.getMap('messages').get('m5') as Record<string, unknown>).createdAt).toBe('2026-11-26T14:00:00Z');
    expect(readMessages(doc, 'c')).toEqual([odd]);
  });

  it('keeps every field that differs: edits, hides, pins, reactions, replies, threads and mentions read back exactly', () => {
    const busy = message(2, {
      type: 'image',
      replyToId: 'm1',
      threadId: 't',
      threadReplies: 3,
      threadLastReplyAt: new Date(2000).toISOString(),
      mentions: ['u2'],
      edited: true,
      editedAt: new Date(1000).toISOString(),
      hidden: true,
      hiddenReason: 'spam',
      pinned: true,
      reactions: { '👍': ['u2', 'u3'] },
    });
    expect(readMessages(seg(busy), 'c')).toEqual([busy]);
    const deleted = message(3, { deleted: true, body: '', type: 'deleted', authorId: null });
    expect(readMessages(seg(deleted), 'c')).toEqual([deleted]);
  });

  it('reads messages stored by older servers the same way: whole, or with their channel and an ISO time', () => {
    const doc = new Y.Doc();
    const whole = message(4);
    doc.getMap('messages').set(whole.id, whole);
    const { id: _id, ...withChannel } = message(6);
    doc.getMap('messages').set('m6', withChannel);
    expect(readMessages(doc, 'c')).toEqual([whole, message(6)]);
  });
});
