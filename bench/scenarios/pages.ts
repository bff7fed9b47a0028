import { measureHistorySearch, type HistorySearchResult } from '../history-search.ts';
import { dropDatabase, PG_ADMIN_URL } from '../lib/db.ts';
import type { BenchContext } from '../lib/harness.ts';
import type { ScenarioOutcome } from '../lib/report.ts';

export type PagesResult = HistorySearchResult;

/** The probe's own database while it runs, so that an interrupted run can drop it too. */
let liveDatabase: string | undefined;

/**
 * History pages and full-text search over one room of `pages.messages` messages, measured server-side:
 * `measureHistorySearch` of bench/history-search.ts (the probe that also runs on its own), in this process,
 * on a database of its own that it creates, fills and drops (the run's database is not used).
 */
export async function runPages(ctx: BenchContext): Promise<ScenarioOutcome> {
  const P = ctx.sizes.pages;
  let result: PagesResult;
  try {
    result = await measureHistorySearch({
      messages: P.messages,
      samples: P.samples,
      searchSamples: P.searchSamples,
      adminUrl: PG_ADMIN_URL,
      log: (line) => ctx.log(`  [pages] ${line.trim()}`),
      onDatabase: (name) => (liveDatabase = name),
    });
  } finally {
    // The probe dropped its database itself (or tried to, when it failed).
    liveDatabase = undefined;
  }
  const h = result.history;
  const s = result.search;
  ctx.log(
    `  [pages] history page of 50 p99: room route ${h.roomRoutePage50.p99} ms, channel route ${h.channelRoutePage50.p99} ms (SQL alone ${h.sqlOnlyPage50.p99} ms); search p95 ${s.all.p95} ms (${s.withoutAdversarial.p95} ms without the adversarial queries)`,
  );
  return { status: 'ok', results: { lounge: result } };
}

/** Drops the probe's database if a run is interrupted while it exists (a no-op otherwise). */
export async function dropPagesDatabase(): Promise<void> {
  const name = liveDatabase;
  if (!name) return;
  liveDatabase = undefined;
  await dropDatabase(name);
}
