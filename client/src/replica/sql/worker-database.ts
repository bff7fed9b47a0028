/**
 * Keeps the replica's database worker answering. PGlite's worker wrapper elects one worker as leader
 * among the member's tabs and posts every call to it over a BroadcastChannel; a call posted while no
 * leader listens (the previous page's worker dying during a reload, the next one still opening) is
 * never answered and never fails (electric-sql/pglite#1109), and a worker whose database cannot open
 * never says so. Either left the device's database — and everything queued behind it — waiting for good.
 *
 * So: a call is posted only while a leader is connected; an open that neither succeeds nor fails in
 * time is abandoned and tried again with a fresh worker; a call without an answer in time fails and the
 * worker is replaced, so the calls after it run again.
 *
 * "In time" for an open has two parts. Until the worker says it is opening (it leads, PGlite is starting),
 * nothing may be happening at all: `openTimeoutMs`. Once it is, the open is real work — compiling the
 * WebAssembly and starting Postgres takes 4–9 s of CPU on a 2-core machine, several tabs or a busy phone
 * multiply it — and abandoning it only starts the same work again from nothing (three tabs opening at once
 * on such a machine never got there within 30 s, each retry as slow as the one before): `openWorkTimeoutMs`.
 */

import { LeaderChangedError } from '@electric-sql/pglite/worker';

/** One started worker, as the replica needs it (PGliteWorker plus the worker's own failure report). */
export interface DatabaseConnection<Db> {
  readonly db: Db;
  /** Resolves once calls reach a leader (again, after the leader changed). */
  connected(): Promise<void>;
  /** Resolves when this worker leads and has started opening the database; never rejects. */
  readonly opening: Promise<void>;
  /** Rejects when the worker reports that it cannot open the database; never resolves. */
  readonly failed: Promise<never>;
  /** Stops the worker (its tab's leadership, if it had it, passes to another tab's worker). */
  close(): Promise<void>;
}

export interface WorkerDatabaseOptions {
  /** How long an attempt to open may wait for the worker to start opening before a fresh worker tries again. */
  openTimeoutMs: number;
  /** How long an open the worker has started may take before it is abandoned (see the top of this file). */
  openWorkTimeoutMs: number;
  /** Attempts to open before the device goes without a local database. */
  openAttempts: number;
  /** Pause before attempt n + 1 (times n): files another worker still holds are given time to be let go. */
  retryDelayMs: number;
  /** How long a call may go unanswered before the worker is taken for stuck and replaced. */
  callTimeoutMs: number;
  /**
   * The same for a read. Shorter: a read is one query (a search over 100,000 rows answers in tens of ms)
   * and it is asked again, while a write may be a catch-up of thousands of rows. A member's other tab
   * closing (its worker led) left about half the reads right after it unanswered until this ran out.
   */
  readTimeoutMs: number;
  onProblem?: (problem: string, err?: unknown) => void;
}

/** The database could not be opened on this device (the app runs on without offline copies). */
export class DatabaseUnavailable extends Error {
  constructor() {
    super('This device could not open its local database.');
  }
}

/** A call got no answer in time; the worker was replaced. */
export class DatabaseStalled extends Error {
  constructor(ms: number) {
    super(`The local database did not answer within ${ms} ms; it was restarted.`);
  }
}

class TimedOut extends Error {}

function within<T>(promise: Promise<T>, ms: number): Promise<T> {
  let timer: ReturnType<typeof setTimeout> | undefined;
  const late = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new TimedOut()), ms);
  });
  return Promise.race([promise, late]).finally(() => clearTimeout(timer));
}

/** A read's attempts: two leader-change signals of one handover, then a fresh worker. */
const READ_ATTEMPTS = 3;

const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

export class WorkerDatabase<Db> {
  /** Resolves true once the database first opened, false when it could not be opened. */
  readonly ready: Promise<boolean>;
  private current: Promise<DatabaseConnection<Db> | null>;
  private closed = false;

  constructor(
    private readonly connect: () => DatabaseConnection<Db>,
    private readonly options: WorkerDatabaseOptions,
  ) {
    this.current = this.open();
    this.ready = this.current.then((conn) => conn !== null);
  }

  /**
   * Runs `op` on the open database. A read (`read: true`) is asked again when its leader went away
   * (`LeaderChangedError`; a handover can signal it twice) and, on a fresh worker, when it got no answer
   * within `readTimeoutMs`; a write is not asked again (it may have been applied: the caller decides).
   */
  async call<T>(op: (db: Db) => Promise<T>, { read = false }: { read?: boolean } = {}): Promise<T> {
    const timeoutMs = read ? this.options.readTimeoutMs : this.options.callTimeoutMs;
    for (let attempt = 1; ; attempt++) {
      const conn = await this.current;
      if (!conn || this.closed) throw new DatabaseUnavailable();
      const again = read && attempt < READ_ATTEMPTS;
      try {
        return await within(
          conn.connected().then(() => op(conn.db)),
          timeoutMs,
        );
      } catch (err) {
        if (err instanceof TimedOut) {
          this.options.onProblem?.('a call to the local database got no answer; restarting it');
          this.replace(conn);
          if (again) continue;
          throw new DatabaseStalled(timeoutMs);
        }
        if (again && err instanceof LeaderChangedError) continue;
        throw err;
      }
    }
  }

  async close(): Promise<void> {
    this.closed = true;
    const conn = await this.current;
    await conn?.close().catch(() => {});
  }

  private replace(stuck: DatabaseConnection<Db>): void {
    const previous = this.current;
    this.current = previous.then((conn) => {
      // Another call replaced it already.
      if (conn !== stuck) return conn;
      void stuck.close().catch(() => {});
      return this.closed ? null : this.open();
    });
  }

  /** Resolves when `conn` is open; rejects with TimedOut (see the top of this file) or its failure. */
  private async untilOpen(conn: DatabaseConnection<Db>): Promise<void> {
    const done = Promise.race([conn.connected(), conn.failed]);
    const started = await within(
      Promise.race([done.then(() => false), conn.opening.then(() => true)]),
      this.options.openTimeoutMs,
    );
    if (started) await within(done, this.options.openWorkTimeoutMs);
  }

  private async open(): Promise<DatabaseConnection<Db> | null> {
    for (let attempt = 1; attempt <= this.options.openAttempts && !this.closed; attempt++) {
      let conn: DatabaseConnection<Db> | undefined;
      try {
        conn = this.connect();
        await this.untilOpen(conn);
        if (this.closed) {
          await conn.close().catch(() => {});
          return null;
        }
        return conn;
      } catch (err) {
        this.options.onProblem?.(
          err instanceof TimedOut
            ? `the local database did not open in time (attempt ${attempt})`
            : `the local database failed to open (attempt ${attempt})`,
          err instanceof TimedOut ? undefined : err,
        );
        await conn?.close().catch(() => {});
        if (attempt < this.options.openAttempts) await sleep(this.options.retryDelayMs * attempt);
      }
    }
    return null;
  }
}
