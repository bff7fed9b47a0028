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
  createdAt: new Date(0).toISOString(),
  editedAt: null,
  reactions: {},
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

  it('stores a plain chat line as channel, seq, author, words and time under its id, and reads it back whole', () => {
    const plain = message(1);
    const doc = seg(plain);
    expect(Object.keys(doc.getMap('messages').get('m1') as object).sort()).toEqual(
      ['authorId', 'body', 'channelId', 'createdAt', 'seq'].sort(),
    );
    expect(readMessages(doc)).toEqual([plain]);
    // About half the bytes every subscriber receives for it.
    const full = new Y.Doc();
    full.getMap('messages').set('m1', plain);
    expect(Y.encodeStateAsUpdate(doc).byteLength).toBeLessThan(Y.encodeStateAsUpdate(full).byteLength * 0.65);
  });

  it('keeps every field that differs: edits, hides, pins, reactions, replies and mentions read back exactly', () => {
    const busy = message(2, {
      type: 'image',
      replyToId: 'm1',
      threadId: 't',
      mentions: ['u2'],
      edited: true,
      editedAt: new Date(1000).toISOString(),
      hidden: true,
      hiddenReason: 'spam',
      pinned: true,
      reactions: { '👍': ['u2', 'u3'] },
    });
    expect(readMessages(seg(busy))).toEqual([busy]);
    const deleted = message(3, { deleted: true, body: '', type: 'deleted', authorId: null });
    expect(readMessages(seg(deleted))).toEqual([deleted]);
  });

  it('reads a message stored whole by an older server the same way', () => {
    const doc = new Y.Doc();
    const plain = message(4);
    doc.getMap('messages').set(plain.id, plain);
    expect(readMessages(doc)).toEqual([plain]);
  });
});
