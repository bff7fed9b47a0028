import * as Y from 'yjs';
import { applyToMetaDoc, applyToSegmentDoc, SERVER_CLIENT_ID, type ChannelChange } from '../../shared/sync/channel-doc.ts';
import { formatDocName, type DocName } from '../../shared/sync/doc-names.ts';
import type { Database, Queryable } from '../db/database.ts';
import { readChanges } from './change-log.ts';

const REPLAY_PAGE = 10_000;

export type ChannelDocName = Extract<DocName, { kind: 'channel-meta' | 'channel-segment' }>;

/** A server-owned doc with the Yjs client id every node uses, so all nodes build identical items. */
export function newServerDoc(snapshot?: Uint8Array): Y.Doc {
  const doc = new Y.Doc({ gc: true });
  // Load the snapshot under a throwaway id: Yjs re-rolls the local id when a remote update contains it.
  if (snapshot) Y.applyUpdate(doc, snapshot);
  doc.clientID = SERVER_CLIENT_ID;
  return doc;
}

export function applyChange(doc: Y.Doc, name: ChannelDocName, change: ChannelChange): void {
  if (name.kind === 'channel-meta') applyToMetaDoc(doc, change);
  else applyToSegmentDoc(doc, name.segment, change);
}

export interface LoadedChannelDoc {
  doc: Y.Doc;
  /** The channel change_seq the doc reflects: every change up to it has been applied (or skipped). */
  changeSeq: number;
  replayed: number;
}

/**
 * Postgres is the truth: a channel doc is its latest snapshot plus the logged changes after it.
 * Runs in one read so the snapshot, the changes and the change_seq agree.
 */
export async function loadChannelDoc(db: Database, name: ChannelDocName): Promise<LoadedChannelDoc> {
  return db.transaction(async (tx) => {
    await tx.query('SET TRANSACTION ISOLATION LEVEL REPEATABLE READ READ ONLY');
    return loadChannelDocIn(tx, name);
  });
}

async function loadChannelDocIn(tx: Queryable, name: ChannelDocName): Promise<LoadedChannelDoc> {
  const docName = formatDocName(name);
  const channel = await tx.query<{ change_seq: number }>('SELECT change_seq FROM channels WHERE id = $1', [
    name.channelId,
  ]);
  const current = channel.rows[0]?.change_seq;
  if (current === undefined) throw new Error(`channel ${name.channelId} does not exist`);
  const snap = await tx.query<{ state: Uint8Array; change_seq: number }>(
    'SELECT state, change_seq FROM doc_snapshots WHERE doc_name = $1',
    [docName],
  );
  const snapshot = snap.rows[0];
  const doc = newServerDoc(snapshot ? new Uint8Array(snapshot.state) : undefined);
  // Replayed in pages, so a channel without a recent snapshot never needs its whole log in memory at once.
  let after = snapshot?.change_seq ?? 0;
  let replayed = 0;
  for (;;) {
    const page = await readChanges(tx, name.channelId, {
      afterSeq: after,
      untilSeq: current,
      limit: REPLAY_PAGE,
      ...(name.kind === 'channel-segment' ? { segment: name.segment } : {}),
    });
    for (const change of page) applyChange(doc, name, change);
    replayed += page.length;
    if (page.length < REPLAY_PAGE) break;
    after = page.at(-1)!.changeSeq;
  }
  return { doc, changeSeq: current, replayed };
}

/**
 * Writes a newer snapshot of a channel doc, rebuilt from Postgres alone (the snapshot job). Keeps the
 * stored snapshot when it is already as new: two writers can never move it backwards.
 */
export async function persistChannelSnapshot(db: Database, name: ChannelDocName): Promise<{ changeSeq: number; bytes: number }> {
  const loaded = await loadChannelDoc(db, name);
  const state = Y.encodeStateAsUpdate(loaded.doc);
  loaded.doc.destroy();
  await db.query(
    `INSERT INTO doc_snapshots (doc_name, state, change_seq, updated_at) VALUES ($1, $2, $3, now())
     ON CONFLICT (doc_name) DO UPDATE SET state = EXCLUDED.state, change_seq = EXCLUDED.change_seq, updated_at = now()
      WHERE doc_snapshots.change_seq < EXCLUDED.change_seq`,
    [formatDocName(name), state, loaded.changeSeq],
  );
  return { changeSeq: loaded.changeSeq, bytes: state.byteLength };
}
