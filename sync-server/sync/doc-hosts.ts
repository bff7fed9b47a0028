import * as awarenessProtocol from 'y-protocols/awareness';
import type { Logger } from 'pino';
import { encodeAwarenessPayload } from '../../shared/protocol/frames.ts';
import * as Y from 'yjs';
import type { SnapshotScheduler } from '../../workers/snapshot-scheduler.ts';
import type { Database } from '../db/database.ts';
import { topics, type Fanout } from '../fanout/fanout.ts';
import { loadChannelDoc, type ChannelDocName } from './channel-doc-store.ts';
import type { ChannelSync } from './channel-sync.ts';
import { FANOUT_ORIGIN, HostedDoc } from './hosted-doc.ts';
import { loadInboxDoc, setInboxEntry, setVerdicts } from './inbox-doc.ts';
import { debounce, loadPrivateDoc, persistPrivateDoc } from './private-doc-store.ts';

/**
 * How each kind of doc is brought into memory and wired to the rest of the node: channel docs to the
 * change stream, snapshots and presence; private docs to persistence, the fan-out and the outbox;
 * inbox docs to the member's verdicts and access events. Each returns the disposer that undoes it all.
 */
export interface DocHostDeps {
  db: Database;
  fanout: Fanout;
  logger: Logger;
  channels: ChannelSync;
  snapshots: SnapshotScheduler | undefined;
  onPrivateDocChanged(userId: string, doc: Y.Doc): void;
  onRevoked(userId: string, channelId: string, reason: string): void;
  onAccountDeleted(userId: string, reason: string): void;
}

export interface HostedDocLoad {
  hosted: HostedDoc;
  dispose: () => Promise<void>;
}

const fromBase64 = (s: string) => new Uint8Array(Buffer.from(s, 'base64'));
const toBase64 = (u: Uint8Array) => Buffer.from(u).toString('base64');

export async function hostChannelDoc(deps: DocHostDeps, name: string, parsed: ChannelDocName): Promise<HostedDocLoad> {
  const loaded = await loadChannelDoc(deps.db, parsed);
  const hosted = new HostedDoc(name, parsed, loaded.doc, { awareness: parsed.kind === 'channel-meta' });
  const room = await deps.db.query<{ room_id: string | null }>(
    `SELECT COALESCE(t.room_id, r.id) AS room_id FROM channels c
       LEFT JOIN threads t ON t.id = c.id LEFT JOIN rooms r ON r.id = c.id WHERE c.id = $1`,
    [parsed.channelId],
  );
  hosted.roomId = room.rows[0]?.room_id ?? null;
  hosted.changeSeq = loaded.changeSeq;
  deps.channels.track(parsed.channelId, hosted);
  const disposers: Array<() => Promise<void>> = [() => deps.channels.untrack(parsed.channelId, hosted)];
  // ---- snapshot scheduling (workers/snapshot-scheduler.ts) ----
  const snapshots = deps.snapshots;
  if (snapshots) {
    snapshots.loaded(name, loaded.replayed);
    // Only the server writes channel docs, so every update here is an applied channel change.
    const onChange = () => snapshots.changed(name);
    loaded.doc.on('update', onChange);
    disposers.push(async () => loaded.doc.off('update', onChange));
  }
  // ---- end snapshot scheduling ----
  if (hosted.awareness) {
    const awareness = hosted.awareness;
    const onAwareness = (
      { added, updated, removed }: { added: number[]; updated: number[]; removed: number[] },
      origin: unknown,
    ) => {
      const changed = [...added, ...updated, ...removed];
      const update = awarenessProtocol.encodeAwarenessUpdate(awareness, changed);
      hosted.broadcastAwareness(encodeAwarenessPayload(update));
      if (origin !== FANOUT_ORIGIN) {
        void deps.fanout
          .publish(topics.channel(parsed.channelId), { kind: 'awareness', docName: name, update: toBase64(update) })
          .catch(() => {});
      }
    };
    awareness.on('update', onAwareness);
    const unsubscribe = await deps.fanout.subscribe(topics.channel(parsed.channelId), (envelope) => {
      if (envelope.event.kind === 'awareness' && envelope.event.docName === name) {
        awarenessProtocol.applyAwarenessUpdate(awareness, fromBase64(envelope.event.update), FANOUT_ORIGIN);
      }
    });
    disposers.push(async () => {
      awareness.off('update', onAwareness);
      await unsubscribe();
    });
  }
  return { hosted, dispose: async () => void (await Promise.all(disposers.map((d) => d()))) };
}

export async function hostPrivateDoc(deps: DocHostDeps, name: string, userId: string): Promise<HostedDocLoad> {
  const doc = await loadPrivateDoc(deps.db, name);
  const hosted = new HostedDoc(name, { kind: 'private', userId }, doc, { awareness: false });
  hosted.approxBytes = Y.encodeStateAsUpdate(doc).byteLength;
  const outbox: unknown = doc.getMap('outbox');
  const persist = debounce(
    () =>
      persistPrivateDoc(deps.db, name, doc).catch((err: unknown) =>
        deps.logger.error({ err, doc: name }, 'private doc persist failed'),
      ),
    // Every device keeps its own copy in IndexedDB and resends on reconnect, so the server's copy can
    // be written lazily: a busy member's outbox would otherwise cost a full-doc write twice a second.
    // Outbox churn alone is lazier still: a processed intent is durable in client_intents, and one
    // not yet processed is still on the device that made it.
    { waitMs: 2000, maxWaitMs: 10_000, lazyWaitMs: 30_000, lazyMaxWaitMs: 120_000 },
  );
  // Other nodes need this doc's updates only while they hold it too (the member's other device is
  // connected there). A publish that reached no other node turns publishing off; a node that starts
  // holding the doc says hello, which turns it back on and is answered with the whole state (covering
  // what it missed). `hellos` keeps a late publish answer from undoing a newer hello.
  let othersHoldIt = true;
  let hellos = 0;
  // Methods of one object rather than named arrows: one private doc per connection, and under tsx a
  // named closure costs ~250 bytes more (see HostedDoc.onUpdate).
  const relay = {
    publish(update: Uint8Array): void {
      const seen = hellos;
      void deps.fanout
        .publish(topics.doc(name), { kind: 'doc-update', docName: name, update: toBase64(update) })
        .then((others) => {
          if (others === 0 && seen === hellos) othersHoldIt = false;
        })
        .catch(() => {});
    },
    onUpdate(update: Uint8Array, origin: unknown, _doc: Y.Doc, tr: Y.Transaction): void {
      persist.schedule({ lazy: [...tr.changed.keys()].every((type) => type === outbox) });
      if (origin !== FANOUT_ORIGIN && othersHoldIt) relay.publish(update);
      deps.onPrivateDocChanged(userId, doc);
    },
  };
  doc.on('update', relay.onUpdate);
  const unsubscribe = await deps.fanout.subscribe(topics.doc(name), (envelope) => {
    if (envelope.event.kind === 'doc-update') Y.applyUpdate(doc, fromBase64(envelope.event.update), FANOUT_ORIGIN);
    if (envelope.event.kind === 'doc-hello') {
      hellos++;
      othersHoldIt = true;
      relay.publish(Y.encodeStateAsUpdate(doc));
    }
  });
  void deps.fanout.publish(topics.doc(name), { kind: 'doc-hello', docName: name }).catch(() => {});
  return {
    hosted,
    async dispose() {
      doc.off('update', relay.onUpdate);
      await unsubscribe();
      await persist.flush();
    },
  };
}

export async function hostInboxDoc(deps: DocHostDeps, name: string, userId: string): Promise<HostedDocLoad> {
  const doc = await loadInboxDoc(deps.db, userId);
  const hosted = new HostedDoc(name, { kind: 'inbox', userId }, doc, { awareness: false });
  const unsubscribe = await deps.fanout.subscribe(topics.user(userId), (envelope) => {
    const event = envelope.event;
    if (event.kind === 'verdicts') setVerdicts(doc, event.verdicts);
    if (event.kind === 'inbox') setInboxEntry(doc, event.entry);
    if (event.kind === 'revoke') deps.onRevoked(event.userId, event.channelId, event.reason);
    if (event.kind === 'account-deleted') deps.onAccountDeleted(event.userId, event.reason);
  });
  return { hosted, dispose: unsubscribe };
}
