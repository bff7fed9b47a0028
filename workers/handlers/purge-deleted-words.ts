import type { Logger } from 'pino';
import { LIMITS } from '../../shared/rules/limits.ts';
import type { Database } from '../../sync-server/db/database.ts';
import type { JobData } from '../job-queue.ts';

const BATCH = 1000;

/**
 * Erases the words of messages deleted more than LIMITS.privacy.deletedWordsKeptDays ago, with their
 * earlier versions and the mentions they named: a deletion keeps the message's place in the conversation
 * (a placeholder), not what it said. Replicas never held those words (a deleted message's view has none),
 * so nothing needs to reach them. In batches, so a backlog never holds one long transaction.
 */
export async function purgeDeletedWords(
  deps: { db: Database; logger: Logger; now?: () => Date },
  _data: JobData<'purge-deleted-words'>,
): Promise<{ purged: number }> {
  const before = new Date((deps.now?.() ?? new Date()).getTime() - LIMITS.privacy.deletedWordsKeptDays * 86_400_000);
  let purged = 0;
  for (;;) {
    const count = await deps.db.transaction(async (tx) => {
      const { rows } = await tx.query<{ id: string }>(
        `UPDATE messages SET body = '', mentions = '[]'::jsonb, link_preview = NULL
          WHERE id IN (SELECT id FROM messages WHERE is_deleted AND body <> '' AND deleted_at < $1 LIMIT $2)
          RETURNING id`,
        [before, BATCH],
      );
      if (rows.length > 0)
        await tx.query('DELETE FROM message_edits WHERE message_id = ANY($1::uuid[])', [rows.map((r) => r.id)]);
      return rows.length;
    });
    purged += count;
    if (count < BATCH) break;
  }
  if (purged > 0) deps.logger.info({ purged }, "deleted messages' words erased");
  return { purged };
}
