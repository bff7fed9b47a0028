import { join } from 'node:path';
import { PGlite } from '@electric-sql/pglite';
import { demoAccount } from './chat-ui.ts';
import { startServer, type ServerProcess, type StartServerOptions } from './server-process.ts';

export interface PreparedServer<T> {
  server: ServerProcess;
  /** The ids of `accounts`, in their order. */
  ids: string[];
  /** What `prepare` answered. */
  prepared: T;
}

/**
 * Starts the embedded server over a database prepared between two starts, for what only the host platform
 * or time can do (an admin flag, an account of some weeks' standing, older history): the first start
 * migrates and seeds the data folder and signs `accounts` in; with the server stopped, `prepare` changes
 * the PGlite database directly; then the server starts again over it.
 */
export async function startPreparedServer<T>(
  options: StartServerOptions & { dataDir: string },
  accounts: ReadonlyArray<{ handle: string; name: string }>,
  prepare: (db: PGlite, ids: string[]) => Promise<T>,
): Promise<PreparedServer<T>> {
  const first = await startServer(options);
  const ids: string[] = [];
  try {
    for (const account of accounts) ids.push((await demoAccount(first.url, account.handle, account.name)).id);
  } finally {
    await first.stop();
  }
  const db = await PGlite.create(join(options.dataDir, 'pglite'));
  let prepared: T;
  try {
    prepared = await prepare(db, ids);
  } finally {
    await db.close();
  }
  return { server: await startServer(options), ids, prepared };
}
