import { createPgDatabase } from '../../sync-server/db/pg-database.ts';
import { migrate } from '../../sync-server/db/migrate.ts';
import { ask, spawnLoadgen, stopLoadgens, type BenchContext } from '../lib/harness.ts';
import type { ScenarioOutcome } from '../lib/report.ts';
import type { PgProbeResult } from '../loadgen/pgprobe.ts';

/** The persistence floor: raw PostgreSQL insert rates from a load-generator process (pg, N connections). */
export async function runPgProbe(ctx: BenchContext): Promise<ScenarioOutcome> {
  // The messages-table probe needs Lounge's schema; a server started by an earlier scenario made it, but
  // `--only=pgprobe` starts none (migrating twice is a no-op).
  const db = createPgDatabase(ctx.db.url, { max: 1 });
  try {
    await migrate(db);
  } finally {
    await db.close();
  }
  const lg = await spawnLoadgen('pgprobe', 300, ctx.log);
  try {
    const { seconds, connections } = ctx.sizes.pgprobe;
    const r = await ask(lg, { cmd: 'pgprobe', url: ctx.db.url, seconds, connections }, (seconds * 3 + 60) * 1000);
    const res = r.result as PgProbeResult;
    ctx.log(
      `  [pgprobe] single-row ${res.single.rowsPerSec}/s, 100-row batches ${res.batched.rowsPerSec} rows/s, messages table single-row ${res.messagesTable.rowsPerSec}/s over ${connections} connections`,
    );
    return { status: 'ok', results: { postgres: res } };
  } finally {
    await stopLoadgens([lg]);
  }
}
