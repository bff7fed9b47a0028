/**
 * Where the SQL replica's data directory lives. OPFS where the worker can use it (Chromium, Firefox):
 * PGlite keeps its files there (`memfs2opfs://`) and writes back only the files a transaction changed.
 * IndexedDB (Safari) makes PGlite copy changed files back after writes, and the page's own IndexedDB
 * reads (the room's docs) wait behind the tens of megabytes it reads when it opens.
 */
export function hasOpfs(): boolean {
  return (
    typeof (globalThis as { FileSystemSyncAccessHandle?: unknown }).FileSystemSyncAccessHandle === 'function' &&
    typeof navigator !== 'undefined' &&
    typeof navigator.storage?.getDirectory === 'function'
  );
}

/** The IndexedDB database PGlite's IDBFS creates for a data directory (`/pglite/<name>`). */
export const idbDatabaseName = (name: string) => `/pglite/${name}`;

/**
 * Deletes a data directory wherever it is kept (both places: a copy an earlier version kept in IndexedDB
 * is removed too). Nothing is lost for good: the replica is derived from the docs and history pages.
 */
export async function deleteDataDir(name: string): Promise<void> {
  if (typeof indexedDB !== 'undefined') {
    await new Promise<void>((resolve) => {
      const request = indexedDB.deleteDatabase(idbDatabaseName(name));
      request.onsuccess = request.onerror = request.onblocked = () => resolve();
    });
  }
  if (typeof navigator !== 'undefined' && typeof navigator.storage?.getDirectory === 'function') {
    await navigator.storage
      .getDirectory()
      .then((root) => root.removeEntry(name, { recursive: true }))
      .catch((err: unknown) => {
        if ((err as { name?: unknown } | null)?.name !== 'NotFoundError') throw err;
      });
  }
}

/** What the database worker posts to its page when it leads and starts opening the database. */
export const OPENING_MESSAGE = 'lounge-replica-opening';

/** What the database worker posts to its page when it cannot open the database at all. */
export const OPEN_FAILED_MESSAGE = 'lounge-replica-open-failed';
