import { LeaderChangedError } from '@electric-sql/pglite/worker';
import { describe, expect, it } from 'vitest';
import {
  DatabaseStalled,
  DatabaseUnavailable,
  WorkerDatabase,
  type DatabaseConnection,
  type WorkerDatabaseOptions,
} from './worker-database.ts';

/**
 * The watchdog around the replica's database worker. The connections here stand in for workers that
 * behave as PGlite's worker wrapper was seen to (an open that never finishes, a call never answered,
 * a leader that goes away mid-call); the class under test is the real one.
 */

interface FakeDb {
  name: string;
  answer(sql: string): Promise<string>;
}

type Behaviour =
  'opens' | 'never-opens' | 'reports-failure' | 'never-answers' | 'leader-changes-twice' | 'opens-slowly';

function fakeWorkers(behaviours: Behaviour[]) {
  const started: Array<{ name: string; closed: boolean }> = [];
  const connect = (): DatabaseConnection<FakeDb> => {
    const behaviour = behaviours[started.length] ?? 'opens';
    const state = { name: `worker-${started.length + 1}`, closed: false };
    started.push(state);
    let leaderChanges = behaviour === 'leader-changes-twice' ? 2 : 0;
    const db: FakeDb = {
      name: state.name,
      answer: (sql) => {
        if (behaviour === 'never-answers') return new Promise<string>(() => {});
        if (leaderChanges-- > 0) return Promise.reject(new LeaderChangedError());
        return Promise.resolve(`${state.name}: ${sql}`);
      },
    };
    const failed = new Promise<never>((_, reject) => {
      if (behaviour === 'reports-failure') setTimeout(() => reject(new Error('could not open')), 5);
    });
    failed.catch(() => {});
    // A slow start: the worker says at once that it is opening, and is open after 3 open timeouts.
    const slowOpen = new Promise<void>((resolve) => setTimeout(resolve, 150));
    return {
      db,
      connected: () =>
        behaviour === 'never-opens' || behaviour === 'reports-failure'
          ? new Promise(() => {})
          : behaviour === 'opens-slowly'
            ? slowOpen
            : Promise.resolve(),
      opening: behaviour === 'opens-slowly' ? Promise.resolve() : new Promise(() => {}),
      failed,
      close: async () => {
        state.closed = true;
      },
    };
  };
  return { connect, started };
}

const options: WorkerDatabaseOptions = {
  openTimeoutMs: 50,
  openWorkTimeoutMs: 1_000,
  openAttempts: 3,
  retryDelayMs: 5,
  callTimeoutMs: 50,
  readTimeoutMs: 50,
};

describe('the local database worker watchdog', () => {
  it('gives up on a worker that never opens and opens with a fresh one', async () => {
    const workers = fakeWorkers(['never-opens', 'opens']);
    const database = new WorkerDatabase(workers.connect, options);
    expect(await database.ready).toBe(true);
    expect(await database.call((db) => db.answer('SELECT 1'))).toBe('worker-2: SELECT 1');
    expect(workers.started).toEqual([
      { name: 'worker-1', closed: true },
      { name: 'worker-2', closed: false },
    ]);
  });

  it('lets a worker that has started opening finish, however slow, instead of starting over', async () => {
    const workers = fakeWorkers(['opens-slowly']);
    const database = new WorkerDatabase(workers.connect, options);
    expect(await database.ready).toBe(true);
    expect(workers.started).toEqual([{ name: 'worker-1', closed: false }]);
    expect(await database.call((db) => db.answer('SELECT 1'))).toBe('worker-1: SELECT 1');
  });

  it('gives up on a started open past its own limit', async () => {
    const workers = fakeWorkers(['opens-slowly', 'opens']);
    const database = new WorkerDatabase(workers.connect, { ...options, openWorkTimeoutMs: 60 });
    expect(await database.ready).toBe(true);
    expect(workers.started.map((w) => w.closed)).toEqual([true, false]);
  });

  it('tries again soon (not after the open timeout) when the worker reports that it cannot open', async () => {
    const workers = fakeWorkers(['reports-failure', 'opens']);
    const started = performance.now();
    const database = new WorkerDatabase(workers.connect, { ...options, openTimeoutMs: 10_000 });
    expect(await database.ready).toBe(true);
    expect(performance.now() - started).toBeLessThan(1_000);
  });

  it('after the last failed attempt the device goes without a database, and calls say so', async () => {
    const workers = fakeWorkers(['never-opens', 'never-opens', 'reports-failure']);
    const database = new WorkerDatabase(workers.connect, options);
    expect(await database.ready).toBe(false);
    expect(workers.started.every((w) => w.closed)).toBe(true);
    await expect(database.call((db) => db.answer('SELECT 1'))).rejects.toBeInstanceOf(DatabaseUnavailable);
  });

  it('a call without an answer fails, and the calls after it run on a fresh worker', async () => {
    const workers = fakeWorkers(['never-answers', 'opens']);
    const database = new WorkerDatabase(workers.connect, options);
    await expect(database.call((db) => db.answer('INSERT …'))).rejects.toBeInstanceOf(DatabaseStalled);
    expect(await database.call((db) => db.answer('SELECT 1'))).toBe('worker-2: SELECT 1');
    expect(workers.started[0]!.closed).toBe(true);
  });

  it('asks a read that got no answer again, on a fresh worker', async () => {
    const workers = fakeWorkers(['never-answers', 'opens']);
    const database = new WorkerDatabase(workers.connect, options);
    expect(await database.call((db) => db.answer('SELECT 1'), { read: true })).toBe('worker-2: SELECT 1');
    expect(workers.started[0]!.closed).toBe(true);
  });

  it('asks a read again when its leader went away (twice in one handover), but not a write', async () => {
    const reads = new WorkerDatabase(fakeWorkers(['leader-changes-twice']).connect, options);
    expect(await reads.call((db) => db.answer('SELECT 1'), { read: true })).toBe('worker-1: SELECT 1');
    const writes = new WorkerDatabase(fakeWorkers(['leader-changes-twice']).connect, options);
    await expect(writes.call((db) => db.answer('DELETE …'))).rejects.toThrow(/Leader changed/);
  });
});
