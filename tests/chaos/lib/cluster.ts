import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { findFreePort, REPO_ROOT } from '../../support/server-process.ts';
import { TEST_HOST_SECRET, TEST_SIGNING_SECRET } from '../../support/test-app.ts';
import { makeTempDir, sleep, spawnChild, waitUntil, type Child } from './processes.ts';

/** The environment every production-mode process of the harness shares. */
export function productionEnv(
  databaseUrl: string,
  redisUrl: string,
  extra: Record<string, string> = {},
): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = { ...process.env };
  // Nothing from the caller's shell may point a child at the shared services.
  for (const key of ['DATABASE_URL', 'REDIS_URL', 'LOUNGE_FAULT_KILL_AFTER_COMMIT', 'PORT', 'HOST', 'DATA_DIR'])
    delete env[key];
  return {
    ...env,
    NODE_ENV: 'test',
    HOST: '127.0.0.1',
    DATABASE_URL: databaseUrl,
    DATABASE_POOL_SIZE: '10',
    REDIS_URL: redisUrl,
    AUTH_JWT_SECRET: TEST_HOST_SECRET,
    LOUNGE_SIGNING_SECRET: TEST_SIGNING_SECRET,
    LOG_LEVEL: 'warn',
    CLIENT_DIST_DIR: '/nonexistent',
    ...extra,
  };
}

/** One sync-server node (`sync-server/main.ts`) as a child process on a fixed port, restartable. */
export class NodeProcess {
  private child: Child | undefined;
  private readonly dataDir = makeTempDir('lounge-chaos-node-');
  restarts = 0;

  private constructor(
    readonly name: string,
    readonly port: number,
    private readonly baseEnv: NodeJS.ProcessEnv,
  ) {}

  static async create(name: string, baseEnv: NodeJS.ProcessEnv): Promise<NodeProcess> {
    return new NodeProcess(name, await findFreePort(), baseEnv);
  }

  get url(): string {
    return `http://127.0.0.1:${this.port}`;
  }

  get pid(): number {
    return this.child?.pid ?? -1;
  }

  alive(): boolean {
    return this.child?.alive() ?? false;
  }

  output(): string {
    return this.child?.output() ?? '';
  }

  async start(extraEnv: Record<string, string> = {}, readyTimeoutMs = 60_000): Promise<void> {
    if (this.alive()) throw new Error(`${this.name} is already running`);
    this.child = spawnChild(this.name, process.execPath, ['--import', 'tsx', 'sync-server/main.ts'], {
      env: { ...this.baseEnv, PORT: String(this.port), DATA_DIR: this.dataDir, ...extraEnv },
    });
    const child = this.child;
    await waitUntil(
      `${this.name} to answer /healthz`,
      async () => {
        if (!child.alive())
          throw new Error(`${this.name} exited: ${child.process.exitCode ?? child.process.signalCode}`);
        return this.healthy(1000);
      },
      readyTimeoutMs,
      150,
    ).catch((err: Error) => {
      throw new Error(`${err.message}\n--- ${this.name} output ---\n${child.output()}`);
    });
  }

  async healthy(timeoutMs = 1000): Promise<boolean> {
    try {
      const res = await fetch(`${this.url}/healthz`, { signal: AbortSignal.timeout(timeoutMs) });
      return res.status === 200;
    } catch {
      return false;
    }
  }

  /** SIGKILL, as a crash would. */
  async kill(): Promise<void> {
    await this.child?.stop('SIGKILL', 5_000);
  }

  /** The next exit is intended (fault injection makes the node kill itself). */
  expectExit(): void {
    this.child?.expectExit();
  }

  async waitForDeath(timeoutMs: number): Promise<void> {
    await waitUntil(`${this.name} to die`, () => !this.alive(), timeoutMs, 20);
  }

  async restart(extraEnv: Record<string, string> = {}): Promise<void> {
    await this.kill();
    this.restarts += 1;
    await this.start(extraEnv);
  }

  async stop(): Promise<void> {
    await this.child?.stop('SIGTERM', 10_000);
  }
}

export const workerExists = (): boolean => existsSync(join(REPO_ROOT, 'workers', 'main.ts'));

/** The BullMQ worker (`workers/main.ts`, as `npm run worker` runs it). */
export class WorkerProcess {
  private child: Child | undefined;
  kills = 0;

  constructor(private readonly env: NodeJS.ProcessEnv) {}

  get pid(): number {
    return this.child?.pid ?? -1;
  }

  alive(): boolean {
    return this.child?.alive() ?? false;
  }

  output(): string {
    return this.child?.output() ?? '';
  }

  async start(): Promise<void> {
    this.child = spawnChild('worker', process.execPath, ['--import', 'tsx', 'workers/main.ts'], { env: this.env });
    const child = this.child;
    // The worker has no HTTP port: it is up once it logged that it started (or, at least, still runs).
    await waitUntil(
      'the worker to start',
      () => {
        if (!child.alive()) throw new Error(`worker exited: ${child.process.exitCode ?? child.process.signalCode}`);
        return child.output().includes('worker started');
      },
      60_000,
      100,
    ).catch((err: Error) => {
      throw new Error(`${err.message}\n--- worker output ---\n${child.output()}`);
    });
  }

  async kill(): Promise<void> {
    this.kills += 1;
    await this.child?.stop('SIGKILL', 5_000);
  }

  async stop(): Promise<void> {
    await this.child?.stop('SIGTERM', 15_000);
  }
}

export { sleep };
