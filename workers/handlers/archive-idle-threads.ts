import type { Logger } from 'pino';
import type { ChannelChange } from '../../shared/sync/channel-doc.ts';
import type { Database } from '../../sync-server/db/database.ts';
import { appendThreadChange } from '../../sync-server/intents/message-writes.ts';
import type { JobData } from '../job-queue.ts';

export interface ArchiveDeps {
  db: Database;
  logger: Logger;
  /** Committed thread changes, for live clients (the sync server's ChannelSync or the fan-out). */
  onChanges: (changes: ChannelChange[]) => Promise<void>;
  /** Threads archived per transaction; a backlog is worked off in several short transactions. */
  batchSize?: number;
  /** Upper bound on batches per run, so one run cannot hold the worker forever. */
  maxBatches?: number;
}

/**
 * Archives threads nobody wrote in for longer than their `auto_archive_after_hours`, and logs each
 * one's new state on its room's channel so every replica's thread list updates. A reply later brings
 * the thread back (insertMessage clears archived_at).
 */
export async function archiveIdleThreads(
  deps: ArchiveDeps,
  _data: JobData<'archive-idle-threads'>,
): Promise<{ archived: number }> {
  const batchSize = deps.batchSize ?? 200;
  const maxBatches = deps.maxBatches ?? 50;
  let archived = 0;
  for (let batch = 0; batch < maxBatches; batch += 1) {
    const changes = await archiveBatch(deps.db, batchSize);
    if (changes.length === 0) break;
    archived += changes.length;
    // Already committed: a failed announcement must not fail (and re-run) the job; the sync nodes'
    // change_seq catch-up delivers these changes anyway.
    await deps
      .onChanges(changes)
      .catch((err: unknown) => deps.logger.warn({ err }, 'announcing archived threads failed'));
    if (changes.length < batchSize) break;
  }
  if (archived > 0) deps.logger.info({ archived }, 'idle threads archived');
  return { archived };
}

async function archiveBatch(db: Database, limit: number): Promise<ChannelChange[]> {
  return db.transaction(async (tx) => {
    // SKIP LOCKED: a thread being replied to right now is skipped rather than waited for (the reply
    // makes it live again anyway), and two workers running the job at once take disjoint threads.
    // Under READ COMMITTED a row updated by a concurrent reply is re-checked against the WHERE.
    const { rows } = await tx.query<{ id: string; room_id: string }>(
      `SELECT id, room_id FROM threads
        WHERE archived_at IS NULL
          AND COALESCE(last_message_at, created_at) < now() - make_interval(hours => auto_archive_after_hours)
        ORDER BY COALESCE(last_message_at, created_at), id
        LIMIT $1
        FOR UPDATE SKIP LOCKED`,
      [limit],
    );
    if (rows.length === 0) return [];
    await tx.query('UPDATE threads SET archived_at = now(), updated_at = now() WHERE id = ANY($1::uuid[])', [
      rows.map((r) => r.id),
    ]);
    // Room channel rows are locked in one global order, so two concurrent runs cannot deadlock.
    const ordered = [...rows].sort((a, b) => (a.room_id + a.id < b.room_id + b.id ? -1 : 1));
    const changes: ChannelChange[] = [];
    for (const row of ordered) changes.push(await appendThreadChange(tx, row.room_id, row.id));
    return changes;
  });
}
