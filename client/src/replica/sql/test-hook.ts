import type { SearchHit } from '../../api/community.ts';
import { searchLocal } from '../local-search.ts';
import type { Replica } from '../replica.ts';

/**
 * A handle on the SQL replica for end-to-end tests and the client benchmark, so they can check what the
 * device really holds (not only what the screen shows). Installed on `globalThis.__loungeReplica` by the
 * dev server and by builds made with `VITE_LOUNGE_TEST_HOOKS=1` (the e2e setup and the bench build that
 * way); in an ordinary `npm run build:client` the check compiles to false and it is never installed.
 */
export interface ReplicaTestHook {
  userId: string;
  /** Any SQL against the replica, after every write asked for so far. */
  query<T = Record<string, unknown>>(sql: string, params?: unknown[]): Promise<T[]>;
  /** Resolves once the replica's pending writes are done. */
  idle(): Promise<void>;
  /** Runs a catch-up now (as a reconnect does) and resolves when it is done. */
  catchUp(): Promise<void>;
  /** The last catch-ups the replica ran (page clock, ms). */
  catchUps(): Array<{ startedAt: number; endedAt: number; readAt: number; channels: number; messages: number }>;
  /** The offline search the Search view runs (same function, same query). */
  search(query: string): Promise<SearchHit[]>;
}

declare global {
  var __loungeReplica: ReplicaTestHook | undefined;
}

export const testHooksEnabled = (): boolean =>
  import.meta.env.DEV === true || import.meta.env.VITE_LOUNGE_TEST_HOOKS === '1';

export function installReplicaTestHook(replica: Replica): void {
  if (!testHooksEnabled()) return;
  globalThis.__loungeReplica = {
    userId: replica.userId,
    query: (sql, params) => replica.sql.read(sql, params),
    idle: () => replica.sql.idle(),
    catchUp: () => replica.catchUp(),
    catchUps: () => [...replica.catchUps],
    search: (query) => searchLocal(replica.sql, query, { blocked: replica.blockedMembers() }),
  };
}
