import type { Logger } from 'pino';
import { parseDocName } from '../../shared/sync/doc-names.ts';
import type { Database } from '../../sync-server/db/database.ts';
import { persistChannelSnapshot, type ChannelDocName } from '../../sync-server/sync/channel-doc-store.ts';
import type { JobData } from '../job-queue.ts';

export interface SnapshotDeps {
  db: Database;
  logger: Logger;
}

/**
 * Writes a newer snapshot of one channel doc. It rebuilds from Postgres alone (never from a sync node's
 * memory) and the write is one upsert that never moves a snapshot backwards, so running it twice, late,
 * concurrently or after a crash is always safe.
 */
export async function snapshotChannelDoc(deps: SnapshotDeps, data: JobData<'snapshot-channel-doc'>): Promise<void> {
  const parsed = parseDocName(data.docName);
  if (parsed?.kind !== 'channel-meta' && parsed?.kind !== 'channel-segment') {
    throw new Error(`not a channel doc name: ${data.docName}`);
  }
  const name: ChannelDocName = parsed;
  const started = performance.now();
  const result = await persistChannelSnapshot(deps.db, name);
  deps.logger.info(
    {
      doc: data.docName,
      changeSeq: result.changeSeq,
      bytes: result.bytes,
      ms: Math.round(performance.now() - started),
    },
    'channel doc snapshot written',
  );
}
