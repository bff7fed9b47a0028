import { spawn, type ChildProcess } from 'node:child_process';
import { randomBytes, randomUUID } from 'node:crypto';
import { fileURLToPath } from 'node:url';
import { Queue } from 'bullmq';
import { Redis } from 'ioredis';
import pg from 'pg';
import { pino } from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import * as Y from 'yjs';
import { readMessages, readMeta, type ChannelChange } from '../../shared/sync/channel-doc.ts';
import { metaDocName, parseDocName, segmentDocName } from '../../shared/sync/doc-names.ts';
import type { Database } from '../../sync-server/db/database.ts';
import { migrate } from '../../sync-server/db/migrate.ts';
import { createPgDatabase } from '../../sync-server/db/pg-database.ts';
import { createMemoryFanoutBus } from '../../sync-server/fanout/memory-fanout.ts';
import { seedLounge } from '../../sync-server/features/lounge/seed-lounge.ts';
import type { UserRow } from '../../sync-server/features/users/users-repo.ts';
import { processIntent, type IntentDeps } from '../../sync-server/intents/process-intent.ts';
import { createMemoryPresenceStore } from '../../sync-server/presence/memory-presence-store.ts';
import { readChanges } from '../../sync-server/sync/change-log.ts';
import {
  applyChange,
  loadChannelDoc,
  newServerDoc,
  type ChannelDocName,
} from '../../sync-server/sync/channel-doc-store.ts';
import type { SyncPeer } from '../../sync-server/sync/sync-peer.ts';
import { SyncService } from '../../sync-server/sync/sync-service.ts';
import { BullmqQueue } from '../../workers/bullmq-queue.ts';
import { startJobWorkers } from '../../workers/bullmq-workers.ts';
import { archiveIdleThreads } from '../../workers/handlers/archive-idle-threads.ts';
import { snapshotChannelDoc } from '../../workers/handlers/snapshot-channel-doc.ts';
import { InProcessQueue } from '../../workers/in-process-queue.ts';
import { createJobHandlers, type JobHandlers } from '../../workers/job-handlers.ts';
import { SnapshotScheduler } from '../../workers/snapshot-scheduler.ts';
import { createMember, intentDeps, loungeRoomId, unlimitedRateLimiter } from '../support/fixtures.ts';
import { createTestDatabase, type TestDatabase } from '../support/postgres.ts';
import { scratchAttachmentStore } from '../support/test-app.ts';

const REDIS_URL = process.env.TEST_REDIS_URL ?? 'redis://127.0.0.1:6379';
const REPO_ROOT = fileURLToPath(new URL('../..', import.meta.url));
const logger = pino({ level: process.env.TEST_LOG_LEVEL ?? 'silent' });
/** These tests are about jobs, not rate limits: every send is allowed. */

/** Polls `check` every 50 ms until it holds; fails with `what` after `timeoutMs`. */
async function waitUntil(what: string, check: () => Promise<boolean> | boolean, timeoutMs = 15_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (let i = 0; Date.now() < deadline && i < 10_000; i += 1) {
    if (await check()) return;
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
}

describe('workers: snapshot and thread archive jobs against PostgreSQL and Redis', () => {
  let testDb: TestDatabase;
  let db: Database;
  let intents: IntentDeps;
  let author: UserRow;
  const prefix = `lounge-test-${randomBytes(6).toString('hex')}`;
  const redis = new Redis(REDIS_URL, { maxRetriesPerRequest: 3, lazyConnect: true });

  beforeAll(async () => {
    testDb = await createTestDatabase();
    db = createPgDatabase(testDb.url);
    await migrate(db);
    await seedLounge(db);
    intents = intentDeps(db, unlimitedRateLimiter);
    author = await createMember(db, 'writer');
    await redis.connect();
  });
  afterAll(async () => {
    // Every key of this run's queues carries the unique prefix; nothing else is touched.
    let cursor = '0';
    for (let i = 0; i < 1000; i += 1) {
      const [next, keys] = await redis.scan(cursor, 'MATCH', `${prefix}:*`, 'COUNT', 500);
      if (keys.length > 0) await redis.del(...keys);
      cursor = next;
      if (cursor === '0') break;
    }
    redis.disconnect();
    await db.close();
    await testDb.drop();
  });

  async function send(channelId: string, count: number, label = 'message'): Promise<ChannelChange[]> {
    const changes: ChannelChange[] = [];
    for (let i = 0; i < count; i += 1) {
      const outcome = await processIntent(intents, author.id, randomUUID(), {
        kind: 'send',
        channelId,
        body: `${label} ${i + 1}`,
        n: i + 1,
        createdAt: Date.now(),
      });
      expect(outcome.verdict.status).toBe('accepted');
      changes.push(...outcome.changes);
    }
    return changes;
  }

  async function currentChangeSeq(channelId: string): Promise<number> {
    const { rows } = await db.query<{ change_seq: number }>('SELECT change_seq FROM channels WHERE id = $1', [
      channelId,
    ]);
    return rows[0]!.change_seq;
  }

  async function storedSnapshot(docName: string): Promise<{ state: Uint8Array; changeSeq: number } | undefined> {
    const { rows } = await db.query<{ state: Buffer; change_seq: number }>(
      'SELECT state, change_seq FROM doc_snapshots WHERE doc_name = $1',
      [docName],
    );
    return rows[0] ? { state: new Uint8Array(rows[0].state), changeSeq: rows[0].change_seq } : undefined;
  }

  /** The doc as it is after change `untilSeq`, built from the change log alone (no snapshot). */
  async function rebuildFromScratch(docName: string, untilSeq?: number): Promise<Y.Doc> {
    const name = parseDocName(docName) as ChannelDocName;
    const until = untilSeq ?? (await currentChangeSeq(name.channelId));
    const doc = newServerDoc();
    const changes = await readChanges(db, name.channelId, {
      afterSeq: 0,
      untilSeq: until,
      ...(name.kind === 'channel-segment' ? { segment: name.segment } : {}),
    });
    for (const change of changes) applyChange(doc, name, change);
    return doc;
  }

  /** A stored snapshot is valid when it is exactly the doc rebuilt from scratch at its change_seq. */
  async function expectValidSnapshot(docName: string): Promise<number> {
    const stored = await storedSnapshot(docName);
    expect(stored, `snapshot of ${docName}`).toBeDefined();
    const fromSnapshot = newServerDoc(stored!.state);
    const rebuilt = await rebuildFromScratch(docName, stored!.changeSeq);
    expect(Y.encodeStateAsUpdate(fromSnapshot)).toEqual(Y.encodeStateAsUpdate(rebuilt));
    return stored!.changeSeq;
  }

  describe('snapshot-channel-doc', () => {
    it("writes a snapshot at the channel's change_seq; snapshot + later changes loads the same doc as a rebuild from scratch", async () => {
      const room = await loungeRoomId(db, 'newcomers');
      // 300 messages span two segments (256 per segment).
      await send(room, 300);
      const docs = [metaDocName(room), segmentDocName(room, 0), segmentDocName(room, 1)];
      for (const docName of docs) await snapshotChannelDoc({ db, logger }, { docName });
      const atSnapshot = await currentChangeSeq(room);
      for (const docName of docs) expect(await expectValidSnapshot(docName)).toBe(atSnapshot);

      await send(room, 25, 'later');
      for (const docName of docs) {
        const loaded = await loadChannelDoc(db, parseDocName(docName) as ChannelDocName);
        const rebuilt = await rebuildFromScratch(docName);
        expect(loaded.changeSeq).toBe(atSnapshot + 25);
        expect(Y.encodeStateAsUpdate(loaded.doc)).toEqual(Y.encodeStateAsUpdate(rebuilt));
        expect(readMessages(loaded.doc, room)).toEqual(readMessages(rebuilt, room));
        expect(readMeta(loaded.doc)).toEqual(readMeta(rebuilt));
      }
      const meta = await loadChannelDoc(db, { kind: 'channel-meta', channelId: room });
      expect(meta.replayed).toBe(25);
      expect(readMeta(meta.doc).head).toBe(1);
      const seg1 = await loadChannelDoc(db, { kind: 'channel-segment', channelId: room, segment: 1 });
      expect(readMessages(seg1.doc, room).map((m) => m.seq)).toEqual(
        Array.from({ length: 325 - 256 }, (_, i) => 257 + i),
      );
    });

    it('never moves a snapshot backwards and rejects non-channel doc names', async () => {
      const room = await loungeRoomId(db, 'newcomers');
      const docName = metaDocName(room);
      await send(room, 3);
      await snapshotChannelDoc({ db, logger }, { docName });
      const newest = (await storedSnapshot(docName))!.changeSeq;
      // A stale writer (an old, stuck job) tries to store an older state: the upsert keeps the newer one.
      await db.query(
        `INSERT INTO doc_snapshots (doc_name, state, change_seq) VALUES ($1, $2, $3)
         ON CONFLICT (doc_name) DO UPDATE SET state = EXCLUDED.state, change_seq = EXCLUDED.change_seq
          WHERE doc_snapshots.change_seq < EXCLUDED.change_seq`,
        [docName, Y.encodeStateAsUpdate(new Y.Doc()), newest - 2],
      );
      expect(await expectValidSnapshot(docName)).toBe(newest);
      await expect(snapshotChannelDoc({ db, logger }, { docName: `private.${author.id}` })).rejects.toThrow(
        /not a channel doc/,
      );
    });

    it('in-process queue: a handler that throws once is retried with backoff and its snapshot lands', async () => {
      const room = await loungeRoomId(db, 'general');
      await send(room, 5);
      const real = createJobHandlers({ db, attachments: scratchAttachmentStore(), onChanges: async () => {} });
      const attempts: number[] = [];
      const handlers: JobHandlers = {
        ...real,
        'snapshot-channel-doc': async (data, ctx) => {
          attempts.push(ctx.attempt);
          if (ctx.attempt === 1) throw new Error('injected failure');
          await real['snapshot-channel-doc'](data, ctx);
        },
      };
      const queue = new InProcessQueue(handlers, logger, { retry: { attempts: 3, backoffMs: 100 } });
      try {
        const docName = metaDocName(room);
        await queue.enqueue('snapshot-channel-doc', { docName }, { jobId: docName });
        await waitUntil(
          'the retried snapshot',
          async () => (await storedSnapshot(docName))?.changeSeq === (await currentChangeSeq(room)),
        );
        expect(attempts).toEqual([1, 2]);
        await expectValidSnapshot(docName);
      } finally {
        await queue.close();
      }
    });

    it('sync service: changes applied to a loaded doc schedule one debounced snapshot; a long replay at load, one at once', async () => {
      const room = await loungeRoomId(db, 'general');
      const busy = await loungeRoomId(db, 'ai-art');
      const segment = segmentDocName(room, 0);
      const busyMeta = metaDocName(busy);
      await db.query('DELETE FROM doc_snapshots WHERE doc_name = ANY($1::text[])', [[segment, busyMeta]]);
      // Messages do not touch a meta doc (only segment changes do), so its snapshot falls behind and a
      // load replays them all: 200 of them make the load itself schedule a snapshot.
      await send(busy, 200, 'backlog');
      const queue = new InProcessQueue(
        createJobHandlers({ db, attachments: scratchAttachmentStore(), onChanges: async () => {} }),
        logger,
      );
      const scheduled: string[] = [];
      const snapshots = new SnapshotScheduler({
        debounceMs: 100,
        maxWaitMs: 1000,
        schedule: async (name) => {
          scheduled.push(name);
          await queue.enqueue('snapshot-channel-doc', { docName: name }, { jobId: name });
        },
      });
      const sync = new SyncService({
        db,
        fanout: createMemoryFanoutBus().connect(),
        presence: createMemoryPresenceStore(),
        intents,
        logger,
        catchUpIntervalMs: 0,
        snapshots,
      });
      const peer: SyncPeer = {
        id: 'peer',
        userId: author.id,
        sendSync: () => {},
        sendAwareness: () => {},
        notice: () => {},
        dropDoc: () => {},
      };
      const snapshotAtHead = (docName: string, channelId: string) => async () =>
        (await storedSnapshot(docName))?.changeSeq === (await currentChangeSeq(channelId));
      try {
        await sync.registry.attach(segment, { kind: 'channel-segment', channelId: room, segment: 0 }, peer);
        expect(scheduled).toEqual([]);
        const changes = await send(room, 3, 'live');
        await sync.channels.committed(changes);
        await waitUntil('the debounced snapshot', snapshotAtHead(segment, room));
        // Three changes in one burst: one job.
        expect(scheduled).toEqual([segment]);
        await expectValidSnapshot(segment);

        await sync.registry.attach(busyMeta, { kind: 'channel-meta', channelId: busy }, peer);
        await waitUntil('the snapshot after a long replay', snapshotAtHead(busyMeta, busy));
        expect(scheduled).toEqual([segment, busyMeta]);
        await expectValidSnapshot(busyMeta);
      } finally {
        await sync.close();
        snapshots.close();
        await queue.close();
      }
    });

    it('BullMQ: a job that throws once is retried and lands; jobs with the same id pending are run once', async () => {
      const room = await loungeRoomId(db, 'ai-art');
      const docName = metaDocName(room);
      await send(room, 4);
      const real = createJobHandlers({ db, attachments: scratchAttachmentStore(), onChanges: async () => {} });
      const runs: Array<{ jobId: string; attempt: number }> = [];
      const handlers: JobHandlers = {
        ...real,
        'snapshot-channel-doc': async (data, ctx) => {
          runs.push({ jobId: ctx.jobId, attempt: ctx.attempt });
          if (runs.length === 1) throw new Error('injected failure');
          await real['snapshot-channel-doc'](data, ctx);
        },
      };
      const queue = new BullmqQueue({ redisUrl: REDIS_URL, prefix, retry: { attempts: 3, backoffMs: 200 } }, logger);
      const workers = startJobWorkers({ redisUrl: REDIS_URL, prefix, handlers, logger, concurrency: 2, lockMs: 5000 });
      try {
        // Five enqueues of one doc while the first is still delayed: one job.
        for (let i = 0; i < 5; i += 1)
          await queue.enqueue('snapshot-channel-doc', { docName }, { jobId: docName, delayMs: 300 });
        await waitUntil(
          'the retried snapshot',
          async () => (await storedSnapshot(docName))?.changeSeq === (await currentChangeSeq(room)),
        );
        expect(runs.map((r) => r.attempt)).toEqual([1, 2]);
        expect(new Set(runs.map((r) => r.jobId)).size).toBe(1);
        await expectValidSnapshot(docName);

        // Once finished, the same id is free again: a later change gets its own job.
        await send(room, 2);
        await queue.enqueue('snapshot-channel-doc', { docName }, { jobId: docName });
        await waitUntil(
          'the second snapshot',
          async () => (await storedSnapshot(docName))?.changeSeq === (await currentChangeSeq(room)),
        );
        expect(runs).toHaveLength(3);
      } finally {
        await workers.close();
        await queue.close();
      }
    });
    it('BullMQ: a job enqueued while the same id runs is kept and runs once after it', async () => {
      const room = await loungeRoomId(db, 'ai-art');
      const docName = segmentDocName(room, 0);
      const real = createJobHandlers({ db, attachments: scratchAttachmentStore(), onChanges: async () => {} });
      let release!: () => void;
      const firstRunBlocked = new Promise<void>((resolve) => (release = resolve));
      let runs = 0;
      const handlers: JobHandlers = {
        ...real,
        'snapshot-channel-doc': async (data, ctx) => {
          runs += 1;
          if (runs === 1) await firstRunBlocked;
          await real['snapshot-channel-doc'](data, ctx);
        },
      };
      const queue = new BullmqQueue({ redisUrl: REDIS_URL, prefix }, logger);
      const workers = startJobWorkers({ redisUrl: REDIS_URL, prefix, handlers, logger, concurrency: 2, lockMs: 5000 });
      try {
        await queue.enqueue('snapshot-channel-doc', { docName }, { jobId: docName });
        await waitUntil('the first run to start', () => runs === 1);
        // A change lands while the job runs: its snapshot must not be swallowed by the running job.
        await send(room, 2, 'during the run');
        await queue.enqueue('snapshot-channel-doc', { docName }, { jobId: docName });
        await queue.enqueue('snapshot-channel-doc', { docName }, { jobId: docName });
        await new Promise((resolve) => setTimeout(resolve, 300));
        expect(runs).toBe(1);
        release();
        await waitUntil(
          'the follow-up snapshot',
          async () => (await storedSnapshot(docName))?.changeSeq === (await currentChangeSeq(room)),
        );
        await new Promise((resolve) => setTimeout(resolve, 300));
        expect(runs).toBe(2);
        await expectValidSnapshot(docName);
      } finally {
        release();
        await workers.close();
        await queue.close();
      }
    });
  });

  describe('archive-idle-threads', () => {
    async function createThread(roomId: string, title: string, autoArchiveAfterHours?: number): Promise<string> {
      const outcome = await processIntent(intents, author.id, randomUUID(), {
        kind: 'create_thread',
        roomId,
        title,
        body: `first post of ${title}`,
        ...(autoArchiveAfterHours ? { autoArchiveAfterHours } : {}),
        n: 1,
        createdAt: Date.now(),
      });
      expect(outcome.verdict.status).toBe('accepted');
      return (outcome.verdict as { channelId: string }).channelId;
    }

    it('archives idle threads (by last message, or creation when none), logs a thread change, leaves live ones', async () => {
      const room = await loungeRoomId(db, 'prompt-engineering');
      const stale = await createThread(room, 'stale');
      const neverPosted = await createThread(room, 'never posted');
      const live = await createThread(room, 'live');
      // Its creator chose "archive after 1 hour" (the others keep the default 3 days).
      const shortFuse = await createThread(room, 'short fuse', 1);
      await db.query(`UPDATE threads SET last_message_at = now() - interval '100 hours' WHERE id = $1`, [stale]);
      await db.query(
        `UPDATE threads SET last_message_at = NULL, created_at = now() - interval '80 hours' WHERE id = $1`,
        [neverPosted],
      );
      await db.query(`UPDATE threads SET last_message_at = now() - interval '10 hours' WHERE id = $1`, [live]);
      await db.query(`UPDATE threads SET last_message_at = now() - interval '2 hours' WHERE id = $1`, [shortFuse]);
      const before = await currentChangeSeq(room);

      const announced: ChannelChange[] = [];
      const result = await archiveIdleThreads({ db, logger, onChanges: async (c) => void announced.push(...c) }, {});

      expect(result.archived).toBe(3);
      const { rows } = await db.query<{ id: string; archived: boolean }>(
        'SELECT id, archived_at IS NOT NULL AS archived FROM threads WHERE room_id = $1',
        [room],
      );
      const archived = new Map(rows.map((r) => [r.id, r.archived]));
      expect([stale, neverPosted, shortFuse, live].map((id) => archived.get(id))).toEqual([true, true, true, false]);

      expect(announced.map((c) => c.changeSeq)).toEqual([before + 1, before + 2, before + 3]);
      for (const change of announced) {
        expect(change).toMatchObject({ kind: 'thread', channelId: room, thread: { archived: true } });
      }
      expect(new Set(announced.map((c) => (c.kind === 'thread' ? c.thread.id : '')))).toEqual(
        new Set([stale, neverPosted, shortFuse]),
      );

      // The room's meta doc, loaded from Postgres, shows the new thread states.
      const meta = await loadChannelDoc(db, { kind: 'channel-meta', channelId: room });
      const states = new Map(readMeta(meta.doc).threads.map((t) => [t.id, t.archived]));
      expect([stale, neverPosted, shortFuse, live].map((id) => states.get(id))).toEqual([true, true, true, false]);

      // Nothing is left to do: a second run changes nothing.
      const again = await archiveIdleThreads({ db, logger, onChanges: async (c) => void announced.push(...c) }, {});
      expect(again.archived).toBe(0);
      expect(await currentChangeSeq(room)).toBe(before + 3);

      // A reply brings an archived thread back; it is live again for the next run.
      await send(stale, 1, 'revived');
      const { rows: revived } = await db.query<{ archived_at: Date | null }>(
        'SELECT archived_at FROM threads WHERE id = $1',
        [stale],
      );
      expect(revived[0]!.archived_at).toBeNull();
      expect((await archiveIdleThreads({ db, logger, onChanges: async () => {} }, {})).archived).toBe(0);
    });

    it('a failed announcement does not fail the job (the change is committed; catch-up delivers it)', async () => {
      const room = await loungeRoomId(db, 'prompt-engineering');
      const thread = await createThread(room, 'announce fails');
      await db.query(`UPDATE threads SET last_message_at = now() - interval '200 hours' WHERE id = $1`, [thread]);
      const result = await archiveIdleThreads(
        {
          db,
          logger,
          onChanges: async () => {
            throw new Error('fan-out down');
          },
        },
        {},
      );
      expect(result.archived).toBe(1);
      const changes = await readChanges(db, room, { afterSeq: (await currentChangeSeq(room)) - 1 });
      expect(changes[0]).toMatchObject({ kind: 'thread', thread: { id: thread, archived: true } });
    });
  });

  describe('worker process (workers/main.ts)', () => {
    interface WorkerProcess {
      child: ChildProcess;
      output(): string;
      exited(timeoutMs: number): Promise<{ code: number | null; signal: NodeJS.Signals | null } | undefined>;
    }

    function spawnWorker(env: Record<string, string | undefined>): WorkerProcess {
      let output = '';
      const child = spawn(process.execPath, ['--import', 'tsx', 'workers/main.ts'], {
        cwd: REPO_ROOT,
        env: {
          PATH: process.env.PATH,
          NODE_ENV: 'test',
          LOG_LEVEL: 'info',
          AUTH_JWT_SECRET: 'test-host-platform-secret-0123456789abcdef',
          LOUNGE_SIGNING_SECRET: 'test-lounge-signing-secret-0123456789abcdef',
          LOUNGE_JOBS_PREFIX: prefix,
          WORKER_LOCK_MS: '1500',
          ...env,
        },
        stdio: ['ignore', 'pipe', 'pipe'],
      });
      const record = (chunk: Buffer) => {
        output = (output + chunk.toString('utf8')).slice(-64 * 1024);
      };
      child.stdout?.on('data', record);
      child.stderr?.on('data', record);
      const exit = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) =>
        child.once('exit', (code, signal) => resolve({ code, signal })),
      );
      return {
        child,
        output: () => output,
        exited: (timeoutMs) =>
          Promise.race([exit, new Promise<undefined>((resolve) => setTimeout(() => resolve(undefined), timeoutMs))]),
      };
    }

    const productionEnv = () => ({ DATABASE_URL: testDb.url, REDIS_URL });
    const spawned: WorkerProcess[] = [];
    const startWorker = async () => {
      const worker = spawnWorker(productionEnv());
      spawned.push(worker);
      await waitUntil(
        'the worker to start',
        () => worker.output().includes('worker started') || worker.child.exitCode !== null,
        30_000,
      );
      expect(worker.child.exitCode, worker.output()).toBeNull();
      return worker;
    };
    afterAll(async () => {
      for (const w of spawned) if (w.child.exitCode === null && w.child.signalCode === null) w.child.kill('SIGKILL');
    });

    /** Holds the row lock of a doc's snapshot, so the job's upsert blocks mid-run until release. */
    async function lockSnapshotRow(docName: string): Promise<{ release(): Promise<void> }> {
      const client = new pg.Client({ connectionString: testDb.url });
      await client.connect();
      await client.query('BEGIN');
      await client.query('SELECT 1 FROM doc_snapshots WHERE doc_name = $1 FOR UPDATE', [docName]);
      return {
        async release() {
          await client.query('ROLLBACK').catch(() => {});
          await client.end();
        },
      };
    }

    const upsertWaitingOnLock = async () => {
      const { rows } = await db.query<{ n: number }>(
        `SELECT count(*)::int AS n FROM pg_stat_activity
          WHERE datname = $1 AND wait_event_type = 'Lock' AND query LIKE 'INSERT INTO doc_snapshots%'`,
        [testDb.name],
      );
      return rows[0]!.n > 0;
    };

    const completedJobs = async (): Promise<number> => {
      const queue = new Queue('snapshot-channel-doc', { connection: redis, prefix });
      try {
        return (await queue.getJobCounts('completed')).completed ?? 0;
      } finally {
        await queue.close();
      }
    };

    it('refuses to start without DATABASE_URL and REDIS_URL, saying why', async () => {
      const worker = spawnWorker({ DATABASE_URL: testDb.url });
      const exit = await worker.exited(30_000);
      expect(exit?.code).toBe(1);
      expect(worker.output()).toMatch(/needs DATABASE_URL and REDIS_URL/);
    });

    it('SIGKILL mid-job leaves the old or the new snapshot, never a broken one; a restarted worker completes the job', async () => {
      const room = await loungeRoomId(db, 'coding');
      // A segment doc: every message changes it, so the old and the new snapshot really differ.
      const docName = segmentDocName(room, 0);
      await send(room, 10);
      await snapshotChannelDoc({ db, logger }, { docName });
      const oldSeq = await expectValidSnapshot(docName);
      await send(room, 10, 'after the old snapshot');
      const newSeq = await currentChangeSeq(room);
      const completedBefore = await completedJobs();

      const lock = await lockSnapshotRow(docName);
      const queue = new BullmqQueue({ redisUrl: REDIS_URL, prefix }, logger);
      try {
        const first = await startWorker();
        await queue.enqueue('snapshot-channel-doc', { docName }, { jobId: docName });
        await waitUntil('the job to block on the snapshot row', upsertWaitingOnLock);
        first.child.kill('SIGKILL');
        expect(await first.exited(10_000)).toMatchObject({ signal: 'SIGKILL' });

        // Killed mid-write: the stored snapshot is still the old one, intact.
        expect(await expectValidSnapshot(docName)).toBe(oldSeq);
        await lock.release();
        // The dead worker's statement may still finish or be dropped: either snapshot is a valid start.
        expect([oldSeq, newSeq]).toContain(await expectValidSnapshot(docName));

        const second = await startWorker();
        await waitUntil(
          'the restarted worker to complete the stalled job',
          async () => (await completedJobs()) > completedBefore,
          30_000,
        );
        expect(await expectValidSnapshot(docName)).toBe(newSeq);
        const loaded = await loadChannelDoc(db, { kind: 'channel-segment', channelId: room, segment: 0 });
        expect(loaded.replayed).toBe(0);
        expect(readMessages(loaded.doc, room)).toHaveLength(20);
        expect(second.output()).toMatch(/"jobId":"[^"]+".*"msg":"job completed"/);
        second.child.kill('SIGTERM');
        expect(await second.exited(20_000)).toMatchObject({ code: 0 });
      } finally {
        await lock.release();
        await queue.close();
      }
    }, 90_000);

    it('SIGTERM lets the running job finish, then the worker exits cleanly', async () => {
      const room = await loungeRoomId(db, 'coding');
      const docName = segmentDocName(room, 0);
      await send(room, 5, 'before sigterm');
      const target = await currentChangeSeq(room);
      const lock = await lockSnapshotRow(docName);
      const queue = new BullmqQueue({ redisUrl: REDIS_URL, prefix }, logger);
      try {
        const worker = await startWorker();
        await queue.enqueue('snapshot-channel-doc', { docName }, { jobId: docName });
        await waitUntil('the job to block on the snapshot row', upsertWaitingOnLock);
        worker.child.kill('SIGTERM');
        // Still running: it waits for its job.
        expect(await worker.exited(1000)).toBeUndefined();
        await lock.release();
        expect(await worker.exited(20_000)).toMatchObject({ code: 0 });
        expect(await expectValidSnapshot(docName)).toBe(target);
        // Both lines, in either order: pino writes asynchronously, so the order of lines is not the order of events.
        expect(worker.output()).toMatch(/job completed/);
        expect(worker.output()).toMatch(/worker stopped/);
      } finally {
        await lock.release();
        await queue.close();
      }
    }, 60_000);
  });
});
