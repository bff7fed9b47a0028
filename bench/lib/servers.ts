import type { ChildProcess } from 'node:child_process';
import { mkdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  HOST,
  REPO_ROOT,
  exited,
  freePort,
  procCpuSeconds,
  procStatusKb,
  sleep,
  spawnTracked,
  stopChild,
  waitForPort,
} from './procs.ts';

export type ServerKind = 'lounge' | 'hocuspocus' | 'y-websocket-server';
export const PEERS: ServerKind[] = ['hocuspocus', 'y-websocket-server'];

export const BENCH_HOST_SECRET = 'bench-host-platform-secret-0123456789abcdef';
export const BENCH_SIGNING_SECRET = 'bench-lounge-signing-secret-0123456789abcdef';

const ORPHAN_GUARD = join(REPO_ROOT, 'bench/lib/orphan-guard.mjs');
const MEM_PROBE = join(REPO_ROOT, 'bench/lib/mem-probe.mjs');
/** Bench-only instrumentation preloaded into every server: orphan guard, and GC + memoryUsage on SIGUSR2. */
const PRELOADS = ['--expose-gc', '--import', ORPHAN_GUARD, '--import', MEM_PROBE];

export interface RunningServer {
  kind: ServerKind;
  child: ChildProcess;
  pid: number;
  port: number;
  /** http://127.0.0.1:port */
  baseUrl: string;
  /** ws://127.0.0.1:port */
  wsUrl: string;
  output(): string;
  startedMs: number;
  cpuAtReady: number;
  rssAtReadyKb: number;
  stop(): Promise<void>;
  kill(): Promise<void>;
}

export interface LoungeServerOptions {
  databaseUrl: string;
  redisUrl: string;
  port?: number;
  /** Write a V8 CPU profile of the server into this folder when it exits. */
  cpuProfDir?: string;
  label?: string;
  /** A built web app to serve (the client scenario); by default the server serves none. */
  clientDistDir?: string;
}

function collectOutput(child: ChildProcess): () => string {
  let out = '';
  const rec = (chunk: Buffer) => {
    out += chunk.toString('utf8');
    if (out.length > 64 * 1024) out = out.slice(-64 * 1024);
  };
  child.stdout?.on('data', rec);
  child.stderr?.on('data', rec);
  return () => out;
}

async function waitHealthy(url: string, child: ChildProcess, output: () => string, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    if (exited(child))
      throw new Error(`server exited (${child.exitCode ?? child.signalCode}) before it was ready:\n${output()}`);
    try {
      const res = await fetch(url, { signal: AbortSignal.timeout(2000) });
      if (res.status === 200) return;
    } catch {
      // not yet
    }
    if (Date.now() > deadline) throw new Error(`server not ready within ${timeoutMs} ms:\n${output()}`);
    await sleep(50);
  }
}

function wrap(kind: ServerKind, child: ChildProcess, port: number, output: () => string, t0: number): RunningServer {
  const pid = child.pid ?? 0;
  return {
    kind,
    child,
    pid,
    port,
    baseUrl: `http://${HOST}:${port}`,
    wsUrl: `ws://${HOST}:${port}`,
    output,
    startedMs: Date.now() - t0,
    cpuAtReady: procCpuSeconds(pid),
    rssAtReadyKb: procStatusKb(pid, 'VmRSS'),
    stop: () => stopChild(child, 10_000),
    kill: async () => {
      if (exited(child)) return;
      child.kill('SIGKILL');
      await new Promise<void>((resolve) => (exited(child) ? resolve() : child.once('exit', () => resolve())));
    },
  };
}

/**
 * The real Lounge server, production mode (PostgreSQL + Redis), in its own process, exactly as the
 * brief says: `node --import tsx sync-server/main.ts`. The only addition is the orphan guard preload.
 */
export async function startLounge(opts: LoungeServerOptions): Promise<RunningServer> {
  const port = opts.port ?? (await freePort());
  const nodeArgs = ['--import', 'tsx', ...PRELOADS];
  if (opts.cpuProfDir) {
    // One folder per server process: Node writes one profile per thread (the main thread, and the
    // thread of tsx's module-loader hooks), named CPU.<date>.<time>.<pid>.<thread>.<n>.cpuprofile.
    const dir = join(opts.cpuProfDir, `${opts.label ?? 'lounge'}-${Date.now()}`);
    mkdirSync(dir, { recursive: true });
    nodeArgs.push('--cpu-prof', `--cpu-prof-dir=${dir}`);
  }
  // Diagnostics only (say, a query counter): one more preload for the Lounge server, never for peers.
  if (process.env.BENCH_LOUNGE_PRELOAD) nodeArgs.push('--import', process.env.BENCH_LOUNGE_PRELOAD);
  const t0 = Date.now();
  const child = spawnTracked(
    process.execPath,
    [...nodeArgs, 'sync-server/main.ts'],
    {
      stdio: ['ignore', 'pipe', 'pipe'],
      env: {
        PATH: process.env.PATH ?? '/usr/bin:/bin',
        HOME: process.env.HOME ?? '/tmp',
        NODE_ENV: 'production',
        DATABASE_URL: opts.databaseUrl,
        REDIS_URL: opts.redisUrl,
        AUTH_JWT_SECRET: BENCH_HOST_SECRET,
        LOUNGE_SIGNING_SECRET: BENCH_SIGNING_SECRET,
        PORT: String(port),
        HOST,
        LOG_LEVEL: 'warn',
        // Experiments only (unset for the figures): BENCH_LOUNGE_ENV="DATABASE_POOL_SIZE=30,KEY=value".
        ...Object.fromEntries(
          (process.env.BENCH_LOUNGE_ENV ?? '')
            .split(',')
            .filter((kv) => kv.includes('='))
            .map((kv) => [kv.slice(0, kv.indexOf('=')), kv.slice(kv.indexOf('=') + 1)]),
        ),
        CLIENT_DIST_DIR: opts.clientDistDir ?? '/nonexistent-bench-client-dist',
        DATA_DIR: '/tmp/lounge-bench-data-unused',
      },
    },
    'lounge server',
  );
  const output = collectOutput(child);
  try {
    await waitHealthy(`http://${HOST}:${port}/readyz`, child, output, 60_000);
  } catch (err) {
    await stopChild(child, 2000);
    throw err;
  }
  return wrap('lounge', child, port, output, t0);
}

/** Hocuspocus (no extensions, no persistence) or the y-websocket reference server, in its own process. */
export async function startPeer(kind: Exclude<ServerKind, 'lounge'>): Promise<RunningServer> {
  const port = await freePort();
  const t0 = Date.now();
  let child: ChildProcess;
  if (kind === 'hocuspocus') {
    child = spawnTracked(
      process.execPath,
      [...PRELOADS, join(REPO_ROOT, 'bench/peers/hocuspocus-server.mjs'), String(port)],
      { stdio: ['ignore', 'pipe', 'pipe'] },
      'hocuspocus',
    );
  } else {
    child = spawnTracked(
      process.execPath,
      [...PRELOADS, join(REPO_ROOT, 'node_modules/@y/websocket-server/src/server.js')],
      { stdio: ['ignore', 'pipe', 'pipe'], env: { PATH: process.env.PATH ?? '', HOST, PORT: String(port) } },
      'y-websocket-server',
    );
  }
  const output = collectOutput(child);
  if (!(await waitForPort(port, 15_000))) {
    await stopChild(child, 2000);
    throw new Error(`${kind} did not listen on ${port}:\n${output()}`);
  }
  return wrap(kind, child, port, output, t0);
}

export interface MemSnapshot {
  at: number;
  gc: boolean;
  rss: number;
  heapTotal: number;
  heapUsed: number;
  external: number;
  arrayBuffers: number;
}

/** Full GC in the server, then its process.memoryUsage() (bytes), through the mem-probe preload. */
export async function memSnapshot(pid: number, timeoutMs = 60_000): Promise<MemSnapshot | null> {
  const file = join(tmpdir(), `lounge-bench-mem-${pid}.json`);
  const asked = Date.now();
  try {
    process.kill(pid, 'SIGUSR2');
  } catch {
    return null;
  }
  while (Date.now() - asked < timeoutMs) {
    await sleep(50);
    try {
      const snap = JSON.parse(readFileSync(file, 'utf8')) as MemSnapshot;
      if (snap.at >= asked) {
        rmSync(file, { force: true });
        return snap;
      }
    } catch {
      // not written yet
    }
  }
  return null;
}

export async function startServer(kind: ServerKind, lounge: LoungeServerOptions): Promise<RunningServer> {
  return kind === 'lounge' ? startLounge(lounge) : startPeer(kind);
}
