import type { Logger } from 'pino';
import { LIMITS } from '../../shared/rules/limits.ts';
import type { AttachmentStore } from '../../sync-server/attachments/attachment-store.ts';
import type { Database } from '../../sync-server/db/database.ts';
import type { JobData } from '../job-queue.ts';
import { linkImageKey } from '../../sync-server/link-previews/link-image-id.ts';

export interface SweepDeps {
  db: Database;
  store: AttachmentStore;
  logger: Logger;
  /** Files per batch; a backlog is worked off in several short batches. */
  batchSize?: number;
  /** Upper bound on batches per run, so one run cannot hold the worker forever. */
  maxBatches?: number;
  now?: () => Date;
}

/**
 * Deletes the bytes, then the rows, of files nobody can fetch any more: files of deleted messages
 * (marked removed in the delete's transaction) and uploads no message claimed within
 * LIMITS.attachments.unclaimedHours (an abandoned composer). Bytes go first: a crash in between leaves a
 * row whose bytes are gone, which the next run deletes again (a missing key is no error), never bytes
 * without a row that nothing would find again.
 *
 * A claim racing the sweep cannot lose a file: the rows are locked for the batch and re-checked, and a
 * send's claim needs `removed_at IS NULL` and waits for the lock.
 */
export async function sweepAttachments(
  deps: SweepDeps,
  _data: JobData<'sweep-attachments'>,
): Promise<{ deleted: number }> {
  const batchSize = deps.batchSize ?? 500;
  const maxBatches = deps.maxBatches ?? 20;
  let deleted = 0;
  for (let batch = 0; batch < maxBatches; batch++) {
    const unclaimedBefore = new Date(
      (deps.now?.() ?? new Date()).getTime() - LIMITS.attachments.unclaimedHours * 3_600_000,
    );
    const swept = await deps.db.transaction(async (tx) => {
      const { rows } = await tx.query<{ id: string; storage_key: string }>(
        `SELECT id, storage_key FROM attachments
          WHERE removed_at IS NOT NULL OR (message_id IS NULL AND created_at < $1)
          ORDER BY created_at LIMIT $2 FOR UPDATE SKIP LOCKED`,
        [unclaimedBefore, batchSize],
      );
      if (rows.length === 0) return 0;
      await deps.store.delete(rows.map((r) => r.storage_key));
      await tx.query('DELETE FROM attachments WHERE id = ANY($1::uuid[])', [rows.map((r) => r.id)]);
      return rows.length;
    });
    deleted += swept;
    if (swept < batchSize) break;
  }
  if (deleted > 0) deps.logger.info({ deleted }, 'attachments swept');
  const pictures = await sweepLinkImages(deps, batchSize, maxBatches);
  return { deleted: deleted + pictures };
}

/**
 * Link previews' pictures that no message and no cached page names any more (the message was deleted and
 * purged, edited to another link, or its card was read again without one) go after a day's grace: a card
 * being written at this moment names a picture stored moments ago.
 */
async function sweepLinkImages(deps: SweepDeps, batchSize: number, maxBatches: number): Promise<number> {
  let deleted = 0;
  const graceBefore = new Date((deps.now?.() ?? new Date()).getTime() - 24 * 3_600_000);
  for (let batch = 0; batch < maxBatches; batch++) {
    const swept = await deps.db.transaction(async (tx) => {
      const { rows } = await tx.query<{ id: string }>(
        `SELECT i.id FROM link_images i
          WHERE i.stored_at < $1
            AND NOT EXISTS (SELECT 1 FROM messages m WHERE m.link_preview #>> '{image,id}' = i.id)
            AND NOT EXISTS (SELECT 1 FROM link_previews p WHERE p.preview #>> '{image,id}' = i.id)
          ORDER BY i.stored_at LIMIT $2 FOR UPDATE SKIP LOCKED`,
        [graceBefore, batchSize],
      );
      if (rows.length === 0) return 0;
      await deps.store.delete(rows.map((r) => linkImageKey(r.id)));
      await tx.query('DELETE FROM link_images WHERE id = ANY($1::text[])', [rows.map((r) => r.id)]);
      return rows.length;
    });
    deleted += swept;
    if (swept < batchSize) break;
  }
  if (deleted > 0) deps.logger.info({ deleted }, 'link preview pictures swept');
  return deleted;
}
