import { spawn } from 'node:child_process';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';

const REPO_ROOT = fileURLToPath(new URL('../..', import.meta.url));

interface Results {
  scenarios: Record<string, { status: string; results?: Record<string, Record<string, unknown>> }>;
  figures: unknown[];
}

/** `npm run bench -- --tiny` end to end: every scenario runs, the results files are written, nothing is lost. */
describe('npm run bench (tiny sizes)', () => {
  let outDir = '';
  afterAll(async () => {
    if (outDir) await rm(outDir, { recursive: true, force: true });
  });

  it('writes results with every scenario and no lost message', async () => {
    outDir = await mkdtemp(join(tmpdir(), 'lounge-bench-smoke-'));
    const child = spawn(process.execPath, ['--import', 'tsx', 'bench/run.ts', '--tiny', `--out=${outDir}`], {
      cwd: REPO_ROOT,
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let output = '';
    child.stdout.on('data', (c: Buffer) => (output += c.toString()));
    child.stderr.on('data', (c: Buffer) => (output += c.toString()));
    const code = await new Promise<number | null>((resolve) => {
      const timer = setTimeout(() => child.kill('SIGINT'), 110_000);
      child.once('exit', (c) => {
        clearTimeout(timer);
        resolve(c);
      });
    });
    expect(code, output.slice(-4000)).toBe(0);

    const results = JSON.parse(await readFile(join(outDir, 'latest.json'), 'utf8')) as Results;
    const md = await readFile(join(outDir, 'latest.md'), 'utf8');
    expect(md).toContain('| figure |');
    for (const name of ['fanout', 'throughput', 'connections', 'storm', 'history', 'layer1', 'pgprobe', 'pages']) {
      expect(results.scenarios[name], name).toBeDefined();
      expect(['ok', 'not-built'], `${name}: ${JSON.stringify(results.scenarios[name])}`).toContain(
        results.scenarios[name]!.status,
      );
    }
    for (const name of ['fanout', 'throughput', 'storm']) {
      for (const [server, r] of Object.entries(results.scenarios[name]!.results ?? {})) {
        expect(r.error, `${name}/${server}`).toBeUndefined();
        expect(r.lost, `${name}/${server} lost`).toBe(0);
      }
    }
    for (const server of ['lounge', 'hocuspocus', 'y-websocket-server']) {
      expect(results.scenarios.fanout!.results?.[server], server).toBeDefined();
    }
    expect(results.figures.length).toBeGreaterThan(10);
  }, 120_000);
});
