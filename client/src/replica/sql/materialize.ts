import type * as Y from 'yjs';
import {
  messageFromDoc,
  readMeta,
  type MessageView,
  type StoredMessage,
  type ThreadState,
} from '../../../../shared/sync/channel-doc.ts';
import { parseDocName } from '../../../../shared/sync/doc-names.ts';
import type { DmSummary, InboxMaps } from '../../../../shared/sync/inbox.ts';
import type { OpenedDoc } from '../doc-store.ts';
import type { SqlReplica } from './sql-replica.ts';

/**
 * Keeps the SQL replica in step with the docs this device holds: whenever the doc store opens a doc,
 * what it holds now and every later change (from IndexedDB or the server) is written through. Each
 * function answers how to stop watching.
 */
export function materializeDoc(
  opened: OpenedDoc,
  sql: SqlReplica,
  onRevoked: (channelId: string, at: number, reason: string) => void,
): () => void {
  const parsed = parseDocName(opened.name);
  switch (parsed?.kind) {
    case 'channel-segment':
      return materializeSegment(parsed.channelId, opened.doc, sql);
    case 'channel-meta':
      return materializeMeta(parsed.channelId, opened, sql);
    case 'inbox':
      return materializeInbox(opened, sql, onRevoked);
    default:
      return () => {};
  }
}

/** A segment doc's messages: all of them now, then the ones each transaction changed. */
export function materializeSegment(channelId: string, doc: Y.Doc, sql: SqlReplica): () => void {
  // `messages` is the segment layout of shared/sync/channel-doc.ts (message id -> public view).
  const messages = doc.getMap<StoredMessage>('messages');
  if (messages.size > 0)
    void sql.upsertMessages(
      [...messages.entries()].map(([id, stored]) => messageFromDoc(id, stored, channelId)),
      'doc',
    );
  const observer = (event: Y.YMapEvent<StoredMessage>) => {
    const changed: MessageView[] = [];
    for (const key of event.keysChanged) {
      const stored = messages.get(key);
      if (stored) changed.push(messageFromDoc(key, stored, channelId));
    }
    if (changed.length > 0) void sql.upsertMessages(changed, 'doc');
  };
  messages.observe(observer);
  return () => messages.unobserve(observer);
}

/** A room's meta doc: its threads (title, states), once the device's copy is loaded (else it would look empty). */
function materializeMeta(channelId: string, opened: OpenedDoc, sql: SqlReplica): () => void {
  let last = '';
  let stopped = false;
  const write = () => {
    if (stopped) return;
    const threads: ThreadState[] = readMeta(opened.doc).threads;
    const key = JSON.stringify(threads);
    if (key === last) return;
    last = key;
    void sql.replaceThreads(channelId, threads);
  };
  void opened.loaded.then(() => {
    write();
    opened.doc.on('update', write);
  });
  return () => {
    stopped = true;
    opened.doc.off('update', write);
  };
}

/** The member's inbox: DM conversations, and revocations (purge that channel, once per revocation). */
function materializeInbox(
  opened: OpenedDoc,
  sql: SqlReplica,
  onRevoked: (channelId: string, at: number, reason: string) => void,
): () => void {
  const dms = opened.doc.getMap<DmSummary>('dms');
  const revoked = opened.doc.getMap<InboxMaps['revoked']>('revoked');
  let lastDms = '';
  const writeDms = () => {
    const list = [...dms.values()];
    const key = JSON.stringify(list);
    if (key === lastDms) return;
    lastDms = key;
    void sql.replaceDms(list);
  };
  const applyRevocations = () => {
    for (const [channelId, entry] of revoked.entries()) onRevoked(channelId, entry.at, entry.reason);
  };
  let stopped = false;
  void opened.loaded.then(() => {
    if (stopped) return;
    writeDms();
    applyRevocations();
    dms.observe(writeDms);
    revoked.observe(applyRevocations);
  });
  return () => {
    stopped = true;
    dms.unobserve(writeDms);
    revoked.unobserve(applyRevocations);
  };
}
