import type { Logger } from 'pino';
import { LIMITS } from '../../shared/rules/limits.ts';
import type { AttachmentStore } from '../../sync-server/attachments/attachment-store.ts';
import type { Database } from '../../sync-server/db/database.ts';
import type { JobData } from '../job-queue.ts';

/**
 * Deletes data exports older than LIMITS.exports.keptDays (archive first, then the row: a crash in
 * between leaves a row whose archive is gone, deleted again next time), and forgets failed requests of
 * the same age.
 */
export async function expireDataExports(
  deps: { db: Database; store: AttachmentStore; logger: Logger; now?: () => Date },
  _data: JobData<'expire-data-exports'>,
): Promise<{ expired: number }> {
  const before = new Date((deps.now?.() ?? new Date()).getTime() - LIMITS.exports.keptDays * 86_400_000);
  const { rows } = await deps.db.query<{ id: string; object_key: string | null }>(
    `SELECT id, object_key FROM data_exports WHERE coalesce(completed_at, created_at) < $1 ORDER BY created_at LIMIT 1000`,
    [before],
  );
  if (rows.length === 0) return { expired: 0 };
  await deps.store.delete(rows.flatMap((r) => (r.object_key ? [r.object_key] : [])));
  await deps.db.query('DELETE FROM data_exports WHERE id = ANY($1::uuid[])', [rows.map((r) => r.id)]);
  deps.logger.info({ expired: rows.length }, 'data exports expired');
  return { expired: rows.length };
}
