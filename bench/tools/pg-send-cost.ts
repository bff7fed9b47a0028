/**
 * Where PostgreSQL's CPU goes per sent message (a probe, not a timed test):
 *
 *   npx tsx bench/tools/pg-send-cost.ts [--messages 3000] [--batch 10]
 *
 * Runs the real send path (processBatch: the one-statement path for plain sends) on a fresh database,
 * sequentially, and reads the CPU time of every PostgreSQL backend serving that database from /proc
 * (same machine) around each variant: as migrated, without the lexeme-pairs index, without both
 * full-text indexes. Prints µs of PostgreSQL CPU and of this process per message. GIN indexes defer
 * part of their work to a pending list that is merged later (vacuum, or when the list is full), so a
 * short run shows less of their cost than a long one. Needs PostgreSQL at 127.0.0.1
 * (TEST_DATABASE_ADMIN_URL); the database is dropped at the end. Never changes the server's configuration.
 */
import { randomUUID } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { performance } from 'node:perf_hooks';
import { migrate } from '../../sync-server/db/migrate.ts';
import { createPgDatabase } from '../../sync-server/db/pg-database.ts';
import { seedLounge } from '../../sync-server/features/lounge/seed-lounge.ts';
import { processBatch, type IntentGroup } from '../../sync-server/intents/process-intent.ts';
import { createMember, intentDeps, unlimitedRateLimiter } from '../../tests/support/fixtures.ts';
import { createTestDatabase } from '../../tests/support/postgres.ts';

function arg(name: string, fallback: number): number {
  const i = process.argv.indexOf(`--${name}`);
  return i >= 0 ? Number(process.argv[i + 1]) : fallback;
}
const MESSAGES = arg('messages', 3000);
const BATCH = arg('batch', 10);
const WORDS = `prompt model code error help python agent api data token chat learn project test build question
answer idea version issue update context memory tool result example embedding vector docker deploy server
request response config workflow script bug fix branch commit review library install module diffusion render
tutorial lesson battle circle streak badge cohort mentor feedback dataset latency cache index query schema`.split(
  /\s+/,
);
const body = (n: number) =>
  Array.from({ length: 8 + (n % 9) }, (_, k) => WORDS[(n * 7 + k * 13 + ((n * k) % 5)) % WORDS.length]).join(' ');

/** utime+stime of a process in µs (clock ticks of 10 ms on Linux). */
function cpuMicros(pid: number): number {
  let stat: string;
  try {
    stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
  } catch {
    // A pool connection closed while idle: it did no work in the window that matters.
    return 0;
  }
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  return (Number(fields[11]) + Number(fields[12])) * 10_000;
}

async function main(): Promise<void> {
  const testDb = await createTestDatabase();
  const db = createPgDatabase(testDb.url);
  try {
    await migrate(db);
    await seedLounge(db);
    const { rows: rooms } = await db.query<{ id: string }>(
      `SELECT id FROM rooms WHERE room_type = 'lounge' AND context_type IN ('text', 'showcase') AND NOT archived`,
    );
    const members = await Promise.all(Array.from({ length: 40 }, (_, i) => createMember(db, `cost${i}`)));
    const deps = { ...intentDeps(db), rateLimiter: unlimitedRateLimiter };
    let n = 0;
    const sendMany = async (count: number) => {
      for (let done = 0; done < count; done += BATCH) {
        const groups: IntentGroup[] = [];
        for (let k = 0; k < BATCH; k++) {
          n++;
          const member = members[n % members.length]!;
          const room = rooms[n % rooms.length]!;
          groups.push({
            userId: member.id,
            intents: [
              {
                intentId: randomUUID(),
                raw: { kind: 'send', channelId: room.id, body: body(n), n, createdAt: Date.now() },
              },
            ],
          });
        }
        const outcomes = await processBatch(deps, groups);
        const refused = outcomes.flat().find((o) => o.verdict.status !== 'accepted');
        if (refused) throw new Error(`a send was not accepted: ${JSON.stringify(refused.verdict)}`);
      }
    };
    const backends = async () =>
      (await db.query<{ pid: number }>('SELECT pid FROM pg_stat_activity WHERE datname = current_database()')).rows.map(
        (r) => r.pid,
      );

    const measure = async (label: string) => {
      await sendMany(200); // warm: connections open, plans cached
      const pids = await backends();
      const pg0 = pids.reduce((s, p) => s + cpuMicros(p), 0);
      const me0 = process.cpuUsage();
      const t0 = performance.now();
      await sendMany(MESSAGES);
      const wall = performance.now() - t0;
      const pg1 = pids.reduce((s, p) => s + cpuMicros(p), 0);
      const me = process.cpuUsage(me0);
      console.log(
        `${label.padEnd(44)} PostgreSQL ${((pg1 - pg0) / MESSAGES).toFixed(0).padStart(5)} µs/msg · ` +
          `this process ${((me.user + me.system) / MESSAGES).toFixed(0).padStart(5)} µs/msg · ` +
          `${((MESSAGES / wall) * 1000).toFixed(0)} msg/s sequential (batches of ${BATCH})`,
      );
    };

    await measure('as migrated');
    await db.query('DROP INDEX messages_search_pairs_idx');
    await measure('without the lexeme-pairs GIN index');
    await db.query('DROP INDEX messages_search_idx');
    await measure('without both full-text GIN indexes');
  } finally {
    await db.close();
    await testDb.drop();
  }
}

await main();
