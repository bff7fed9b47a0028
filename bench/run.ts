/**
 * `npm run bench` — benchmark and chaos harness of the real Lounge server against the transport floor
 * (@hocuspocus/server 4.7, @y/websocket-server 0.1.1) on the same traffic, on this machine.
 *
 *   npm run bench                      default sizes (the figures; ~20–25 min on 2 cores)
 *   npm run bench -- --quick           a small version of every server scenario (< 2 min; client: --only=client --quick)
 *   npm run bench -- --tiny            the smoke-test sizes (< 1 min)
 *   flags: --only=fanout,throughput,connections,storm,history,layer1,pgprobe,pages,client
 *            (pages: history pages of 50 and search over a 1,000,000-message room, bench/history-search.ts,
 *             on a database of its own; the fill alone takes ~4–5 min at the default size)
 *          --servers=lounge,hocuspocus,y-websocket-server   --out=DIR (default bench/results)
 *          --profile  (V8 CPU profiles of every Lounge server process into DIR/prof)
 *          --keep-db  (keep the run's database for inspection instead of dropping it)
 *          --set=storm.writerRate=30,fanout.subs=500  (override numeric sizes, for experiments)
 *   env BENCH_LOUNGE_ENV="DATABASE_POOL_SIZE=30"  extra environment for the Lounge server (experiments)
 *   env BENCH_LOADGEN_NODE_ARGS="--cpu-prof --cpu-prof-dir=/tmp/lg"  node flags for every load generator (diagnostics)
 *
 * Writes DIR/latest.json and DIR/latest.md. Everything is bound to 127.0.0.1; every scenario is bounded
 * in count and time; every child is killed on exit, SIGINT, SIGTERM or error; the database created for
 * the run is dropped at the end.
 */
import { execSync } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import { join, resolve } from 'node:path';
import { createBenchDb, REDIS_URL, type BenchDb } from './lib/db.ts';
import type { BenchContext } from './lib/harness.ts';
import { killAllChildren, liveChildren, loadAverage, openFileLimit, REPO_ROOT, sleep } from './lib/procs.ts';
import {
  buildFigures,
  carriedOverRuns,
  renderMarkdown,
  type BenchResults,
  type CarriedOver,
  type ScenarioName,
  type ScenarioOutcome,
} from './lib/report.ts';
import type { ServerKind } from './lib/servers.ts';
import { SIZES } from './lib/sizes.ts';
import { runClient } from './scenarios/client-replica.ts';
import { runConnections } from './scenarios/connections.ts';
import { runFanout } from './scenarios/fanout.ts';
import { runHistory } from './scenarios/history.ts';
import { runLayer1 } from './scenarios/layer1.ts';
import { dropPagesDatabase, runPages } from './scenarios/pages.ts';
import { runPgProbe } from './scenarios/pgprobe.ts';
import { runStorm } from './scenarios/storm.ts';
import { runThroughput } from './scenarios/throughput.ts';

const ALL: ScenarioName[] = [
  'fanout',
  'throughput',
  'connections',
  'storm',
  'history',
  'layer1',
  'pgprobe',
  'pages',
  'client',
];

function flags(argv: string[]): Record<string, string | true> {
  const out: Record<string, string | true> = {};
  for (const a of argv) {
    const m = /^--([^=]+)(?:=(.*))?$/.exec(a);
    if (m) out[m[1]!] = m[2] ?? true;
  }
  return out;
}

const args = flags(process.argv.slice(2));
const mode = args.tiny ? 'tiny' : args.quick ? 'quick' : 'default';
const sizes = structuredClone(SIZES[mode]);
// --set=storm.writerRate=30,fanout.subs=500: override single numeric sizes (for experiments).
if (typeof args.set === 'string') {
  for (const assignment of args.set.split(',')) {
    const [path, value] = assignment.split('=');
    const keys = (path ?? '').split('.');
    let obj = sizes as unknown as Record<string, unknown>;
    for (const k of keys.slice(0, -1)) obj = obj[k] as Record<string, unknown>;
    const last = keys.at(-1)!;
    if (!obj || typeof obj[last] !== 'number') throw new Error(`--set: ${path} is not a numeric size`);
    obj[last] = Number(value);
  }
}
// --tiny (the smoke test in `npm test`) and --quick (the under-two-minutes run of the server scenarios)
// leave the client scenario out: building the app and driving Chromium alone take ~35 s. `--only=client
// --quick` (or --tiny) still runs it small; the default run always includes it.
const only =
  typeof args.only === 'string'
    ? (args.only.split(',') as ScenarioName[])
    : ALL.filter((name) => mode === 'default' || name !== 'client');
const servers = (
  typeof args.servers === 'string' ? args.servers.split(',') : ['lounge', 'hocuspocus', 'y-websocket-server']
) as ServerKind[];
const outDir = resolve(typeof args.out === 'string' ? args.out : join(REPO_ROOT, 'bench/results'));
const hardLimitSec = mode === 'default' ? 45 * 60 : mode === 'quick' ? 5 * 60 : 3 * 60;

let db: BenchDb | undefined;
let finishing = false;

async function cleanup(): Promise<void> {
  killAllChildren();
  // The pages scenario's own database, if the run ends while it exists.
  await Promise.race([dropPagesDatabase().catch(() => {}), sleep(5000)]);
  if (!db) return;
  if (args['keep-db']) {
    log(
      `[bench] --keep-db: database ${db.name} kept (drop it with: psql -h 127.0.0.1 -U postgres -c 'DROP DATABASE ${db.name}')`,
    );
    await db.pool.end().catch(() => {});
    return;
  }
  await Promise.race([db.drop().catch(() => {}), sleep(5000)]);
}

function fatal(reason: string, code: number): void {
  if (finishing) return;
  finishing = true;
  process.stderr.write(`[bench] ${reason}; killing children and dropping the bench database\n`);
  void cleanup().finally(() => process.exit(code));
}

process.on('SIGINT', () => fatal('interrupted (SIGINT)', 130));
process.on('SIGTERM', () => fatal('terminated (SIGTERM)', 143));
process.on('uncaughtException', (err) => fatal(`uncaught: ${err.stack ?? err.message}`, 1));
process.on('unhandledRejection', (err) => fatal(`unhandled rejection: ${(err as Error)?.stack ?? String(err)}`, 1));
process.on('exit', () => killAllChildren());
const watchdog = setTimeout(() => fatal(`hard time limit of ${hardLimitSec}s reached`, 2), hardLimitSec * 1000);
watchdog.unref();

function log(line: string): void {
  process.stdout.write(`${new Date().toISOString().slice(11, 19)} ${line}\n`);
}

function gitCommit(): string {
  try {
    const sha = execSync('git rev-parse --short HEAD', { cwd: REPO_ROOT }).toString().trim();
    const dirty = execSync('git status --porcelain --untracked-files=no', { cwd: REPO_ROOT }).toString().trim() !== '';
    return dirty ? `${sha} (+ uncommitted changes in the tree)` : sha;
  } catch {
    return 'unknown';
  }
}

/**
 * An `--only` run (say `--only=client`) keeps the other scenarios of the previous results of the same
 * mode in DIR/latest.*, so the file still holds every figure; the header says which were carried over and
 * from which run each was measured in (the previous run, or the run the previous one had carried it from).
 */
function carryOverPrevious(results: BenchResults): void {
  const previousFile = join(outDir, 'latest.json');
  if (typeof args.only !== 'string' || !existsSync(previousFile)) return;
  let previous: BenchResults;
  try {
    previous = JSON.parse(readFileSync(previousFile, 'utf8')) as BenchResults;
  } catch {
    return;
  }
  if (previous.meta?.mode !== mode) return;
  const carried = (Object.keys(previous.scenarios) as ScenarioName[]).filter((name) => !only.includes(name));
  if (carried.length === 0) return;
  for (const name of carried) results.scenarios[name] = previous.scenarios[name];
  const earlier = carriedOverRuns(previous.meta);
  const runs: CarriedOver[] = [];
  const measuredByPrevious = carried.filter((name) => !earlier.some((c) => c.scenarios.includes(name)));
  if (measuredByPrevious.length)
    runs.push({ date: previous.meta.date, commit: previous.meta.commit, scenarios: measuredByPrevious });
  for (const c of earlier) {
    const still = c.scenarios.filter((name) => carried.includes(name));
    if (still.length) runs.push({ date: c.date, commit: c.commit, scenarios: still });
  }
  results.meta.carriedOver = runs;
}

async function main(): Promise<void> {
  const t0 = Date.now();
  const limits = openFileLimit();
  log(`[bench] mode ${mode}; scenarios ${only.join(', ')}; servers ${servers.join(', ')}`);
  log(
    `[bench] node ${process.version}, ${os.cpus().length} cores, load ${loadAverage().join(' ')}, open files ${limits.soft}/${limits.hard}`,
  );
  db = await createBenchDb();
  log(`[bench] database ${db.name} created`);
  const ctx: BenchContext = {
    sizes,
    db,
    redisUrl: REDIS_URL,
    servers,
    profileDir: args.profile ? join(outDir, 'prof') : undefined,
    log,
  };
  const scenarios: Partial<Record<ScenarioName, ScenarioOutcome>> = {};
  const runners: Record<ScenarioName, (c: BenchContext) => Promise<ScenarioOutcome>> = {
    fanout: runFanout,
    throughput: runThroughput,
    connections: runConnections,
    storm: runStorm,
    history: runHistory,
    layer1: runLayer1,
    pgprobe: runPgProbe,
    pages: runPages,
    client: runClient,
  };
  for (const name of only) {
    const s0 = Date.now();
    log(`[bench] ---- ${name} ----`);
    try {
      scenarios[name] = await runners[name](ctx);
    } catch (err) {
      // Interrupted (SIGINT, SIGTERM, watchdog): the scenario failed because its database or children were
      // taken away; write no results over the previous ones and leave the exit to fatal().
      if (finishing) return;
      log(`[bench] ${name} FAILED: ${(err as Error).stack ?? String(err)}`);
      scenarios[name] = { status: 'error', error: (err as Error).message };
    }
    if (finishing) return;
    log(`[bench] ${name} done in ${((Date.now() - s0) / 1000).toFixed(1)} s`);
    if (liveChildren() > 0) {
      log(`[bench] warning: ${liveChildren()} child process(es) still alive after ${name}; killing them`);
      killAllChildren();
      await sleep(500);
    }
  }
  const results: BenchResults = {
    meta: {
      date: new Date().toISOString(),
      mode,
      node: process.version,
      commit: gitCommit(),
      cores: os.cpus().length,
      cpuModel: os.cpus()[0]?.model ?? '',
      memGiB: Math.round(os.totalmem() / 2 ** 30),
      loadAverageAtStart: loadAverage(),
      openFiles: limits,
      durationSec: 0,
      sizes,
      servers,
    },
    scenarios,
    figures: [],
  };
  results.meta.durationSec = Math.round((Date.now() - t0) / 1000);
  carryOverPrevious(results);
  results.figures = buildFigures(results);
  mkdirSync(outDir, { recursive: true });
  writeFileSync(join(outDir, 'latest.json'), `${JSON.stringify(results, null, 2)}\n`);
  writeFileSync(join(outDir, 'latest.md'), renderMarkdown(results));
  log(`[bench] wrote ${join(outDir, 'latest.json')} and latest.md in ${results.meta.durationSec} s`);
  process.stdout.write(`\n${renderMarkdown(results, { tableOnly: true })}\n`);
}

main()
  .then(async () => {
    if (finishing) return; // fatal() is cleaning up and exits with its own code
    finishing = true;
    await cleanup();
    log(`[bench] done; ${liveChildren()} child processes left`);
    process.exit(0);
  })
  .catch((err: unknown) => fatal(`failed: ${(err as Error).stack ?? String(err)}`, 1));
