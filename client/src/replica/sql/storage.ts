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
