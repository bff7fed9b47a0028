import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { chownSync, existsSync, mkdirSync, mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Redis } from 'ioredis';
import pg from 'pg';
import { findFreePort, REPO_ROOT } from '../../support/server-process.ts';

/**
 * Child processes of the chaos harness: a PRIVATE Redis and a PRIVATE PostgreSQL cluster (never the
 * machine's shared ones, which other test files use in parallel), sync-server nodes and a worker.
 * Every child is registered here and killed on exit, SIGINT, SIGTERM or an uncaught error; every wait
 * is bounded.
 */

const OUTPUT_LIMIT_CHARS = 64 * 1024;
const live = new Set<ChildProcess>();
const tempDirs = new Set<string>();
let hooksInstalled = false;

function installCleanupHooks(): void {
  if (hooksInstalled) return;
  hooksInstalled = true;
  // 'exit' handlers must be synchronous: SIGKILL whatever is still running, remove temp folders.
  process.on('exit', killAllSync);
  for (const signal of ['SIGINT', 'SIGTERM'] as const) {
    process.once(signal, () => {
      killAllSync();
      process.exit(signal === 'SIGINT' ? 130 : 143);
    });
  }
}

/** Kills every child still alive and removes the harness's temp folders (synchronous; safe to call twice). */
export function killAllSync(): void {
  for (const child of live) {
    try {
      child.kill('SIGKILL');
    } catch {
      // already gone
    }
  }
  live.clear();
  for (const dir of tempDirs) {
    try {
      rmSync(dir, { recursive: true, force: true });
    } catch {
      // best effort
    }
  }
  tempDirs.clear();
}

export function makeTempDir(prefix: string): string {
  installCleanupHooks();
  const dir = mkdtempSync(join(tmpdir(), prefix));
  tempDirs.add(dir);
  return dir;
}

export function removeTempDir(dir: string): void {
  rmSync(dir, { recursive: true, force: true });
  tempDirs.delete(dir);
}

export const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

export async function waitUntil(
  what: string,
  check: () => boolean | Promise<boolean>,
  timeoutMs: number,
  everyMs = 100,
): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  let last: unknown;
  while (Date.now() < deadline) {
    try {
      if (await check()) return;
    } catch (err) {
      last = err;
    }
    await sleep(everyMs);
  }
  throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}${last ? ` (${(last as Error).message})` : ''}`);
}

export interface UnexpectedExit {
  name: string;
  pid: number;
  at: number;
  code: number | null;
  signal: NodeJS.Signals | null;
  /** The last lines the process wrote before it died. */
  outputTail: string;
}

/** Children that died without the harness asking them to (crashes), oldest first. */
export const unexpectedExits: UnexpectedExit[] = [];

export interface Child {
  name: string;
  pid: number;
  process: ChildProcess;
  output(): string;
  alive(): boolean;
  /** Marks an exit as intended (e.g. a fault-injected self-kill), so it is not reported as a crash. */
  expectExit(): void;
  /** Sends the signal and waits (bounded) for the exit; SIGKILL after the grace period. */
  stop(signal?: NodeJS.Signals, graceMs?: number): Promise<void>;
}

export function spawnChild(
  name: string,
  command: string,
  args: string[],
  options: { env?: NodeJS.ProcessEnv; cwd?: string; uid?: number; gid?: number } = {},
): Child {
  installCleanupHooks();
  let output = '';
  const child = spawn(command, args, {
    cwd: options.cwd ?? REPO_ROOT,
    env: options.env ?? process.env,
    stdio: ['ignore', 'pipe', 'pipe'],
    ...(options.uid !== undefined ? { uid: options.uid } : {}),
    ...(options.gid !== undefined ? { gid: options.gid } : {}),
  });
  const record = (chunk: Buffer) => {
    output += chunk.toString('utf8');
    if (output.length > OUTPUT_LIMIT_CHARS) output = output.slice(-OUTPUT_LIMIT_CHARS);
  };
  child.stdout?.on('data', record);
  child.stderr?.on('data', record);
  child.on('error', (err) => record(Buffer.from(`\n[spawn error] ${err.message}\n`)));
  live.add(child);
  let expected = false;
  child.once('exit', (code, signal) => {
    live.delete(child);
    if (!expected) {
      unexpectedExits.push({
        name,
        pid: child.pid ?? -1,
        at: Date.now(),
        code,
        signal,
        outputTail: output.slice(-4000),
      });
    }
  });
  const alive = () => child.exitCode === null && child.signalCode === null;
  return {
    name,
    pid: child.pid ?? -1,
    process: child,
    output: () => output,
    alive,
    expectExit() {
      expected = true;
    },
    async stop(signal: NodeJS.Signals = 'SIGTERM', graceMs = 10_000) {
      expected = true;
      if (!alive()) return;
      child.kill(signal);
      if (await waitForExit(child, graceMs)) return;
      child.kill('SIGKILL');
      await waitForExit(child, 5_000);
    },
  };
}

export function waitForExit(child: ChildProcess, timeoutMs: number): Promise<boolean> {
  if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve(true);
  return new Promise((resolve) => {
    const timer = setTimeout(() => {
      child.off('exit', onExit);
      resolve(false);
    }, timeoutMs);
    const onExit = () => {
      clearTimeout(timer);
      resolve(true);
    };
    child.once('exit', onExit);
  });
}

// ---- private Redis ---------------------------------------------------------------------------------

export class PrivateRedis {
  private child: Child | undefined;
  private constructor(readonly port: number) {}

  get url(): string {
    return `redis://127.0.0.1:${this.port}`;
  }

  static async start(): Promise<PrivateRedis> {
    const redis = new PrivateRedis(await findFreePort());
    await redis.start();
    return redis;
  }

  async start(): Promise<void> {
    this.child = spawnChild('redis', 'redis-server', [
      '--port',
      String(this.port),
      '--bind',
      '127.0.0.1',
      '--save',
      '',
      '--appendonly',
      'no',
      '--daemonize',
      'no',
      '--protected-mode',
      'yes',
    ]);
    await waitUntil('private Redis to answer PING', () => this.ping(), 15_000, 50).catch((err: Error) => {
      throw new Error(`${err.message}\n--- redis output ---\n${this.child?.output() ?? ''}`);
    });
  }

  async ping(): Promise<boolean> {
    if (!this.child?.alive()) return false;
    const client = new Redis(this.url, {
      lazyConnect: true,
      maxRetriesPerRequest: 0,
      connectTimeout: 500,
      retryStrategy: () => null,
    });
    client.on('error', () => {});
    try {
      await client.connect();
      return (await client.ping()) === 'PONG';
    } catch {
      return false;
    } finally {
      client.disconnect();
    }
  }

  /** SIGKILL (everything in memory is gone: fan-out, presence, rate limits, BullMQ queues). */
  async kill(): Promise<void> {
    await this.child?.stop('SIGKILL', 5_000);
  }

  async restart(downMs: number): Promise<void> {
    await this.kill();
    await sleep(downMs);
    await this.start();
  }

  async stop(): Promise<void> {
    await this.child?.stop('SIGTERM', 5_000);
  }
}

// ---- private PostgreSQL ----------------------------------------------------------------------------

function postgresBinDir(): string {
  const root = '/usr/lib/postgresql';
  if (!existsSync(root)) throw new Error('PostgreSQL binaries not found under /usr/lib/postgresql');
  const versions = readdirSync(root)
    .filter((v) => existsSync(join(root, v, 'bin', 'postgres')))
    .sort((a, b) => Number(b) - Number(a));
  if (versions.length === 0) throw new Error('no /usr/lib/postgresql/<version>/bin/postgres');
  return join(root, versions[0]!, 'bin');
}

function postgresIds(): { uid: number; gid: number } {
  // PostgreSQL refuses to run as root: as root, run it as the `postgres` OS user; otherwise as ourselves.
  if (process.getuid?.() !== 0) return { uid: process.getuid?.() ?? 0, gid: process.getgid?.() ?? 0 };
  const uid = spawnSync('id', ['-u', 'postgres'], { encoding: 'utf8' });
  const gid = spawnSync('id', ['-g', 'postgres'], { encoding: 'utf8' });
  if (uid.status !== 0 || gid.status !== 0)
    throw new Error('there is no `postgres` OS user to run a private cluster as');
  return { uid: Number(uid.stdout.trim()), gid: Number(gid.stdout.trim()) };
}

/**
 * A throwaway PostgreSQL cluster: initdb into a temp folder owned by `postgres` (PostgreSQL refuses to
 * run as root), trust auth on 127.0.0.1, fsync off (the harness crashes processes, never the
 * OS), its own socket folder.
 */
export class PrivatePostgres {
  private child: Child | undefined;
  private constructor(
    readonly port: number,
    private readonly root: string,
    private readonly bin: string,
    private readonly ids: { uid: number; gid: number },
  ) {}

  get adminUrl(): string {
    return `postgres://postgres@127.0.0.1:${this.port}/postgres`;
  }

  urlFor(database: string): string {
    return `postgres://postgres@127.0.0.1:${this.port}/${database}`;
  }

  static async start(options: { maxConnections?: number } = {}): Promise<PrivatePostgres> {
    const bin = postgresBinDir();
    const ids = postgresIds();
    const root = makeTempDir('lounge-chaos-pg-');
    chownSync(root, ids.uid, ids.gid);
    mkdirSync(join(root, 'sock'));
    chownSync(join(root, 'sock'), ids.uid, ids.gid);
    const init = spawnSync(
      join(bin, 'initdb'),
      ['-D', join(root, 'data'), '-U', 'postgres', '-A', 'trust', '--no-sync', '-E', 'UTF8', '--locale', 'C'],
      { uid: ids.uid, gid: ids.gid, encoding: 'utf8', timeout: 60_000, cwd: root },
    );
    if (init.status !== 0) throw new Error(`initdb failed (${init.status}): ${init.stderr}\n${init.stdout}`);
    const pgServer = new PrivatePostgres(await findFreePort(), root, bin, ids);
    await pgServer.start(options.maxConnections ?? 200);
    return pgServer;
  }

  private maxConnections = 200;

  async start(maxConnections = this.maxConnections): Promise<void> {
    this.maxConnections = maxConnections;
    this.child = spawnChild(
      'postgres',
      join(this.bin, 'postgres'),
      [
        '-D',
        join(this.root, 'data'),
        '-p',
        String(this.port),
        '-c',
        'listen_addresses=127.0.0.1',
        '-c',
        `unix_socket_directories=${join(this.root, 'sock')}`,
        '-c',
        `max_connections=${maxConnections}`,
        // fsync off is safe for what the harness does: it crashes PostgreSQL, never the OS, so written WAL
        // survives in the page cache. synchronous_commit must stay ON: with it off a crash loses commits
        // that were already acknowledged (and so already answered to clients as accepted).
        '-c',
        'fsync=off',
        '-c',
        'shared_buffers=64MB',
      ],
      { uid: this.ids.uid, gid: this.ids.gid, cwd: this.root, env: { ...process.env, LC_ALL: 'C' } },
    );
    await waitUntil('private PostgreSQL to accept connections', () => this.ready(), 30_000, 100).catch((err: Error) => {
      throw new Error(`${err.message}\n--- postgres output ---\n${this.child?.output() ?? ''}`);
    });
  }

  async ready(): Promise<boolean> {
    if (!this.child?.alive()) return false;
    const client = new pg.Client({ connectionString: this.adminUrl, connectionTimeoutMillis: 1000 });
    client.on('error', () => {});
    try {
      await client.connect();
      await client.query('SELECT 1');
      return true;
    } catch {
      return false;
    } finally {
      await client.end().catch(() => {});
    }
  }

  async createDatabase(name: string): Promise<string> {
    const client = new pg.Client({ connectionString: this.adminUrl, connectionTimeoutMillis: 5000 });
    await client.connect();
    try {
      await client.query(`CREATE DATABASE ${name}`);
    } finally {
      await client.end();
    }
    return this.urlFor(name);
  }

  /**
   * Immediate shutdown (SIGQUIT to the postmaster): every backend is cut off at once and the next
   * start runs crash recovery — a database crash as clients see it. SIGKILL of the postmaster alone
   * would leave orphaned backends holding shared memory, which is not a state a restart can use.
   */
  async crash(): Promise<void> {
    await this.child?.stop('SIGQUIT', 15_000);
  }

  async restart(downMs: number): Promise<void> {
    await this.crash();
    await sleep(downMs);
    await this.start();
  }

  async stop(): Promise<void> {
    await this.child?.stop('SIGINT', 15_000);
    removeTempDir(this.root);
  }
}
