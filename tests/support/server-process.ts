import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

/** The repository root, so the server starts the same way whatever directory the tests run from. */
export const REPO_ROOT = fileURLToPath(new URL('../..', import.meta.url));

const OUTPUT_LIMIT_CHARS = 64 * 1024;

export interface StartServerOptions {
  /** Extra or overriding environment (DATABASE_URL, REDIS_URL, LOUNGE_DEMO_SIGN_IN, ...). */
  env?: Record<string, string>;
  /** Reuse a data folder (e.g. to restart over the same PGlite data); it is then kept on stop(). */
  dataDir?: string;
  /** A fixed port; by default a free one is picked. */
  port?: number;
  readyTimeoutMs?: number;
}

export interface ServerProcess {
  /** Base URL, e.g. http://127.0.0.1:41234 (no trailing slash). */
  url: string;
  port: number;
  dataDir: string;
  pid: number;
  /** performance.now() just before the child was spawned, for time-to-ready measurements. */
  spawnedAt: number;
  /** Everything the child wrote to stdout and stderr so far (the last 64 KiB). */
  output(): string;
  /** SIGTERM, then SIGKILL if it has not exited within the grace period; removes a temp data folder. */
  stop(options?: { graceMs?: number }): Promise<void>;
  /** SIGKILL right away, as a crash would; keeps the data folder for a restart. */
  kill(): Promise<void>;
}

/** A port nobody listens on right now: the OS picks it for a throwaway listener that is then closed. */
export function findFreePort(host = '127.0.0.1'): Promise<number> {
  return new Promise((resolve, reject) => {
    const probe = createServer();
    probe.unref();
    probe.once('error', reject);
    probe.listen(0, host, () => {
      const address = probe.address();
      const port = typeof address === 'object' && address !== null ? address.port : 0;
      probe.close(() => (port > 0 ? resolve(port) : reject(new Error('could not pick a free port'))));
    });
  });
}

function waitForExit(child: ChildProcess, timeoutMs: number): Promise<boolean> {
  if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve(true);
  return new Promise((resolve) => {
    const timer = setTimeout(() => {
      child.off('exit', onExit);
      resolve(false);
    }, timeoutMs);
    const onExit = (): void => {
      clearTimeout(timer);
      resolve(true);
    };
    child.once('exit', onExit);
  });
}

/**
 * Starts the real sync server (`sync-server/main.ts` through tsx) as a child process on 127.0.0.1 with a
 * fresh data folder, and resolves once GET /healthz answers 200. Fails with the child's output if it exits
 * or is not ready in time, so a broken start explains itself in the test report.
 */
export async function startServer(options: StartServerOptions = {}): Promise<ServerProcess> {
  const port = options.port ?? (await findFreePort());
  const ownsDataDir = options.dataDir === undefined;
  const dataDir = options.dataDir ?? (await mkdtemp(join(tmpdir(), 'lounge-e2e-')));
  const url = `http://127.0.0.1:${port}`;
  const readyTimeoutMs = options.readyTimeoutMs ?? 60_000;

  let output = '';
  const record = (chunk: Buffer): void => {
    output += chunk.toString('utf8');
    if (output.length > OUTPUT_LIMIT_CHARS) output = output.slice(-OUTPUT_LIMIT_CHARS);
  };

  const spawnedAt = performance.now();
  const child = spawn(process.execPath, ['--import', 'tsx', 'sync-server/main.ts'], {
    cwd: REPO_ROOT,
    env: {
      ...process.env,
      PORT: String(port),
      HOST: '127.0.0.1',
      DATA_DIR: dataDir,
      ...options.env,
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  child.stdout?.on('data', record);
  child.stderr?.on('data', record);
  let spawnError: Error | undefined;
  child.once('error', (err) => {
    spawnError = err;
  });

  const exited = (): boolean => child.exitCode !== null || child.signalCode !== null || spawnError !== undefined;
  const describeExit = (): string =>
    spawnError ? `could not be spawned (${spawnError.message})` : `exited with ${child.exitCode ?? child.signalCode}`;

  const stop = async ({ graceMs = 10_000 }: { graceMs?: number } = {}): Promise<void> => {
    if (!exited()) {
      child.kill('SIGTERM');
      if (!(await waitForExit(child, graceMs))) {
        child.kill('SIGKILL');
        await waitForExit(child, 5_000);
      }
    }
    if (ownsDataDir) await rm(dataDir, { recursive: true, force: true });
  };

  const kill = async (): Promise<void> => {
    if (exited()) return;
    child.kill('SIGKILL');
    await waitForExit(child, 5_000);
  };

  const deadline = Date.now() + readyTimeoutMs;
  for (;;) {
    if (exited()) {
      await stop();
      throw new Error(`The Lounge server ${describeExit()} before it was ready.\n--- server output ---\n${output}`);
    }
    try {
      const response = await fetch(`${url}/healthz`, { signal: AbortSignal.timeout(2_000) });
      if (response.status === 200) break;
    } catch {
      // Not listening yet.
    }
    if (Date.now() > deadline) {
      await stop({ graceMs: 2_000 });
      throw new Error(
        `The Lounge server did not answer GET /healthz with 200 within ${readyTimeoutMs} ms.\n--- server output ---\n${output}`,
      );
    }
    await new Promise((resolve) => setTimeout(resolve, 150));
  }

  return {
    url,
    port,
    dataDir,
    pid: child.pid ?? -1,
    spawnedAt,
    output: () => output,
    stop,
    kill,
  };
}
