/**
 * The Web Worker that runs the replica's PGlite. Postgres in WASM blocks the thread it runs on for the
 * length of every statement (a catch-up batch of a few thousand rows, an index build), so it runs here
 * and the page only posts queries. PGlite's worker wrapper also elects one leader among the member's
 * tabs, so two tabs never open the same IndexedDB-backed data directory twice.
 */
import { PGlite } from '@electric-sql/pglite';
import { worker } from '@electric-sql/pglite/worker';
import { DERIVED_TABLES, SCHEMA_SQL, SCHEMA_VERSION } from './schema.ts';
import { deleteDataDir, hasOpfs, idbDatabaseName, OPEN_FAILED_MESSAGE, OPENING_MESSAGE } from './storage.ts';

// With relaxed durability PGlite flushes to IndexedDB after answering and does not wait for (or catch) the
// flush. A failed flush (an Emscripten ErrnoError) loses nothing for good: the next write flushes the
// whole difference again. It is reported as a warning here instead of an uncaught error in the page.
self.addEventListener('unhandledrejection', (event: PromiseRejectionEvent) => {
  // Emscripten's ErrnoError is not always an Error subclass: it is recognized by its name.
  const reason: unknown = event.reason;
  if (typeof reason === 'object' && reason !== null && (reason as { name?: unknown }).name === 'ErrnoError') {
    event.preventDefault();
    console.warn('Lounge: writing the local database to IndexedDB failed; the next write tries again', reason);
  }
});

void worker({
  async init(options) {
    const name = options.dataDir ?? '';
    // This worker leads: the page gives a start that is under way longer than one waiting on nothing.
    postMessage({ type: OPENING_MESSAGE });
    try {
      return await openReplica(name);
    } catch (first) {
      // Files a killed worker left half-written, or a schema this code cannot read: the replica is derived
      // data, so it starts afresh rather than leaving the device without one.
      console.warn('Lounge: the local database did not open; starting it afresh', first);
      try {
        await deleteDataDir(name);
        return await openReplica(name);
      } catch (err) {
        // PGlite's worker wrapper does not tell the page an open failed (the page would wait for good).
        postMessage({ type: OPEN_FAILED_MESSAGE, message: err instanceof Error ? err.message : String(err) });
        throw err;
      }
    }
  },
});

async function openReplica(name: string): Promise<PGlite> {
  const opfs = hasOpfs();
  if (opfs) {
    // A copy an earlier version kept in IndexedDB is dead weight now (tens of MB); the replica is derived
    // data, filled again from the docs and history pages.
    indexedDB.deleteDatabase(idbDatabaseName(name));
  }
  const db = await PGlite.create({
    dataDir: opfs ? `memfs2opfs://${name}` : `idb://${name}`,
    // The replica is derived data: a write lost when the tab closes before IndexedDB is flushed is
    // materialized again from the docs. Not waiting for that flush keeps every batch fast.
    relaxedDurability: true,
  });
  try {
    await prepareSchema(db);
  } catch (err) {
    await db.close().catch(() => {});
    throw err;
  }
  return db;
}

async function prepareSchema(db: PGlite): Promise<void> {
  const found = await db
    .query<{ version: number }>('SELECT version FROM replica_schema LIMIT 1')
    .then((r) => r.rows[0]?.version ?? null)
    .catch(() => null);
  if (found === SCHEMA_VERSION) return;
  // Another version (or a first start): the tables hold nothing that cannot be derived again.
  await db.exec(DERIVED_TABLES.map((table) => `DROP TABLE IF EXISTS ${table} CASCADE;`).join('\n'));
  await db.exec(SCHEMA_SQL);
  await db.query('INSERT INTO replica_schema (version) VALUES ($1)', [SCHEMA_VERSION]);
}
