/**
 * Which of the send path's statements PostgreSQL plans on every run (a probe, not a timed test):
 *
 *   npx tsx bench/tools/plan-cache-probe.ts
 *
 * Sends 30 messages through processBatch on ONE pooled connection of a fresh database, then lists that
 * connection's prepared statements with how often each ran with a generic (cached) or a custom (planned
 * for the values) plan. A hot statement stuck at custom_plans = runs pays its planning every time; see
 * sync-server/db/opaque-array.ts. The database is dropped at the end.
 */
import { randomUUID } from 'node:crypto';
import { migrate } from '../../sync-server/db/migrate.ts';
import { createPgDatabase } from '../../sync-server/db/pg-database.ts';
import { seedLounge } from '../../sync-server/features/lounge/seed-lounge.ts';
import { processBatch } from '../../sync-server/intents/process-intent.ts';
import { createMember, intentDeps, unlimitedRateLimiter } from '../../tests/support/fixtures.ts';
import { createTestDatabase } from '../../tests/support/postgres.ts';
const testDb = await createTestDatabase();
const db = createPgDatabase(testDb.url, { max: 1 });
try {
  await migrate(db);
  await seedLounge(db);
  const { rows: rooms } = await db.query<{ id: string }>(
    `SELECT id FROM rooms WHERE room_type = 'lounge' AND context_type IN ('text', 'showcase') AND NOT archived`,
  );
  const members = await Promise.all(Array.from({ length: 10 }, (_, i) => createMember(db, `p${i}`)));
  const deps = { ...intentDeps(db), rateLimiter: unlimitedRateLimiter };
  for (let n = 0; n < 30; n++) {
    await processBatch(deps, [
      {
        userId: members[n % 10]!.id,
        intents: [
          {
            intentId: randomUUID(),
            raw: { kind: 'send', channelId: rooms[n % rooms.length]!.id, body: `hello ${n}`, n, createdAt: Date.now() },
          },
        ],
      },
    ]);
  }
  const { rows } = await db.query<Record<string, unknown>>(
    `SELECT generic_plans, custom_plans, regexp_replace(left(statement, 70), '\\s+', ' ', 'g') AS s FROM pg_prepared_statements ORDER BY custom_plans DESC`,
    [],
  );
  console.table(rows);
} finally {
  await db.close();
  await testDb.drop();
}
