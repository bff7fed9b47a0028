import { PGliteWorker } from '@electric-sql/pglite/worker';
import type { MessageView, ThreadState } from '../../../../shared/sync/channel-doc.ts';
import type { DmSummary } from '../../../../shared/sync/inbox.ts';
import { deleteDataDir, OPEN_FAILED_MESSAGE, OPENING_MESSAGE } from './storage.ts';
import { DatabaseUnavailable, WorkerDatabase, type DatabaseConnection } from './worker-database.ts';

/**
 * The member's SQL replica: a PGlite database in a Web Worker, persisted in IndexedDB
 * (`idb://lounge-<userId>`), that materializes what the synced docs and history pages carry — messages,
 * threads, DMs — for offline search and queries. It is derived data only: the docs stay the source, and
 * everything here can be rebuilt from them.
 *
 * Writes go through one queue, in the order they were asked for, so a purge that follows an upsert of
 * the same channel always wins. Message upserts that arrive while a write runs are merged into one batch
 * (a catch-up of thousands of messages is a handful of statements, not thousands).
 */

/** Where a message row came from: a doc carries the whole public view, a history page a part of it. */
export type MessageSource = 'doc' | 'history';

/** Rows in one statement: big enough to amortize the worker round trip, small enough for one message. */
const BATCH_ROWS = 2000;

interface QueuedMessage {
  view: MessageView;
  source: MessageSource;
}

/** The device's database did not answer in the time a reader on screen waits (see SqlReplica.read). */
export class LocalDatabaseSlow extends Error {
  constructor() {
    super('This device is still opening its copy of the conversations.');
  }
}

export class SqlReplica {
  /** Resolves true once the database is open, false when this browser cannot run it (then nothing is kept). */
  readonly ready: Promise<boolean>;
  private readonly dataDir: string;
  private chain: Promise<unknown> = Promise.resolve();
  private readonly pending = new Map<string, QueuedMessage>();
  private flushQueued: Promise<void> | null = null;
  private closed = false;
  /**
   * Channels purged since this page opened: writes for them that were already under way (a doc still
   * loading from IndexedDB, a history page in flight) are dropped rather than bringing rows back. A
   * member let back in gets them again from the next page load on.
   */
  private readonly purged = new Set<string>();

  private database: WorkerDatabase<PGliteWorker> | null = null;
  private startDb!: () => void;

  constructor(userId: string) {
    this.dataDir = `lounge-${userId}`;
    this.ready = new Promise<void>((resolve) => (this.startDb = resolve)).then(() => this.open());
  }

  /**
   * Starts the database (idempotent). Not at once: PGlite loads its whole data directory from IndexedDB
   * when it opens (tens of megabytes for 100,000 messages), and IndexedDB answers a page's requests one
   * after another — the few kilobytes of the room's docs waited ~1 s behind it on a cold open. The app
   * starts it once the first room is on screen (or after a short delay, or at the first read); writes
   * asked for before that wait in the queue.
   */
  start(): void {
    this.startDb();
  }

  private async open(): Promise<boolean> {
    if (this.closed || typeof Worker === 'undefined') return false;
    this.database = new WorkerDatabase(() => startWorker(this.dataDir), {
      // Waiting to lead (another tab's worker may still hold the files after a reload).
      openTimeoutMs: 30_000,
      // PGlite's start compiles its WebAssembly and reads the whole data directory: 4–9 s of CPU on a 2-core
      // machine, more on a busy phone or with several tabs starting at once.
      openWorkTimeoutMs: 180_000,
      openAttempts: 3,
      // A reloaded page's previous worker may still hold the files for a moment.
      retryDelayMs: 1_000,
      // A catch-up batch or an index build takes seconds; a minute without an answer is a lost call.
      callTimeoutMs: 60_000,
      readTimeoutMs: 10_000,
      onProblem: (problem, err) => console.warn(`Lounge: ${problem}`, err ?? ''),
    });
    const ok = await this.database.ready;
    if (ok) performance.mark('lounge:sql-ready');
    else console.warn('Lounge could not open its local database: this device keeps no offline copy for now');
    return ok;
  }

  /** Records messages (new, edited, hidden, deleted, reacted to); the returned promise settles once written. */
  upsertMessages(views: readonly MessageView[], source: MessageSource): Promise<void> {
    for (const view of views) {
      if (this.purged.has(view.channelId)) continue;
      // A history page may be older than a doc's view of the same message waiting in the same batch (the
      // doc is live): it never replaces it.
      if (source === 'history' && this.pending.get(view.id)?.source === 'doc') continue;
      this.pending.set(view.id, { view, source });
    }
    if (!this.flushQueued) {
      this.flushQueued = this.enqueue(async (db) => {
        this.flushQueued = null;
        const queued = [...this.pending.values()];
        this.pending.clear();
        // One transaction: PGlite copies changed files to IndexedDB after each top-level statement, and
        // only once at the end of a transaction.
        await db.transaction(async (tx) => {
          for (const source of ['doc', 'history'] as const) {
            const rows = queued.filter((q) => q.source === source).map((q) => toRow(q.view));
            for (let i = 0; i < rows.length; i += BATCH_ROWS) {
              await tx.query(source === 'doc' ? UPSERT_FROM_DOC : UPSERT_FROM_HISTORY, [
                JSON.stringify(rows.slice(i, i + BATCH_ROWS)),
              ]);
            }
          }
        });
      });
    }
    return this.flushQueued;
  }

  /** A room's threads as its meta doc has them now (threads gone from the doc leave the table too). */
  replaceThreads(roomId: string, threads: readonly ThreadState[]): Promise<void> {
    const rows = threads.map((t) => ({
      id: t.id,
      title: t.title,
      parentMessageId: t.parentMessageId,
      creatorId: t.creatorId,
      locked: t.locked,
      pinned: t.pinned,
      resolved: t.resolved,
      archived: t.archived,
    }));
    return this.enqueue((db) =>
      db.transaction(async (tx) => {
        await tx.query(
          `DELETE FROM threads WHERE room_id = $1
              AND id <> ALL (SELECT (x->>'id')::uuid FROM json_array_elements($2::json) x)`,
          [roomId, JSON.stringify(rows)],
        );
        await tx.query(
          `INSERT INTO threads (id, room_id, title, parent_message_id, creator_id, locked, pinned, resolved, archived)
           SELECT id, $1, title, "parentMessageId", "creatorId", locked, pinned, resolved, archived
             FROM json_to_recordset($2::json) AS x(id uuid, title text, "parentMessageId" uuid, "creatorId" uuid,
                                                   locked boolean, pinned boolean, resolved boolean, archived boolean)
           ON CONFLICT (id) DO UPDATE SET room_id = EXCLUDED.room_id, title = EXCLUDED.title,
             parent_message_id = EXCLUDED.parent_message_id, creator_id = EXCLUDED.creator_id,
             locked = EXCLUDED.locked, pinned = EXCLUDED.pinned, resolved = EXCLUDED.resolved,
             archived = EXCLUDED.archived`,
          [roomId, JSON.stringify(rows)],
        );
      }),
    );
  }

  /** The member's DM conversations as the inbox doc lists them. */
  replaceDms(dms: readonly DmSummary[]): Promise<void> {
    return this.enqueue((db) =>
      db.transaction(async (tx) => {
        await tx.query('DELETE FROM dms');
        await tx.query(
          `INSERT INTO dms (channel_id, is_group, title, participant_ids)
           SELECT "channelId", "isGroup", title, ARRAY(SELECT json_array_elements_text("participantIds"))::uuid[]
             FROM json_to_recordset($1::json) AS x("channelId" uuid, "isGroup" boolean, title text, "participantIds" json)`,
          [JSON.stringify(dms)],
        );
      }),
    );
  }

  /**
   * Access to a channel was lost (ban, kick, left): its messages, its threads' messages and its rows go.
   * With `at` (the inbox doc's revocation time) a revocation already applied is not applied again, so a
   * member who later got access back keeps what was synced since.
   */
  async purgeChannel(channelId: string, at?: number): Promise<boolean> {
    if (at === undefined) this.purged.add(channelId);
    const applied = await this.enqueue((db) =>
      db.transaction(async (tx) => {
        if (at !== undefined) {
          const inserted = await tx.query(
            'INSERT INTO revocations (channel_id, at) VALUES ($1, $2) ON CONFLICT DO NOTHING RETURNING 1',
            [channelId, at],
          );
          if (inserted.rows.length === 0) return false;
        }
        const threads = await tx.query<{ id: string }>('SELECT id::text AS id FROM threads WHERE room_id = $1', [
          channelId,
        ]);
        await tx.query(
          `DELETE FROM messages WHERE channel_id = $1 OR channel_id IN (SELECT id FROM threads WHERE room_id = $1)`,
          [channelId],
        );
        await tx.query('DELETE FROM threads WHERE room_id = $1 OR id = $1', [channelId]);
        await tx.query('DELETE FROM dms WHERE channel_id = $1', [channelId]);
        this.purged.add(channelId);
        for (const row of threads.rows) this.purged.add(row.id);
        return true;
      }),
    );
    // Without a database there is nothing to purge here, and no record of what was: the caller purges the rest.
    return applied ?? true;
  }

  /** The newest seq this replica holds per channel (where catch-up starts). */
  async channelHeads(): Promise<Map<string, number>> {
    const rows = await this.read<{ channel_id: string; seq: number }>(
      'SELECT channel_id, max(seq) AS seq FROM messages GROUP BY channel_id',
    );
    return new Map(rows.map((r) => [r.channel_id, r.seq]));
  }

  /**
   * A read-only query, after every write asked for so far (reads see the replica's latest state). With
   * `waitMs`, a reader on screen is answered LocalDatabaseSlow instead of waiting on: the database opens
   * in a worker that can take long (a reloaded page's previous worker still holding the files) and the
   * view says so rather than showing "Loading…" for good; `ready` tells when to ask again.
   */
  async read<T>(sql: string, params: unknown[] = [], options: { waitMs?: number } = {}): Promise<T[]> {
    // Someone is waiting for an answer (a search): no reason to hold the database back any longer.
    this.start();
    const answer = this.readWhenOpen<T>(sql, params);
    if (options.waitMs === undefined) return answer;
    let timer: ReturnType<typeof setTimeout> | undefined;
    const slow = new Promise<never>((_, reject) => {
      timer = setTimeout(() => reject(new LocalDatabaseSlow()), options.waitMs);
    });
    try {
      return await Promise.race([answer, slow]);
    } finally {
      clearTimeout(timer);
    }
  }

  private async readWhenOpen<T>(sql: string, params: unknown[]): Promise<T[]> {
    if (!(await this.ready) || !this.database || this.closed) return [];
    await this.idle();
    try {
      return await this.database.call(async (db) => (await db.query<T>(sql, params)).rows, { read: true });
    } catch (err) {
      if (err instanceof DatabaseUnavailable) return [];
      throw err;
    }
  }

  /** Resolves once every write asked for so far is done. */
  idle(): Promise<void> {
    return this.chain.then(
      () => undefined,
      () => undefined,
    );
  }

  /** Updates the planner's statistics (PGlite has no autovacuum): after large batches, searches stay on the index. */
  analyze(): Promise<void> {
    return this.enqueue((db) => db.exec('ANALYZE messages').then(() => undefined));
  }

  /** Stops the worker; with `wipe`, deletes the database from the device (signing out). */
  async close(options: { wipe?: boolean } = {}): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    // A database never started answers "unavailable" to everything queued for it, and opens nothing;
    // one still opening finishes first (closing PGlite's worker mid-start leaves its channels posting
    // to a closed BroadcastChannel).
    this.start();
    await this.ready;
    await this.idle();
    await this.database?.close();
    if (options.wipe) await deleteDataDir(this.dataDir).catch(() => {});
  }

  /** Runs `op` after every write asked for before it; answers its result (undefined when the database is unavailable or the write failed). */
  private enqueue<T>(op: (db: PGliteWorker) => Promise<T>): Promise<T | undefined> {
    const run = this.chain.then(async () =>
      (await this.ready) && this.database && !this.closed ? this.database.call(op) : undefined,
    );
    // One failed write (a malformed row) must not stop the ones after it, nor reject at a caller that
    // only wanted it done.
    const settled = run.catch((err: unknown) => {
      console.warn('Lounge could not update its local database', err);
      return undefined;
    });
    this.chain = settled;
    return settled;
  }
}

/** The JSON a row travels as (json_to_recordset below names the same fields). */
function toRow(m: MessageView) {
  return {
    id: m.id,
    channelId: m.channelId,
    seq: m.seq,
    authorId: m.authorId,
    body: m.hidden || m.deleted ? '' : m.body,
    type: m.type,
    replyToId: m.replyToId,
    threadId: m.threadId,
    edited: m.edited,
    hidden: m.hidden,
    deleted: m.deleted,
    pinned: m.pinned,
    createdAt: m.createdAt,
    editedAt: m.editedAt,
    reactions: m.reactions,
    attachments: m.hidden || m.deleted ? [] : m.attachments,
  };
}

const RECORDSET = `json_to_recordset($1::json) AS x(
    id uuid, "channelId" uuid, seq integer, "authorId" uuid, body text, type text, "replyToId" uuid,
    "threadId" uuid, edited boolean, hidden boolean, deleted boolean, pinned boolean,
    "createdAt" timestamptz, "editedAt" timestamptz, reactions jsonb, attachments jsonb)`;

const INSERT = `INSERT INTO messages AS m (id, channel_id, seq, author_id, body, type, reply_to_id, thread_id,
      edited, hidden, deleted, pinned, created_at, edited_at, reactions, attachments)
  SELECT id, "channelId", seq, "authorId", CASE WHEN hidden OR deleted THEN '' ELSE body END, type, "replyToId",
         "threadId", edited, hidden, deleted, pinned, "createdAt", "editedAt", COALESCE(reactions, '{}'),
         COALESCE(attachments, '[]')
    FROM ${RECORDSET}`;

/**
 * A doc's view replaces the row. Unchanged rows are not rewritten (every open of a room re-reads its
 * segments, and a rewrite would churn the text index for nothing).
 */
const UPSERT_FROM_DOC = `${INSERT}
  ON CONFLICT (id) DO UPDATE SET body = EXCLUDED.body, edited = EXCLUDED.edited, hidden = EXCLUDED.hidden,
      deleted = EXCLUDED.deleted, pinned = EXCLUDED.pinned, edited_at = EXCLUDED.edited_at,
      reactions = EXCLUDED.reactions, thread_id = EXCLUDED.thread_id, type = EXCLUDED.type,
      attachments = EXCLUDED.attachments
  WHERE (m.body, m.edited, m.hidden, m.deleted, m.pinned, m.edited_at, m.reactions, m.thread_id, m.type, m.attachments)
        IS DISTINCT FROM (EXCLUDED.body, EXCLUDED.edited, EXCLUDED.hidden, EXCLUDED.deleted, EXCLUDED.pinned,
                          EXCLUDED.edited_at, EXCLUDED.reactions, EXCLUDED.thread_id, EXCLUDED.type,
                          EXCLUDED.attachments)`;

/**
 * A history page (from an older server: no reactions or thread) updates what it does know and keeps the
 * rest; a hide or delete it reports takes the files too.
 */
const UPSERT_FROM_HISTORY = `${INSERT}
  ON CONFLICT (id) DO UPDATE SET body = EXCLUDED.body, edited = EXCLUDED.edited, hidden = EXCLUDED.hidden,
      deleted = EXCLUDED.deleted, pinned = EXCLUDED.pinned,
      attachments = CASE WHEN EXCLUDED.hidden OR EXCLUDED.deleted THEN '[]' ELSE m.attachments END
  WHERE (m.body, m.edited, m.hidden, m.deleted, m.pinned)
        IS DISTINCT FROM (EXCLUDED.body, EXCLUDED.edited, EXCLUDED.hidden, EXCLUDED.deleted, EXCLUDED.pinned)`;

/** A worker running the replica's PGlite, with what it reports while opening: under way, or impossible. */
function startWorker(dataDir: string): DatabaseConnection<PGliteWorker> {
  const worker = new Worker(new URL('./sql-worker.ts', import.meta.url), { type: 'module', name: 'lounge-replica' });
  const failed = new Promise<never>((_, reject) => {
    worker.addEventListener('message', (event: MessageEvent<{ type?: unknown; message?: unknown }>) => {
      if (event.data?.type !== OPEN_FAILED_MESSAGE) return;
      console.warn('Lounge: the local database worker could not open the database', event.data.message);
      reject(new Error(String(event.data.message)));
    });
    worker.addEventListener('error', (event) => reject(new Error(event.message || 'the database worker failed')));
  });
  // Raced while opening; a failure after that is of no use to anyone.
  failed.catch(() => {});
  const opening = new Promise<void>((resolve) => {
    worker.addEventListener('message', (event: MessageEvent<{ type?: unknown }>) => {
      if (event.data?.type === OPENING_MESSAGE) resolve();
    });
  });
  // The worker picks the storage (storage.ts): it is given the directory's name only. The id makes the
  // member's tabs share one worker (one of them the leader) instead of opening the directory twice.
  const db = new PGliteWorker(worker, { dataDir, id: dataDir });
  return { db, connected: () => db.waitReady, opening, failed, close: () => db.close() };
}
