import { spawn } from 'node:child_process';
import { join } from 'node:path';
import { REPO_ROOT } from '../support/server-process.ts';

/** Builds the web app once per e2e run: the server serves client/dist, so every test sees the current UI. */
export default async function setup(): Promise<void> {
  const vite = join(REPO_ROOT, 'node_modules', 'vite', 'bin', 'vite.js');
  const started = performance.now();
  const { code, output } = await new Promise<{ code: number | null; output: string }>((resolve, reject) => {
    const child = spawn(process.execPath, [vite, 'build', '--config', 'client/vite.config.ts'], {
      cwd: REPO_ROOT,
      // The tests read the device's SQL replica through globalThis.__loungeReplica (client/src/replica/sql/test-hook.ts).
      env: { ...process.env, VITE_LOUNGE_TEST_HOOKS: '1' },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let text = '';
    child.stdout.on('data', (chunk: Buffer) => (text += chunk.toString('utf8')));
    child.stderr.on('data', (chunk: Buffer) => (text += chunk.toString('utf8')));
    child.once('error', reject);
    child.once('close', (exitCode) => resolve({ code: exitCode, output: text }));
  });
  if (code !== 0) throw new Error(`Building the client failed (vite build exited with ${code}):\n${output}`);
  process.stdout.write(`[e2e] client built in ${Math.round(performance.now() - started)} ms\n`);
}
