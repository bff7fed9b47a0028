/**
 * `npm run chaos`: two sync nodes, the worker and N real clients against a PRIVATE PostgreSQL and a
 * PRIVATE Redis (never the machine's shared ones); each fault in turn mid-traffic, then a check of every
 * replica and of Postgres. Prints a table, writes tests/chaos/results/latest.json, exits 1 when anything
 * accepted was lost or duplicated (or any other check failed), 2 when the harness itself failed.
 *
 *   npm run chaos                      # every fault
 *   npm run chaos -- --faults=node-sigkill,redis-restart --devices=20 --traffic=15
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { killAllSync } from './lib/processes.ts';
import { FAULTS, formatTable, runChaos, type ChaosOptions, type Fault } from './lib/scenario.ts';

const HERE = dirname(fileURLToPath(import.meta.url));
/** The whole run is bounded: past this everything is killed and the run fails. */
const HARD_LIMIT_MS = 20 * 60_000;

function parseArgs(argv: string[]): Partial<ChaosOptions> {
  const opts: Partial<ChaosOptions> = {};
  for (const arg of argv) {
    const [key, value = ''] = arg.replace(/^--/, '').split('=');
    switch (key) {
      case 'faults': {
        const faults = value.split(',').filter(Boolean);
        const unknown = faults.filter((f) => !(FAULTS as readonly string[]).includes(f));
        if (unknown.length > 0) throw new Error(`unknown fault(s) ${unknown.join(', ')}; known: ${FAULTS.join(', ')}`);
        opts.faults = faults as Fault[];
        break;
      }
      case 'devices':
        opts.devices = Number(value);
        break;
      case 'traffic':
        opts.trafficMs = Number(value) * 1000;
        break;
      case 'no-worker':
        opts.worker = false;
        break;
      default:
        throw new Error(`unknown option --${key}`);
    }
  }
  return opts;
}

async function main(): Promise<number> {
  const hardLimit = setTimeout(() => {
    process.stderr.write(`chaos: hard time limit of ${HARD_LIMIT_MS / 60_000} min reached; killing everything\n`);
    killAllSync();
    process.exit(2);
  }, HARD_LIMIT_MS);
  hardLimit.unref();

  const options = parseArgs(process.argv.slice(2));
  const started = Date.now();
  const log = (line: string) =>
    process.stdout.write(`[${((Date.now() - started) / 1000).toFixed(1).padStart(6)}s] ${line}\n`);
  const report = await runChaos({ ...options, log });

  const resultsDir = join(HERE, 'results');
  mkdirSync(resultsDir, { recursive: true });
  writeFileSync(join(resultsDir, 'latest.json'), `${JSON.stringify(report, null, 2)}\n`);

  process.stdout.write(`\n${formatTable(report)}\n\n`);
  for (const p of report.phases) {
    if (p.ok) continue;
    process.stdout.write(`${p.fault} FAILED:\n`);
    for (const problem of p.problems.slice(0, 20))
      process.stdout.write(`  ${problem.kind} (d${problem.device}, ${problem.intentId}): ${problem.detail}\n`);
    for (const e of p.replicas.examples) process.stdout.write(`  replica: ${e}\n`);
    if (!p.lateJoiner.ok) process.stdout.write(`  late joiner: ${p.lateJoiner.detail}\n`);
    for (const e of p.snapshots?.examples ?? []) process.stdout.write(`  snapshot: ${e}\n`);
  }
  const audit = report.finalAudit;
  if (audit) {
    process.stdout.write(
      `final audit of all ${audit.counts.sent} intents: lost ${audit.counts.lost}, duplicated ${audit.counts.duplicated}, ` +
        `no verdict ${audit.counts.noVerdict}, replicas diverged ${audit.replicas.diverged}/${audit.replicas.compared}\n`,
    );
    for (const problem of audit.problems.slice(0, 20))
      process.stdout.write(`  ${problem.kind} (d${problem.device}, ${problem.intentId}): ${problem.detail}\n`);
  }
  process.stdout.write(
    `results: ${join('tests', 'chaos', 'results', 'latest.json')} (${(report.durationMs / 1000).toFixed(0)} s)\n`,
  );
  const t = report.totals;
  const lost = Math.max(t.lost, audit?.counts.lost ?? 0);
  const duplicated = Math.max(t.duplicated, audit?.counts.duplicated ?? 0);
  if (lost > 0 || duplicated > 0) {
    process.stdout.write(`INVARIANT 7 BROKEN: lost ${lost}, duplicated ${duplicated}\n`);
    return 1;
  }
  return report.ok ? 0 : 1;
}

main().then(
  (code) => process.exit(code),
  (err: unknown) => {
    process.stderr.write(`chaos harness failed: ${err instanceof Error ? (err.stack ?? err.message) : String(err)}\n`);
    killAllSync();
    process.exit(2);
  },
);
