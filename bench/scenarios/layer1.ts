import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { ask, spawnLoadgen, stopLoadgens, type BenchContext } from '../lib/harness.ts';
import { REPO_ROOT } from '../lib/procs.ts';
import type { ScenarioOutcome } from '../lib/report.ts';

/**
 * Layer-1 moderation cost per message: `runLayer1Bench` of bench/layer1/bench-layer1.ts (owned by the
 * moderation work), run in a load-generator process so its CPU does not share a heap with anything.
 */
export async function runLayer1(ctx: BenchContext): Promise<ScenarioOutcome> {
  if (!existsSync(join(REPO_ROOT, 'bench/layer1/bench-layer1.ts'))) {
    return { status: 'not-built', reason: 'bench/layer1/bench-layer1.ts does not exist yet' };
  }
  const lg = await spawnLoadgen('layer1', 600, ctx.log);
  try {
    const r = await ask(lg, { cmd: 'layer1', messages: ctx.sizes.layer1.messages }, 540_000);
    if (r.status !== 'ok') {
      ctx.log(`  [layer1] not built: ${String(r.reason)}`);
      return { status: 'not-built', reason: r.reason };
    }
    const res = r.result as { all: { p50Us: number; p99Us: number }; long: { p99Us: number }; withinBudget: boolean };
    ctx.log(
      `  [layer1] p50 ${res.all.p50Us} µs, p99 ${res.all.p99Us} µs, p99 of ≥3,000-char messages ${res.long.p99Us} µs`,
    );
    return { status: 'ok', results: { lounge: r.result } };
  } finally {
    await stopLoadgens([lg]);
  }
}
