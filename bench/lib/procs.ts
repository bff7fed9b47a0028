import { execSync, spawn, type ChildProcess, type SpawnOptions } from 'node:child_process';
import { readdirSync, readFileSync } from 'node:fs';
import { createServer, connect } from 'node:net';
import { fileURLToPath } from 'node:url';

export const REPO_ROOT = fileURLToPath(new URL('../..', import.meta.url));
export const HOST = '127.0.0.1';

export const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

let CLK_TCK = 100;
try {
  CLK_TCK = Number(execSync('getconf CLK_TCK').toString().trim()) || 100;
} catch {
  // keep the Linux default
}

/** utime + stime of a process in seconds, from /proc/<pid>/stat; NaN when it is gone. */
export function procCpuSeconds(pid: number | undefined): number {
  if (!pid) return NaN;
  try {
    const s = readFileSync(`/proc/${pid}/stat`, 'utf8');
    const rest = s.slice(s.lastIndexOf(')') + 2).split(' ');
    return (Number(rest[11]) + Number(rest[12])) / CLK_TCK;
  } catch {
    return NaN;
  }
}

/** A `kB` field of /proc/<pid>/status (VmRSS, VmHWM), in KiB; NaN when it is gone. */
export function procStatusKb(pid: number | undefined, key: 'VmRSS' | 'VmHWM'): number {
  if (!pid) return NaN;
  try {
    const s = readFileSync(`/proc/${pid}/status`, 'utf8');
    const m = new RegExp(`^${key}:\\s+(\\d+) kB`, 'm').exec(s);
    return m ? Number(m[1]) : NaN;
  } catch {
    return NaN;
  }
}

/** Pids whose command name (/proc/<pid>/comm) is one of `names` (e.g. postgres, redis-server). */
export function pidsByComm(names: readonly string[]): number[] {
  const out: number[] = [];
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      const comm = readFileSync(`/proc/${entry}/comm`, 'utf8').trim();
      if (names.some((n) => comm.startsWith(n))) out.push(Number(entry));
    } catch {
      // exited meanwhile
    }
  }
  return out;
}

/** CPU seconds of a changing set of processes (PostgreSQL backends come and go): sum over pids seen. */
export class CpuGroup {
  private readonly start = new Map<number, number>();
  constructor(private readonly names: readonly string[]) {
    for (const pid of pidsByComm(names)) this.start.set(pid, procCpuSeconds(pid));
  }
  /** CPU seconds used since construction by processes alive now (new ones count from 0). */
  elapsed(): number {
    let sum = 0;
    for (const pid of pidsByComm(this.names)) {
      const now = procCpuSeconds(pid);
      if (!Number.isFinite(now)) continue;
      sum += now - (this.start.get(pid) ?? 0);
    }
    return sum;
  }
}

/** Busy CPU seconds of the whole machine (all cores) from /proc/stat: user+nice+system+irq+softirq+steal. */
export function machineBusySeconds(): number {
  try {
    const line = readFileSync('/proc/stat', 'utf8').split('\n')[0]!.trim().split(/\s+/).slice(1).map(Number);
    const [user = 0, nice = 0, system = 0, , , irq = 0, softirq = 0, steal = 0] = line;
    return (user + nice + system + irq + softirq + steal) / CLK_TCK;
  } catch {
    return NaN;
  }
}

export function loadAverage(): number[] {
  try {
    return readFileSync('/proc/loadavg', 'utf8').split(' ').slice(0, 3).map(Number);
  } catch {
    return [];
  }
}

export function openFileLimit(): { soft: number; hard: number } {
  try {
    const m = /Max open files\s+(\d+|unlimited)\s+(\d+|unlimited)/.exec(readFileSync('/proc/self/limits', 'utf8'));
    const n = (v: string | undefined) => (v === 'unlimited' ? Infinity : Number(v));
    return { soft: n(m?.[1]), hard: n(m?.[2]) };
  } catch {
    return { soft: NaN, hard: NaN };
  }
}

export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = createServer();
    srv.once('error', reject);
    srv.listen(0, HOST, () => {
      const address = srv.address();
      const port = typeof address === 'object' && address ? address.port : 0;
      srv.close(() => resolve(port));
    });
  });
}

export async function waitForPort(port: number, timeoutMs: number): Promise<boolean> {
  const until = Date.now() + timeoutMs;
  while (Date.now() < until) {
    const ok = await new Promise<boolean>((resolve) => {
      const s = connect(port, HOST);
      s.once('connect', () => {
        s.destroy();
        resolve(true);
      });
      s.once('error', () => resolve(false));
    });
    if (ok) return true;
    await sleep(50);
  }
  return false;
}

// ---- every child the benchmark starts, so none outlives it ---------------------------------------

const children = new Set<ChildProcess>();

export function spawnTracked(command: string, args: string[], options: SpawnOptions, label: string): ChildProcess {
  const child = spawn(command, args, { cwd: REPO_ROOT, ...options });
  children.add(child);
  child.once('exit', () => children.delete(child));
  child.once('error', (err) => process.stderr.write(`[bench] ${label} could not start: ${err.message}\n`));
  return child;
}

export function killAllChildren(): void {
  for (const c of children) {
    try {
      c.kill('SIGKILL');
    } catch {
      // already gone
    }
  }
}

export function liveChildren(): number {
  return children.size;
}

export function exited(child: ChildProcess): boolean {
  return child.exitCode !== null || child.signalCode !== null;
}

export function waitExit(child: ChildProcess, timeoutMs: number): Promise<boolean> {
  if (exited(child)) return Promise.resolve(true);
  return new Promise((resolve) => {
    const t = setTimeout(() => {
      child.off('exit', onExit);
      resolve(false);
    }, timeoutMs);
    const onExit = () => {
      clearTimeout(t);
      resolve(true);
    };
    child.once('exit', onExit);
  });
}

/** SIGTERM, then SIGKILL after the grace period. */
export async function stopChild(child: ChildProcess | undefined, graceMs = 5000): Promise<void> {
  if (!child || exited(child)) return;
  try {
    child.kill('SIGTERM');
  } catch {
    // gone
  }
  if (!(await waitExit(child, graceMs))) {
    try {
      child.kill('SIGKILL');
    } catch {
      // gone
    }
    await waitExit(child, 3000);
  }
}

// ---- request/response over IPC -------------------------------------------------------------------

export interface IpcReply {
  reqId?: number;
  type: string;
  error?: string;
  [key: string]: unknown;
}

let nextReqId = 1;

/** Sends `{cmd, ...}` to a child and resolves with its reply (same reqId), or rejects on timeout/exit. */
export function request<T extends IpcReply = IpcReply>(
  child: ChildProcess,
  msg: Record<string, unknown>,
  timeoutMs: number,
): Promise<T> {
  const reqId = nextReqId++;
  return new Promise<T>((resolve, reject) => {
    const cleanup = () => {
      clearTimeout(timer);
      child.off('message', onMessage);
      child.off('exit', onExit);
    };
    const timer = setTimeout(() => {
      cleanup();
      reject(new Error(`no reply to ${String(msg.cmd)} within ${timeoutMs} ms`));
    }, timeoutMs);
    const onMessage = (m: unknown) => {
      const reply = m as IpcReply;
      if (!reply || reply.reqId !== reqId) return;
      cleanup();
      if (reply.type === 'error') reject(new Error(`${String(msg.cmd)} failed in child: ${reply.error}`));
      else resolve(reply as T);
    };
    const onExit = (code: number | null, signal: string | null) => {
      cleanup();
      reject(new Error(`child exited (${code ?? signal}) before answering ${String(msg.cmd)}`));
    };
    child.on('message', onMessage);
    child.once('exit', onExit);
    try {
      child.send({ ...msg, reqId });
    } catch (err) {
      cleanup();
      reject(err as Error);
    }
  });
}
