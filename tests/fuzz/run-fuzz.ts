/**
 * `npm run fuzz`: 1,000,000 random and mutated WebSocket frames (bounded to 10 minutes) and schema-driven
 * invalid REST requests against one real server process, while a legitimate member keeps chatting.
 * Prints the figures, writes tests/fuzz/results/latest.json, exits 1 when a check failed.
 *
 *   npm run fuzz
 *   npm run fuzz -- --frames=200000 --requests=5000 --minutes=3 --seed=1234
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { runFuzz, type FuzzOptions } from './lib/fuzzer.ts';

const HERE = dirname(fileURLToPath(import.meta.url));

function parseArgs(argv: string[]): Partial<FuzzOptions> {
  const o: Partial<FuzzOptions> = {};
  for (const arg of argv) {
    const [key, value = ''] = arg.replace(/^--/, '').split('=');
    const n = Number(value);
    if (key === 'frames') o.frames = n;
    else if (key === 'requests') o.requests = n;
    else if (key === 'minutes') o.maxMs = n * 60_000;
    else if (key === 'seed') o.seed = n;
    else if (key === 'sockets') o.sockets = n;
    else throw new Error(`unknown option --${key}`);
  }
  return o;
}

async function main(): Promise<number> {
  const started = Date.now();
  const log = (line: string) =>
    process.stdout.write(`[${((Date.now() - started) / 1000).toFixed(1).padStart(6)}s] ${line}\n`);
  const hard = setTimeout(() => {
    process.stderr.write('fuzz: hard time limit reached\n');
    process.exit(2);
  }, 14 * 60_000);
  hard.unref();
  const report = await runFuzz({ ...parseArgs(process.argv.slice(2)), log });
  mkdirSync(join(HERE, 'results'), { recursive: true });
  writeFileSync(join(HERE, 'results', 'latest.json'), `${JSON.stringify(report, null, 2)}\n`);
  const f = report.frames;
  const lines = [
    '',
    `seed ${report.seed}, ${(report.durationMs / 1000).toFixed(0)} s`,
    `frames: ${f.sent} sent (${f.perSecond}/s), ${f.acknowledged} acknowledged by probes, ${f.connections} sockets (${f.stockConnections} stock)`,
    `  by strategy: ${Object.entries(f.byStrategy)
      .map(([k, v]) => `${k} ${v}`)
      .join(', ')}`,
    `  socket closes: ${Object.entries(f.closes)
      .sort((a, b) => b[1] - a[1])
      .map(([k, v]) => `${k} ×${v}`)
      .join('; ')}`,
    `REST: ${report.rest.sent} requests, statuses ${Object.entries(report.rest.byStatus)
      .map(([k, v]) => `${k} ×${v}`)
      .join(', ')}`,
    ...report.rest.serverErrors.map((e) => `  5xx: ${e.status} ${e.request}: ${e.body}`),
    ...report.rest.acceptedInvalidWrites.map(
      (e) => `  note: 2xx to a write with a deliberately broken input: ${e.status} ${e.request}`,
    ),
    `health: ${report.health.checks} checks, ${report.health.failures} failures, max ${report.health.maxLatencyMs} ms; alive at end ${report.health.aliveAtEnd}`,
    `RSS: ${report.rss.beforeMb} MB before, ${report.rss.afterMb} MB after (growth ${report.rss.growthMb} MB, max ${report.rss.maxMb} MB, limit ${report.rss.limitMb})`,
    `writes: fuzzer ${report.writes.fuzzerIntents} intents / ${report.writes.fuzzerMessages} messages; messages +${report.writes.messagesDelta} (legit ${report.writes.expectedMessagesDelta}), client_intents +${report.writes.intentsDelta}, channel_changes +${report.writes.changesDelta}`,
    `legit member: ${report.legit.sent} sent, ${report.legit.accepted} accepted and received, max latency ${report.legit.maxLatencyMs} ms, chatting after fuzz: ${report.legit.afterFuzzOk}`,
    report.ok ? 'FUZZ OK' : `FUZZ FAILED:\n  ${report.failures.join('\n  ')}`,
    `results: tests/fuzz/results/latest.json`,
  ];
  process.stdout.write(`${lines.join('\n')}\n`);
  return report.ok ? 0 : 1;
}

main().then(
  (code) => process.exit(code),
  (err: unknown) => {
    process.stderr.write(`fuzz harness failed: ${err instanceof Error ? (err.stack ?? err.message) : String(err)}\n`);
    process.exit(2);
  },
);
