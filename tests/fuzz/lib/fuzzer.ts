import { readFileSync } from 'node:fs';
import WebSocket from 'ws';
import { decodeFrame, decodeNotice, encodeFrame, FrameType } from '../../../shared/protocol/frames.ts';
import type { Database } from '../../../sync-server/db/database.ts';
import { migrate } from '../../../sync-server/db/migrate.ts';
import { createPgDatabase } from '../../../sync-server/db/pg-database.ts';
import { seedLounge } from '../../../sync-server/features/lounge/seed-lounge.ts';
import type { UserRow } from '../../../sync-server/features/users/users-repo.ts';
import { createMember, loungeRoomId } from '../../support/fixtures.ts';
import { createTestDatabase, type TestDatabase } from '../../support/postgres.ts';
import { startServer, type ServerProcess } from '../../support/server-process.ts';
import { TestDevice } from '../../support/sync-test-client.ts';
import { hostToken, TEST_HOST_SECRET, TEST_SIGNING_SECRET } from '../../support/test-app.ts';
import { captureCorpus } from './corpus.ts';
import { Gen, nextFrame, nextStockFrame, rng, type Strategy } from './mutate.ts';
import { badRequest, operationsOf, type Operation } from './rest.ts';

export interface FuzzOptions {
  /** WebSocket frames to send (the run also stops at maxMs). */
  frames: number;
  /** REST requests to send. */
  requests: number;
  maxMs: number;
  /** Concurrent fuzzing sockets. */
  sockets: number;
  seed: number;
  /** Mean time between two messages of the legitimate member (≤ 10/min per member is the rule). */
  legitIntervalMs: number;
  rssGrowthLimitMb: number;
  log: (line: string) => void;
}

export interface FuzzReport {
  seed: number;
  durationMs: number;
  frames: {
    sent: number;
    /** Frames the server is known to have handled: a probe sent after them was answered, or the last (mutated) frame of their batch closed the socket. */
    acknowledged: number;
    probes: number;
    connections: number;
    stockConnections: number;
    closes: Record<string, number>;
    byStrategy: Partial<Record<Strategy, number>>;
    perSecond: number;
  };
  rest: {
    sent: number;
    byStatus: Record<string, number>;
    serverErrorCount: number;
    serverErrors: Array<{ request: string; status: number; body: string }>;
    acceptedInvalidWrites: Array<{ request: string; status: number }>;
  };
  health: { checks: number; failures: number; maxLatencyMs: number; aliveAtEnd: boolean; healthyAtEnd: boolean };
  rss: { beforeMb: number; afterMb: number; maxMb: number; growthMb: number; limitMb: number };
  writes: {
    fuzzerIntents: number;
    fuzzerMessages: number;
    messagesDelta: number;
    intentsDelta: number;
    changesDelta: number;
    expectedMessagesDelta: number;
    expectedIntentsDelta: number;
    expectedChangesDelta: number;
  };
  legit: {
    sent: number;
    accepted: number;
    received: number;
    maxLatencyMs: number;
    afterFuzzOk: boolean;
    problems: string[];
  };
  ok: boolean;
  failures: string[];
}

const sleep = (ms: number) => new Promise<void>((r) => setTimeout(r, ms));

function rssMb(pid: number): number {
  const status = readFileSync(`/proc/${pid}/status`, 'utf8');
  const kb = Number(/VmRSS:\s+(\d+)\s+kB/.exec(status)?.[1] ?? 0);
  return Math.round((kb / 1024) * 10) / 10;
}

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

async function counts(db: Database, fuzzerId: string) {
  const { rows } = await db.query<{
    messages: number;
    intents: number;
    changes: number;
    fuzzer_intents: number;
    fuzzer_messages: number;
  }>(
    `SELECT (SELECT count(*) FROM messages)::int AS messages,
            (SELECT count(*) FROM client_intents)::int AS intents,
            (SELECT count(*) FROM channel_changes)::int AS changes,
            (SELECT count(*) FROM client_intents WHERE user_id = $1)::int AS fuzzer_intents,
            (SELECT count(*) FROM messages WHERE author_id = $1)::int AS fuzzer_messages`,
    [fuzzerId],
  );
  return rows[0]!;
}

/**
 * Fuzzes one real server process (production mode over a fresh database on the machine's PostgreSQL,
 * in-memory fan-out) over its WebSocket protocol and its REST API, while a legitimate member keeps
 * chatting, and checks that the server survives, writes nothing for the fuzzer, and stays bounded.
 */
export async function runFuzz(partial: Partial<FuzzOptions> = {}): Promise<FuzzReport> {
  const o: FuzzOptions = {
    frames: 1_000_000,
    requests: 20_000,
    maxMs: 10 * 60_000,
    sockets: 24,
    seed: Date.now() % 2 ** 31,
    legitIntervalMs: 9_000,
    rssGrowthLimitMb: 100,
    log: () => {},
    ...partial,
  };
  const { log } = o;
  const started = Date.now();
  const g = new Gen(rng(o.seed));
  let testDb: TestDatabase | undefined;
  let db: Database | undefined;
  let server: ServerProcess | undefined;
  const devices: TestDevice[] = [];
  const failures: string[] = [];
  const report: FuzzReport = {
    seed: o.seed,
    durationMs: 0,
    frames: {
      sent: 0,
      acknowledged: 0,
      probes: 0,
      connections: 0,
      stockConnections: 0,
      closes: {},
      byStrategy: {},
      perSecond: 0,
    },
    rest: { sent: 0, byStatus: {}, serverErrorCount: 0, serverErrors: [], acceptedInvalidWrites: [] },
    health: { checks: 0, failures: 0, maxLatencyMs: 0, aliveAtEnd: false, healthyAtEnd: false },
    rss: { beforeMb: 0, afterMb: 0, maxMb: 0, growthMb: 0, limitMb: o.rssGrowthLimitMb },
    writes: {
      fuzzerIntents: 0,
      fuzzerMessages: 0,
      messagesDelta: 0,
      intentsDelta: 0,
      changesDelta: 0,
      expectedMessagesDelta: 0,
      expectedIntentsDelta: 0,
      expectedChangesDelta: 0,
    },
    legit: { sent: 0, accepted: 0, received: 0, maxLatencyMs: 0, afterFuzzOk: false, problems: [] },
    ok: false,
    failures,
  };

  try {
    testDb = await createTestDatabase();
    db = createPgDatabase(testDb.url, { max: 3 });
    await migrate(db);
    await seedLounge(db);
    const rooms = await Promise.all(['general', 'newcomers'].map((slug) => loungeRoomId(db!, slug)));
    const [fuzzer, other, sender, reader] = (await Promise.all(
      ['fuzzer', 'other', 'sender', 'reader'].map((h) => createMember(db!, h)),
    )) as [UserRow, UserRow, UserRow, UserRow];
    server = await startServer({
      env: {
        NODE_ENV: 'test',
        DATABASE_URL: testDb.url,
        REDIS_URL: '',
        AUTH_JWT_SECRET: TEST_HOST_SECRET,
        LOUNGE_SIGNING_SECRET: TEST_SIGNING_SECRET,
        LOG_LEVEL: 'warn',
        CLIENT_DIST_DIR: '/nonexistent',
      },
    });
    const srv = server;
    log(`server pid ${srv.pid} at ${srv.url} (seed ${o.seed})`);
    const tokenFor = (hostUserId: string) => async () => {
      const res = await fetch(`${srv.url}/api/auth/connection-token`, {
        method: 'POST',
        headers: { authorization: `Bearer ${await hostToken({ sub: hostUserId })}` },
        signal: AbortSignal.timeout(5000),
      });
      if (res.status !== 200) throw new Error(`connection token: ${res.status}`);
      return ((await res.json()) as { token: string }).token;
    };

    // ---- the legitimate member: sends to a room, a second member reads it ----
    const a = new TestDevice(sender.id, srv.url, tokenFor(sender.host_user_id)).start();
    const b = new TestDevice(reader.id, srv.url, tokenFor(reader.host_user_id)).start();
    devices.push(a, b);
    await Promise.all([a.openChannel(rooms[0]!), b.openChannel(rooms[0]!)]);
    const legitPending = new Map<string, { body: string; at: number }>();
    let legitCounter = 0;
    const legitSend = () => {
      legitCounter += 1;
      const body = `legit message number ${legitCounter} while fuzzing`;
      const id = a.intent({ kind: 'send', channelId: rooms[0]!, body });
      legitPending.set(id, { body, at: Date.now() });
      report.legit.sent += 1;
    };
    const legitCheck = () => {
      for (const [id, p] of legitPending) {
        const verdict = a.verdict(id);
        if (verdict && verdict.status !== 'accepted') {
          report.legit.problems.push(
            `legit intent ${id} ${verdict.status}: ${'reason' in verdict ? verdict.reason : ''}`,
          );
          legitPending.delete(id);
          continue;
        }
        if (verdict && b.messages(rooms[0]!).some((m) => m.body === p.body)) {
          report.legit.accepted += 1;
          report.legit.received += 1;
          report.legit.maxLatencyMs = Math.max(report.legit.maxLatencyMs, Date.now() - p.at);
          legitPending.delete(id);
        } else if (Date.now() - p.at > 15_000) {
          report.legit.problems.push(
            `legit message ${legitCounter} not delivered within 15 s (verdict ${verdict?.status ?? 'none'})`,
          );
          legitPending.delete(id);
        }
      }
    };

    // ---- corpus, baseline ----
    const fuzzerToken = tokenFor(fuzzer.host_user_id);
    const corpus = await captureCorpus({
      baseUrl: srv.url,
      userId: fuzzer.id,
      otherUserId: other.id,
      rooms,
      getToken: fuzzerToken,
    });
    log(
      `corpus: ${corpus.client.length} client frames, ${corpus.server.length} server frames, ${corpus.yjsUpdates.length} Yjs updates`,
    );
    const openapi = (await (await fetch(`${srv.url}/openapi.json`)).json()) as Parameters<typeof operationsOf>[0];
    const operations = operationsOf(openapi).filter((op) => !op.path.startsWith('/docs'));
    log(`REST: ${operations.length} operations in /openapi.json`);
    legitSend();
    await sleep(1500);
    legitCheck();
    const base = await counts(db, fuzzer.id);
    const legitSentAtBase = report.legit.sent;
    report.rss.beforeMb = rssMb(srv.pid);
    report.rss.maxMb = report.rss.beforeMb;

    // ---- monitors ----
    let stop = false;
    const deadline = started + o.maxMs;
    const monitors = (async () => {
      let nextLegit = Date.now() + o.legitIntervalMs;
      while (!stop) {
        const t = Date.now();
        report.health.checks += 1;
        try {
          const res = await fetch(`${srv.url}/healthz`, { signal: AbortSignal.timeout(5000) });
          if (res.status !== 200) report.health.failures += 1;
        } catch {
          report.health.failures += 1;
        }
        report.health.maxLatencyMs = Math.max(report.health.maxLatencyMs, Date.now() - t);
        if (alive(srv.pid)) report.rss.maxMb = Math.max(report.rss.maxMb, rssMb(srv.pid));
        if (Date.now() >= nextLegit) {
          legitSend();
          nextLegit = Date.now() + o.legitIntervalMs;
        }
        legitCheck();
        await sleep(1000);
      }
    })();

    // ---- WebSocket fuzzing ----
    let token = await fuzzerToken();
    let tokenAt = Date.now();
    const refreshToken = async () => {
      if (Date.now() - tokenAt > 20_000) {
        tokenAt = Date.now();
        token = await fuzzerToken().catch(() => token);
      }
      return token;
    };
    const wsUrl = srv.url.replace(/^http/, 'ws');
    let probeCounter = 0;
    const restShare = o.requests / Math.max(1, o.frames);

    const socketLoop = async (slot: number) => {
      while (!stop && report.frames.sent < o.frames && Date.now() < deadline) {
        const stock = slot % 8 === 7 && g.chance(0.5);
        const t = await refreshToken();
        const url = stock
          ? `${wsUrl}/sync/doc/${encodeURIComponent(g.pick(corpus.ownDocs))}?token=${encodeURIComponent(t)}`
          : `${wsUrl}/sync?token=${encodeURIComponent(t)}`;
        await fuzzOneSocket(url, stock);
      }
    };

    const fuzzOneSocket = (url: string, stock: boolean) =>
      new Promise<void>((resolve) => {
        const ws = new WebSocket(url, { handshakeTimeout: 5000, maxPayload: 64 * 1024 * 1024 });
        report.frames.connections += 1;
        if (stock) report.frames.stockConnections += 1;
        let closed = false;
        let inFlight = 0;
        let waiting: { name: string; batch: number; resolve: () => void } | undefined;
        const finish = (why: string) => {
          if (closed) return;
          closed = true;
          if (why.startsWith('4400')) report.frames.acknowledged += inFlight;

          report.frames.closes[why] = (report.frames.closes[why] ?? 0) + 1;
          waiting?.resolve();
          clearTimeout(watchdog);
          resolve();
        };
        // No socket lives forever: the server must answer or close within this.
        const watchdog = setTimeout(() => {
          finish('client timeout (server silent 20 s)');
          ws.terminate();
        }, 20_000);
        ws.on('error', () => finish('error'));
        ws.on('close', (code: number, reason: Buffer) =>
          finish(
            `${code} ${reason
              .toString()
              .replace(/\d{2,}/g, 'N')
              .slice(0, 60)}`,
          ),
        );
        ws.on('message', (data: Buffer) => {
          if (!waiting) return;
          try {
            const f = decodeFrame(new Uint8Array(data), Number.POSITIVE_INFINITY);
            if (f.type === FrameType.notice && f.docName === waiting.name) {
              decodeNotice(f.payload);
              report.frames.acknowledged += waiting.batch;
              inFlight = 0;
              const w = waiting;
              waiting = undefined;
              w.resolve();
            }
          } catch {
            // server frames are not under test here
          }
        });
        ws.on('open', () => {
          void (async () => {
            let sinceWindow = 0;
            let windowStart = Date.now();
            while (!closed && !stop && report.frames.sent < o.frames && Date.now() < deadline) {
              // A batch: well-formed hostile frames, then (mostly) one mutated frame last, then a probe.
              // When the socket closes on the batch, it is the mutated frame that closed it, so every
              // frame of the batch was handled.
              const safe = g.int(8);
              const batch = safe + (g.chance(0.9) ? 1 : 0);
              inFlight = batch;
              for (let i = 0; i < batch && !closed; i++) {
                if (stock) {
                  ws.send(nextStockFrame(g, corpus));
                } else {
                  const { strategy, frame } = nextFrame(g, corpus, i < safe ? 'safe' : 'risky');
                  report.frames.byStrategy[strategy] = (report.frames.byStrategy[strategy] ?? 0) + 1;
                  ws.send(frame);
                }
                report.frames.sent += 1;
                if (g.random() < restShare) void restOnce();
              }
              if (closed) break;
              if (stock) {
                await sleep(5);
              } else {
                // A probe: subscribing to a doc name no one has is answered with a notice naming it, and
                // frames are handled in order, so the answer proves every frame before it was handled.
                const name = `probe.${++probeCounter}`;
                await new Promise<void>((done) => {
                  waiting = { name, batch, resolve: done };
                  ws.send(encodeFrame(FrameType.subscribe, name));
                  report.frames.probes += 1;
                });
              }
              // Stay under the server's per-connection budget (200 frames/s): being cut off for flooding
              // is correct behaviour, but it would test nothing else.
              sinceWindow += batch + 1;
              if (sinceWindow > 150) {
                const wait = 1000 - (Date.now() - windowStart);
                if (wait > 0) await sleep(wait);
                sinceWindow = 0;
                windowStart = Date.now();
              }
            }
            if (!closed) {
              ws.close();
              finish('client done');
            }
          })();
        });
      });

    // ---- REST fuzzing (interleaved with frames) ----
    let restInFlight = 0;
    const restOnce = async () => {
      if (report.rest.sent >= o.requests || restInFlight >= 8 || operations.length === 0) return;
      restInFlight += 1;
      report.rest.sent += 1;
      const op: Operation = g.pick(operations);
      const req = badRequest(g, op, srv.url, await hostToken({ sub: fuzzer.host_user_id }).catch(() => 'x'));
      try {
        const res = await fetch(req.url, {
          method: req.method,
          headers: req.headers,
          body: req.body,
          signal: AbortSignal.timeout(10_000),
        });
        const text = await res.text();
        report.rest.byStatus[res.status] = (report.rest.byStatus[res.status] ?? 0) + 1;
        const describe = `${req.method} ${req.url.replace(srv.url, '').slice(0, 160)} (${req.mutation})`;
        // 503 is a deliberate answer (a feature turned off, a dependency down); any other 5xx is a bug.
        if (res.status >= 500 && res.status !== 503) {
          report.rest.serverErrorCount += 1;
          if (report.rest.serverErrors.length < 20)
            report.rest.serverErrors.push({ request: describe, status: res.status, body: text.slice(0, 300) });
        }
        if (
          res.status >= 200 &&
          res.status < 300 &&
          op.body &&
          req.method !== 'GET' &&
          report.rest.acceptedInvalidWrites.length < 20
        ) {
          report.rest.acceptedInvalidWrites.push({ request: describe, status: res.status });
        }
      } catch (err) {
        const key = `error ${(err as Error).name}`;
        report.rest.byStatus[key] = (report.rest.byStatus[key] ?? 0) + 1;
      } finally {
        restInFlight -= 1;
      }
    };

    const progress = setInterval(() => {
      const s = (Date.now() - started) / 1000;
      log(
        `  ${report.frames.sent} frames (${report.frames.acknowledged} acknowledged), ${report.frames.connections} sockets, ${report.rest.sent} REST requests, RSS ${alive(srv.pid) ? rssMb(srv.pid) : 'DEAD'} MB, ${s.toFixed(0)} s`,
      );
    }, 10_000);
    const fuzzStart = Date.now();
    await Promise.all(Array.from({ length: o.sockets }, (_, i) => socketLoop(i)));
    // Whatever REST budget is left (when frames ran out first).
    while (report.rest.sent < o.requests && Date.now() < deadline + 60_000 && alive(srv.pid)) {
      await Promise.all(Array.from({ length: 8 }, () => restOnce()));
    }
    clearInterval(progress);
    const fuzzMs = Date.now() - fuzzStart;
    report.frames.perSecond = Math.round(report.frames.sent / (fuzzMs / 1000));
    log(
      `fuzzing done: ${report.frames.sent} frames in ${(fuzzMs / 1000).toFixed(1)} s, ${report.rest.sent} REST requests`,
    );

    // ---- after: the legit member keeps chatting, the server is alive, nothing written ----
    await sleep(1500);
    const beforeAfter = report.legit.accepted;
    legitSend();
    const deadlineAfter = Date.now() + 15_000;
    while (Date.now() < deadlineAfter && report.legit.accepted === beforeAfter) {
      legitCheck();
      await sleep(100);
    }
    report.legit.afterFuzzOk = report.legit.accepted > beforeAfter;
    // Every legit message still in flight gets its answer before we count rows.
    const settleBy = Date.now() + 15_000;
    while (legitPending.size > 0 && Date.now() < settleBy) {
      legitCheck();
      await sleep(100);
    }
    stop = true;
    await monitors;
    report.health.aliveAtEnd = alive(srv.pid);
    report.health.healthyAtEnd =
      report.health.aliveAtEnd &&
      (await fetch(`${srv.url}/healthz`, { signal: AbortSignal.timeout(5000) }).then(
        (r) => r.status === 200,
        () => false,
      ));
    // Let the heap settle before reading RSS (a full GC is not ours to force in another process).
    await sleep(2000);
    report.rss.afterMb = report.health.aliveAtEnd ? rssMb(srv.pid) : 0;
    report.rss.growthMb = Math.round((report.rss.afterMb - report.rss.beforeMb) * 10) / 10;
    const end = await counts(db, fuzzer.id);
    const legitDuring = report.legit.sent - legitSentAtBase;
    report.writes = {
      fuzzerIntents: end.fuzzer_intents,
      fuzzerMessages: end.fuzzer_messages,
      messagesDelta: end.messages - base.messages,
      intentsDelta: end.intents - base.intents,
      changesDelta: end.changes - base.changes,
      expectedMessagesDelta: legitDuring,
      expectedIntentsDelta: legitDuring,
      expectedChangesDelta: legitDuring,
    };

    if (!report.health.aliveAtEnd) failures.push(`server process ${srv.pid} died:\n${srv.output().slice(-3000)}`);
    else if (!report.health.healthyAtEnd) failures.push('server alive but /healthz does not answer 200');
    if (report.health.failures > 0)
      failures.push(`/healthz failed ${report.health.failures} of ${report.health.checks} times during fuzzing`);
    if (report.rss.growthMb >= o.rssGrowthLimitMb)
      failures.push(`RSS grew ${report.rss.growthMb} MB (limit ${o.rssGrowthLimitMb})`);
    if (end.fuzzer_intents !== 0 || end.fuzzer_messages !== 0)
      failures.push(`the fuzzer wrote: ${end.fuzzer_intents} client_intents, ${end.fuzzer_messages} messages`);
    const w = report.writes;
    if (
      w.messagesDelta !== w.expectedMessagesDelta ||
      w.intentsDelta !== w.expectedIntentsDelta ||
      w.changesDelta !== w.expectedChangesDelta
    ) {
      failures.push(`row counts moved by more than the legit member's messages: ${JSON.stringify(w)}`);
    }
    if (!report.legit.afterFuzzOk) failures.push('the legit member could not chat after the fuzzing');
    if (report.legit.problems.length > 0)
      failures.push(`legit member problems: ${report.legit.problems.slice(0, 5).join('; ')}`);
    if (report.rest.serverErrorCount > 0)
      failures.push(`${report.rest.serverErrorCount} REST requests got a 5xx other than 503`);
  } finally {
    for (const d of devices) d.stop();
    await server?.stop({ graceMs: 5000 }).catch(() => {});
    await db?.close().catch(() => {});
    await testDb?.drop().catch(() => {});
    report.durationMs = Date.now() - started;
  }
  report.ok = failures.length === 0;
  return report;
}
