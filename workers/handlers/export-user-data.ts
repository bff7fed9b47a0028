import { Transform } from 'node:stream';
import type { Logger } from 'pino';
import type { AttachmentStore } from '../../sync-server/attachments/attachment-store.ts';
import type { Database } from '../../sync-server/db/database.ts';
import { userExportZip } from '../../sync-server/privacy/user-export.ts';
import type { JobData } from '../job-queue.ts';

export interface ExportDeps {
  db: Database;
  store: AttachmentStore;
  logger: Logger;
}

/** Where an export's archive is kept: made here, never from input. */
export const exportKey = (userId: string, exportId: string) => `exports/${userId}/${exportId}.zip`;

/**
 * Builds one requested data export into the attachment store and marks it ready. Safe to run again (a
 * retry after a crash writes the same key over); a failure marks it failed and throws, so the queue
 * retries it, and the member can ask again.
 */
export async function exportUserData(deps: ExportDeps, data: JobData<'export-user-data'>): Promise<void> {
  const { rows } = await deps.db.query<{ user_id: string }>(
    `UPDATE data_exports SET status = 'running' WHERE id = $1 AND status <> 'done' RETURNING user_id`,
    [data.exportId],
  );
  const userId = rows[0]?.user_id;
  // Done already, or gone (the account was deleted meanwhile).
  if (!userId) return;
  const key = exportKey(userId, data.exportId);
  let size = 0;
  const counted = new Transform({
    transform(chunk: Buffer, _encoding, done) {
      size += chunk.length;
      done(null, chunk);
    },
  });
  try {
    const archive = userExportZip(deps.db, deps.store, userId);
    // pipe() does not pass errors on: a failed read must fail the upload, not leave it waiting.
    archive.on('error', (err) => counted.destroy(err));
    await deps.store.put(key, archive.pipe(counted), 'application/zip');
    const done = await deps.db.query(
      `UPDATE data_exports SET status = 'done', object_key = $2, byte_size = $3, completed_at = now() WHERE id = $1`,
      [data.exportId, key, size],
    );
    // The account was deleted while this ran: its archive must not stay behind.
    if (done.rowCount === 0) await deps.store.delete([key]);
    deps.logger.info({ exportId: data.exportId, bytes: size }, 'data export ready');
  } catch (err) {
    await deps.db
      .query(`UPDATE data_exports SET status = 'failed' WHERE id = $1`, [data.exportId])
      .catch(() => undefined);
    throw err;
  }
}
