/**
 * Client scenario: the real web app in Debian's Chromium (playwright-core, never a downloaded browser)
 * against a real Lounge server, measuring the browser's SQL replica (PGlite in a worker, IndexedDB):
 *
 * 1. Catch-up: a member has opened `rooms` rooms (each holds a few messages in their replica), goes
 *    offline, `perRoom` messages land in every room meanwhile (written straight into PostgreSQL with
 *    their change-log rows, the bench's fast path), and the member comes back online. Measured: from
 *    the browser being online again to every missed message being a row in the replica.
 * 2. Cold open offline: the replica is filled up to `replicaMessages` rows (inserted by SQL inside the
 *    page's own replica: the fast path; the app never notices the difference), the page is closed, and
 *    the app is opened again with the network off (service worker shell, y-indexeddb docs, PGlite from
 *    IndexedDB). Measured: navigation start to the first message of the room on screen, `opens` times;
 *    then the offline search the Search view runs, `searches` times over words of several frequencies.
 *
 * The app is built for this run with the test hook (`VITE_LOUNGE_TEST_HOOKS=1`) into a temp folder, and
 * the server serves that folder; nothing under client/dist is touched.
 */
import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { chromium, type Browser, type BrowserContext, type Page } from 'playwright-core';
import { appendHistory, createAuthor, createRooms } from '../lib/db.ts';
import type { BenchContext } from '../lib/harness.ts';
import { REPO_ROOT } from '../lib/procs.ts';
import type { ScenarioOutcome } from '../lib/report.ts';
import { pickQueries, seedReplicaSql, VOCABULARY_SIZE } from './client-replica-data.ts';
import { BENCH_HOST_SECRET, startLounge, type RunningServer } from '../lib/servers.ts';
import { hostJwt } from '../loadgen/tokens.ts';

const CHROMIUM_PATH = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';
/** Messages each room holds before the member opens it (so every room has rows in the replica). */
const MESSAGES_BEFORE = 20;
/** Words the seeded replica rows are made of: a few common ones, many rarer ones. */

export interface ClientResult {
  /** `ms`: browser online again → every missed message in the replica; `reconnectMs`: → the app says online. */
  catchUp: {
    rooms: number;
    perRoom: number;
    missed: number;
    ms: number;
    reconnectMs: number;
    /** Online → catch-up started; its reading (REST pages) and writing (one batch into PGlite). */
    startMs: number;
    readMs: number;
    writeMs: number;
  };
  coldOpen: {
    replicaRows: number;
    seedMs: number;
    firstRoomVisibleMs: number[];
    firstRoomVisibleMedianMs: number;
    firstRoomVisibleMaxMs: number;
    replicaReadyMs: number[];
  };
  search: { queries: number; p50Ms: number; p95Ms: number; maxMs: number; meanHits: number };
  buildMs: number;
}

export async function runClient(ctx: BenchContext): Promise<ScenarioOutcome> {
  if (!existsSync(CHROMIUM_PATH)) {
    return { status: 'skipped', reason: `Chromium is not installed at ${CHROMIUM_PATH}` };
  }
  const size = ctx.sizes.client;
  const distDir = await mkdtemp(join(tmpdir(), 'lounge-bench-client-'));
  let server: RunningServer | undefined;
  let browser: Browser | undefined;
  try {
    const b0 = Date.now();
    await buildClient(distDir, ctx.profileDir !== undefined);
    const buildMs = Date.now() - b0;
    ctx.log(`  client built with the replica test hook in ${buildMs} ms`);
    server = await startLounge({
      databaseUrl: ctx.db.url,
      redisUrl: ctx.redisUrl,
      clientDistDir: distDir,
      label: 'client',
    });
    const prefix = `cl${Date.now().toString(36)}`;
    const roomIds = await createRooms(ctx.db.pool, prefix, size.rooms);
    const slugs = roomIds.map((_, i) => `${prefix}-${i + 1}`);
    const author = await createAuthor(ctx.db.pool, `${prefix}_author`);
    for (const id of roomIds) await appendHistory(ctx.db.pool, id, author, MESSAGES_BEFORE);

    const handle = `${prefix}_reader`;
    const jwt = await hostJwt(BENCH_HOST_SECRET, `bench-client-${prefix}`, handle);
    // The member exists once the host token has been seen; /api/me answers their profile as the app keeps it.
    const me = await fetch(`${server.baseUrl}/api/me`, { headers: { authorization: `Bearer ${jwt}` } });
    if (me.status !== 200) throw new Error(`GET /api/me answered ${me.status}: ${(await me.text()).slice(0, 200)}`);
    const { user } = (await me.json()) as { user: Record<string, unknown> & { id: string } };
    browser = await chromium.launch({
      executablePath: CHROMIUM_PATH,
      headless: true,
      args: ['--no-sandbox', '--disable-gpu', '--no-first-run', '--disable-background-networking', '--disable-sync'],
    });
    const context = await browser.newContext({ viewport: { width: 1280, height: 800 } });
    // When the browser is back online, on the page's clock (the catch-up is timed from there).
    await context.addInitScript(() => {
      const w = globalThis as unknown as BenchWindow & { addEventListener(type: string, fn: () => void): void };
      w.addEventListener('online', () => (w.__benchOnlineAt = performance.now()));
    });
    let page = await context.newPage();
    // The member is signed in the way the app keeps a session (host-platform token + profile).
    await page.goto(`${server.baseUrl}/`);
    await page.evaluate(
      ({ jwt, user }) =>
        // In the page; the bench has no DOM types, so the page's globals are reached through globalThis.
        (globalThis as unknown as PageGlobals).localStorage.setItem(
          'lounge.session.v1',
          JSON.stringify({ token: jwt, user }),
        ),
      { jwt, user },
    );

    // What the page reports as going wrong goes into the bench log.
    context.on('console', (m) => {
      if (m.type() === 'error' || m.type() === 'warning') ctx.log(`  [page ${m.type()}] ${m.text().slice(0, 300)}`);
    });

    // ---- catch-up
    // The member opens each room in the app (in-app navigation, as a member clicks through rooms).
    await page.goto(`${server.baseUrl}/lounge/${slugs[0]}`);
    for (const [i, slug] of slugs.entries()) {
      await page.evaluate((path) => {
        const w = globalThis as unknown as PageGlobals;
        w.history.pushState(null, '', path);
        w.dispatchEvent(new w.PopStateEvent('popstate'));
      }, `/lounge/${slug}`);
      // createRooms names room n "Bench <prefix> n".
      await page
        .getByRole('log', { name: `Messages in Bench ${prefix} ${i + 1}` })
        .locator('article.msg[data-message-id]')
        .first()
        .waitFor({ timeout: 120_000 });
    }
    const before = size.rooms * MESSAGES_BEFORE;
    await waitForRows(page, before, 120_000);
    // The app shell must be cached before the network goes away.
    await page.evaluate(() =>
      (globalThis as unknown as PageGlobals).navigator.serviceWorker.ready.then(() => undefined),
    );
    await context.setOffline(true);
    await page.locator('.connection[data-state="offline"]').waitFor({ timeout: 30_000 });
    for (const id of roomIds) await appendHistory(ctx.db.pool, id, author, size.perRoom);
    const missed = size.rooms * size.perRoom;
    await context.setOffline(false);
    const { catchUpMs, reconnectMs, startMs, readMs, writeMs } = await page.evaluate(
      async ({ missed, timeoutMs }) => {
        const w = globalThis as unknown as BenchWindow & PageGlobals;
        const deadline = performance.now() + timeoutMs;
        let reconnectMs = -1;
        for (;;) {
          const onlineAt = w.__benchOnlineAt ?? Number.POSITIVE_INFINITY;
          if (reconnectMs < 0 && w.document.querySelector('.connection[data-state="online"]'))
            reconnectMs = performance.now() - onlineAt;
          const run = w.__loungeReplica?.catchUps().find((c) => c.startedAt >= onlineAt && c.messages >= missed);
          if (run) {
            return {
              catchUpMs: Math.round(run.endedAt - onlineAt),
              reconnectMs: Math.round(reconnectMs),
              startMs: Math.round(run.startedAt - onlineAt),
              readMs: Math.round(run.readAt - run.startedAt),
              writeMs: Math.round(run.endedAt - run.readAt),
            };
          }
          if (performance.now() > deadline)
            return { catchUpMs: -1, reconnectMs: -1, startMs: -1, readMs: -1, writeMs: -1 };
          await new Promise((r) => setTimeout(r, 10));
        }
      },
      { missed, timeoutMs: 120_000 },
    );
    if (catchUpMs < 0) throw new Error(`no catch-up brought the ${missed} missed messages within 120 s`);
    // And they are rows of the replica.
    await waitForRows(page, before + missed, 10_000);
    ctx.log(
      `  catch-up: ${missed} messages across ${size.rooms} rooms in ${catchUpMs} ms ` +
        `(online → connected ${reconnectMs} ms, → catch-up started ${startMs} ms; reading ${readMs} ms, writing ${writeMs} ms)`,
    );

    // ---- cold open offline
    const s0 = Date.now();
    const replicaRows = await seedReplica(page, roomIds, size.replicaMessages);
    const seedMs = Date.now() - s0;
    ctx.log(`  replica filled to ${replicaRows} rows in ${seedMs} ms`);
    await context.setOffline(true);
    const firstRoomVisibleMs: number[] = [];
    const replicaReadyMs: number[] = [];
    for (let i = 0; i < size.opens; i++) {
      await page.close();
      page = await openMeasuredPage(context);
      // --profile: the page's main thread during the last cold open, as a .cpuprofile (DevTools opens it).
      const cdp = ctx.profileDir && i === size.opens - 1 ? await context.newCDPSession(page) : undefined;
      if (cdp) {
        await cdp.send('Profiler.enable');
        await cdp.send('Profiler.setSamplingInterval', { interval: 200 });
        await cdp.send('Profiler.start');
      }
      await page.goto(`${server.baseUrl}/lounge/${slugs[0]}`, { waitUntil: 'commit' });
      await page.locator('article.msg[data-message-id]').first().waitFor({ timeout: 60_000 });
      if (cdp && ctx.profileDir) {
        const { profile } = await cdp.send('Profiler.stop');
        await mkdir(ctx.profileDir, { recursive: true });
        const file = join(ctx.profileDir, `client-cold-open-${Date.now()}.cpuprofile`);
        await writeFile(file, JSON.stringify(profile));
        ctx.log(`  cold open profile: ${file}`);
      }
      firstRoomVisibleMs.push(
        await page.evaluate(() => (globalThis as unknown as BenchWindow).__benchFirstMessageAt ?? -1),
      );
      // Where the time went: the app's start-up marks and when its scripts arrived (ms from navigation).
      const marks = await page.evaluate(() => {
        const perf = (
          globalThis as unknown as {
            performance: {
              getEntriesByType(t: string): Array<{ name: string; startTime: number; responseEnd?: number }>;
            };
          }
        ).performance;
        const named = perf
          .getEntriesByType('mark')
          .map((m) => `${m.name.replace('lounge:', '')} ${Math.round(m.startTime)}`);
        const scripts = perf
          .getEntriesByType('resource')
          .filter((r) => /\.js$/.test(r.name))
          .map(
            (r) =>
              `${r.name
                .split('/')
                .pop()!
                .replace(/-[\w]{8}\.js$/, '')} ${Math.round(r.responseEnd ?? 0)}`,
          );
        return [...scripts, ...named].join(', ');
      });
      ctx.log(`    open ${i + 1}: ${marks}`);
      // The replica opens in its worker beside the room: how long until it answers.
      replicaReadyMs.push(
        await page.evaluate(async () => {
          const w = globalThis as unknown as BenchWindow;
          const deadline = performance.now() + 60_000;
          while (!w.__loungeReplica) {
            if (performance.now() > deadline) throw new Error('the local replica did not start within 60 s');
            await new Promise((r) => setTimeout(r, 10));
          }
          // Bounded too: a replica that never answers fails the run instead of hanging it.
          const answered = await Promise.race([
            w.__loungeReplica.query('SELECT 1').then(() => true),
            new Promise<false>((r) => setTimeout(() => r(false), 60_000)),
          ]);
          if (!answered) throw new Error('the local replica did not answer within 60 s of the cold open');
          return Math.round(performance.now());
        }),
      );
    }
    ctx.log(`  cold open offline (first message visible): ${firstRoomVisibleMs.join(', ')} ms`);

    // ---- local search (offline, in the opened app)
    const words = await page.evaluate(async () => {
      const w = globalThis as unknown as BenchWindow;
      const rows = await w.__loungeReplica!.query<{ word: string; n: number }>(
        `SELECT word, ndoc::int AS n FROM ts_stat('SELECT search FROM messages') ORDER BY ndoc DESC`,
      );
      return rows;
    });
    const queries = pickQueries(words, size.searches);
    if (queries.length === 0) {
      throw new Error(
        `no words to search for: ts_stat answered ${words.length} rows (${JSON.stringify(words.slice(0, 5))})`,
      );
    }
    const timings = await page.evaluate(async (qs) => {
      const w = globalThis as unknown as BenchWindow;
      const out: Array<{ ms: number; hits: number }> = [];
      for (const q of qs) {
        const t = performance.now();
        const hits = await w.__loungeReplica!.search(q);
        out.push({ ms: performance.now() - t, hits: hits.length });
      }
      return out;
    }, queries);
    const ms = timings.map((t) => t.ms).sort((a, b) => a - b);
    const result: ClientResult = {
      catchUp: {
        rooms: size.rooms,
        perRoom: size.perRoom,
        missed,
        ms: catchUpMs,
        reconnectMs,
        startMs,
        readMs,
        writeMs,
      },
      coldOpen: {
        replicaRows,
        seedMs,
        firstRoomVisibleMs: firstRoomVisibleMs.map(Math.round),
        firstRoomVisibleMedianMs: Math.round(
          percentile(
            [...firstRoomVisibleMs].sort((a, b) => a - b),
            50,
          ),
        ),
        firstRoomVisibleMaxMs: Math.round(Math.max(...firstRoomVisibleMs)),
        replicaReadyMs,
      },
      search: {
        queries: queries.length,
        p50Ms: round1(percentile(ms, 50)),
        p95Ms: round1(percentile(ms, 95)),
        maxMs: round1(ms.at(-1) ?? 0),
        meanHits: round1(timings.reduce((a, t) => a + t.hits, 0) / Math.max(1, timings.length)),
      },
      buildMs,
    };
    ctx.log(
      `  local search: p50 ${result.search.p50Ms} ms, p95 ${result.search.p95Ms} ms over ${queries.length} queries`,
    );
    await context.close();
    return { status: 'ok', results: { lounge: result } };
  } finally {
    await browser?.close().catch(() => {});
    await server?.stop().catch(() => {});
    await rm(distDir, { recursive: true, force: true });
  }
}

interface BenchWindow {
  __benchFirstMessageAt?: number;
  __benchOnlineAt?: number;
  __loungeReplica?: {
    query<T>(sql: string, params?: unknown[]): Promise<T[]>;
    search(q: string): Promise<unknown[]>;
    catchUps(): Array<{ startedAt: number; endedAt: number; readAt: number; messages: number }>;
  };
}

/** The few page globals used here (the bench's TypeScript project has no DOM types). */
interface PageGlobals {
  history: { pushState(data: unknown, unused: string, url: string): void };
  dispatchEvent(event: unknown): void;
  PopStateEvent: new (type: string) => unknown;
  localStorage: { setItem(key: string, value: string): void };
  navigator: { serviceWorker: { ready: Promise<unknown> } };
  document: { querySelector(selector: string): unknown };
  MutationObserver: new (callback: (records: unknown, observer: { disconnect(): void }) => void) => {
    observe(target: unknown, options: { childList: boolean; subtree: boolean }): void;
    disconnect(): void;
  };
}

const round1 = (x: number) => Math.round(x * 10) / 10;

/** The p-th percentile of sorted values (nearest rank). */
function percentile(sorted: readonly number[], p: number): number {
  if (sorted.length === 0) return 0;
  return sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1))]!;
}

/** `vite build` of the app with the replica test hook, into `outDir`. */
// `readable`: unminified, so a --profile run names functions as the source does.
async function buildClient(outDir: string, readable: boolean): Promise<void> {
  const vite = join(REPO_ROOT, 'node_modules', 'vite', 'bin', 'vite.js');
  const { code, output } = await new Promise<{ code: number | null; output: string }>((resolve, reject) => {
    const child = spawn(
      process.execPath,
      [vite, 'build', '--config', 'client/vite.config.ts', '--outDir', outDir, '--emptyOutDir'],
      {
        cwd: REPO_ROOT,
        env: { ...process.env, VITE_LOUNGE_TEST_HOOKS: '1', ...(readable ? { LOUNGE_BUILD_NO_MINIFY: '1' } : {}) },
        stdio: ['ignore', 'pipe', 'pipe'],
      },
    );
    let text = '';
    child.stdout.on('data', (c: Buffer) => (text += c.toString('utf8')));
    child.stderr.on('data', (c: Buffer) => (text += c.toString('utf8')));
    child.once('error', reject);
    child.once('close', (exitCode) => resolve({ code: exitCode, output: text }));
  });
  if (code !== 0) throw new Error(`building the client failed (${code}):\n${output.slice(-4000)}`);
}

/** A page that notes (performance.now, from navigation start) when the first message is on screen. */
async function openMeasuredPage(context: BrowserContext): Promise<Page> {
  const page = await context.newPage();
  // (No named inner functions here: tsx would wrap them in a helper the page does not have.)
  await page.addInitScript(() => {
    const w = globalThis as unknown as BenchWindow & PageGlobals;
    new w.MutationObserver((_records, observer) => {
      if (w.__benchFirstMessageAt === undefined && w.document.querySelector('article.msg[data-message-id]')) {
        w.__benchFirstMessageAt = performance.now();
        observer.disconnect();
      }
    }).observe(w.document, { childList: true, subtree: true });
  });
  return page;
}

async function waitForRows(page: Page, expected: number, timeoutMs: number): Promise<void> {
  const reached = await page.evaluate(
    async ({ expected, timeoutMs }) => {
      const w = globalThis as unknown as BenchWindow;
      const deadline = performance.now() + timeoutMs;
      for (;;) {
        if (w.__loungeReplica) {
          const [row] = await w.__loungeReplica.query<{ n: number }>('SELECT count(*)::int AS n FROM messages');
          if ((row?.n ?? 0) >= expected) return row!.n;
        }
        if (performance.now() > deadline) return -1;
        // Not faster: every query makes PGlite compare its files with IndexedDB afterwards.
        await new Promise((r) => setTimeout(r, 200));
      }
    },
    { expected, timeoutMs },
  );
  if (reached < 0) throw new Error(`the replica did not reach ${expected} rows within ${timeoutMs} ms`);
}

/**
 * Fills the page's replica up to `total` rows in one statement per 20,000 rows: messages of the bench
 * rooms with seqs after the real ones, bodies of 8–16 words drawn from a vocabulary with a skewed
 * frequency (a few words everywhere, most rare), as real chat is. Then ANALYZE, as the app does after
 * a large catch-up.
 */
async function seedReplica(page: Page, roomIds: readonly string[], total: number): Promise<number> {
  return page.evaluate(
    async ({ roomIds, total, vocabularySize, sql }) => {
      const w = globalThis as unknown as BenchWindow;
      const replica = w.__loungeReplica!;
      const [row] = await replica.query<{ n: number }>('SELECT count(*)::int AS n FROM messages');
      let have = row?.n ?? 0;
      const chunk = 20_000;
      while (have < total) {
        const n = Math.min(chunk, total - have);
        await replica.query(sql, [roomIds, n, vocabularySize, have]);
        have += n;
      }
      await replica.query('ANALYZE messages');
      const [after] = await replica.query<{ n: number }>('SELECT count(*)::int AS n FROM messages');
      return after?.n ?? 0;
    },
    { roomIds: [...roomIds], total, vocabularySize: VOCABULARY_SIZE, sql: seedReplicaSql },
  );
}
