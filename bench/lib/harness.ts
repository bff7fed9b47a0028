import type { ChildProcess } from 'node:child_process';
import { join } from 'node:path';
import {
  CpuGroup,
  REPO_ROOT,
  machineBusySeconds,
  procCpuSeconds,
  procStatusKb,
  request,
  spawnTracked,
  stopChild,
  type IpcReply,
} from './procs.ts';
import type { BenchDb } from './db.ts';
import type { ServerKind } from './servers.ts';
import type { Sizes } from './sizes.ts';

export interface Loadgen {
  label: string;
  child: ChildProcess;
  pid: number;
}

export interface BenchContext {
  sizes: Sizes;
  db: BenchDb;
  redisUrl: string;
  servers: ServerKind[];
  /** Folder for V8 CPU profiles of the Lounge server, when --profile is given. */
  profileDir: string | undefined;
  log(line: string): void;
}

/** Diagnostics: extra node flags for every load generator, e.g. BENCH_LOADGEN_NODE_ARGS="--cpu-prof --cpu-prof-dir=/tmp/lg". */
function loadgenNodeArgs(): string[] {
  return (process.env.BENCH_LOADGEN_NODE_ARGS ?? '').split(' ').filter((a) => a.length > 0);
}

/** A load generator in its own process (node --import tsx bench/loadgen/main.ts). */
export async function spawnLoadgen(label: string, maxLifeSec: number, log: (l: string) => void): Promise<Loadgen> {
  const child = spawnTracked(
    process.execPath,
    [...loadgenNodeArgs(), '--import', 'tsx', join(REPO_ROOT, 'bench/loadgen/main.ts'), String(Math.ceil(maxLifeSec))],
    { stdio: ['ignore', 'inherit', 'inherit', 'ipc'] },
    `loadgen ${label}`,
  );
  await new Promise<void>((resolve, reject) => {
    const t = setTimeout(() => reject(new Error(`loadgen ${label} did not start`)), 30_000);
    child.on('message', (m: unknown) => {
      const msg = m as IpcReply;
      if (msg.type === 'hello') {
        clearTimeout(t);
        resolve();
      } else if (msg.type === 'progress') {
        log(`    ${label}: ${String(msg.label)} ${String(msg.done)}/${String(msg.total)}`);
      }
    });
    child.once('exit', (code) => {
      clearTimeout(t);
      reject(new Error(`loadgen ${label} exited with ${code}`));
    });
  });
  return { label, child, pid: child.pid ?? 0 };
}

export function ask<T extends IpcReply = IpcReply>(
  lg: Loadgen,
  msg: Record<string, unknown>,
  timeoutMs = 120_000,
): Promise<T> {
  return request<T>(lg.child, msg, timeoutMs);
}

export async function stopLoadgens(lgs: readonly Loadgen[]): Promise<void> {
  await Promise.all(
    lgs.map(async (lg) => {
      try {
        await ask(lg, { cmd: 'close' }, 5000);
      } catch {
        // it is being stopped anyway
      }
      await stopChild(lg.child, 3000);
    }),
  );
}

export interface CpuWindow {
  wallSec: number;
  serverCpuSec: number;
  /** CPU seconds divided by wall seconds: cores busy on average. */
  serverCores: number;
  loadgenCpuSec: number;
  loadgenCores: number;
  pgCpuSec: number;
  redisCpuSec: number;
  /** Busy cores of the whole machine over the window, and the part no process of this run used (other sessions, the kernel, the orchestrator). */
  machineCores: number;
  otherCores: number;
  serverRssKb: number;
  serverHwmKb: number;
}

/** CPU of the server, the load generators, PostgreSQL and Redis over one window (from /proc). */
export class Meter {
  private readonly t0 = Date.now();
  private readonly server0: number;
  private readonly lg0: number[];
  private readonly pg = new CpuGroup(['postgres']);
  private readonly redis = new CpuGroup(['redis-server']);
  private readonly machine0 = machineBusySeconds();

  constructor(
    private readonly serverPid: number,
    private readonly loadgenPids: readonly number[],
  ) {
    this.server0 = procCpuSeconds(serverPid);
    this.lg0 = loadgenPids.map((p) => procCpuSeconds(p));
  }

  read(): CpuWindow {
    const wallSec = (Date.now() - this.t0) / 1000;
    const serverCpuSec = procCpuSeconds(this.serverPid) - this.server0;
    const loadgenCpuSec = this.loadgenPids.reduce((a, p, i) => a + (procCpuSeconds(p) - this.lg0[i]!), 0);
    const r = (x: number, d = 2) => Math.round(x * 10 ** d) / 10 ** d;
    const pgCpuSec = this.pg.elapsed();
    const redisCpuSec = this.redis.elapsed();
    const machine = machineBusySeconds() - this.machine0;
    return {
      wallSec: r(wallSec),
      serverCpuSec: r(serverCpuSec),
      serverCores: r(serverCpuSec / wallSec),
      loadgenCpuSec: r(loadgenCpuSec),
      loadgenCores: r(loadgenCpuSec / wallSec),
      pgCpuSec: r(pgCpuSec),
      redisCpuSec: r(redisCpuSec),
      machineCores: r(machine / wallSec),
      otherCores: r(Math.max(0, machine - serverCpuSec - loadgenCpuSec - pgCpuSec - redisCpuSec) / wallSec),
      serverRssKb: procStatusKb(this.serverPid, 'VmRSS'),
      serverHwmKb: procStatusKb(this.serverPid, 'VmHWM'),
    };
  }
}

/** A settling pause, shortened in the small modes. */
export function pause(ctx: BenchContext, ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, Math.round(ms * ctx.sizes.pauseScale)));
}

/** The servers a scenario runs against: Lounge, plus the peers where the mode includes them. */
export function serversFor(ctx: BenchContext, scenario: 'fanout' | 'throughput' | 'connections'): ServerKind[] {
  return ctx.servers.filter((k) => k === 'lounge' || ctx.sizes.peerScenarios.includes(scenario));
}

export const round = (x: number | null | undefined, d = 1): number | null =>
  x === null || x === undefined || !Number.isFinite(x) ? null : Math.round(x * 10 ** d) / 10 ** d;

/** Splits `items` over `n` buckets round-robin. */
export function split<T>(items: readonly T[], n: number): T[][] {
  const out: T[][] = Array.from({ length: n }, () => []);
  items.forEach((item, i) => out[i % n]!.push(item));
  return out;
}
