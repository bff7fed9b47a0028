/**
 * The client's offline search without a browser: the replica schema in PGlite (the same WASM engine the
 * app runs in its worker), filled as the client bench fills it (100,000 messages, skewed vocabulary),
 * then the bench's query mix through `searchLocal`. For iterating on the search SQL in seconds; the
 * figure that counts is still `npm run bench -- --only=client` (Chromium, the app's own worker).
 *
 *   npx tsx bench/tools/local-search-probe.ts [--rows=100000] [--queries=100]
 */
import { PGlite, types } from '@electric-sql/pglite';
import { SCHEMA_SQL } from '../../client/src/replica/sql/schema.ts';
import { searchLocal, SEARCH_SQL, type SqlReader } from '../../client/src/replica/local-search.ts';
import { HEADLINE_OPTIONS } from '../../shared/search/headline.ts';
import { pickQueries, seedReplicaSql, VOCABULARY_SIZE } from '../scenarios/client-replica-data.ts';

const arg = (name: string, fallback: number) =>
  Number(process.argv.find((a) => a.startsWith(`--${name}=`))?.split('=')[1] ?? fallback);
const rows = arg('rows', 100_000);
const queryCount = arg('queries', 100);

const db = await PGlite.create('memory://', { parsers: { [types.INT8]: (v: string) => Number(v) } });
await db.exec(SCHEMA_SQL);
const rooms = Array.from({ length: 10 }, (_, i) => `00000000-0000-4000-8000-00000000000${i}`);
const t0 = performance.now();
for (let have = 0; have < rows; have += 20_000) {
  await db.query(seedReplicaSql, [rooms, Math.min(20_000, rows - have), VOCABULARY_SIZE, have]);
}
await db.exec('ANALYZE messages');
console.log(`seeded ${rows} messages in ${Math.round(performance.now() - t0)} ms`);

const replica: SqlReader = {
  read: async <R>(sql: string, params: unknown[] = []) => (await db.query<R>(sql, params)).rows,
};
const words = (
  await db.query<{ word: string; n: number }>(
    `SELECT word, ndoc::int AS n FROM ts_stat('SELECT search FROM messages') ORDER BY ndoc DESC`,
  )
).rows;
const queries = pickQueries(words, queryCount);
const timings: Array<{ q: string; ms: number; hits: number }> = [];
for (const q of queries) {
  const t = performance.now();
  const hits = await searchLocal(replica, q);
  timings.push({ q, ms: performance.now() - t, hits: hits.length });
}
// Hard cases for the planner: the commonest words in a phrase, in an order they rarely stand in.
const top = words
  .filter((w) => /^z[a-z]+$/.test(w.word))
  .slice(0, 3)
  .map((w) => w.word);
for (const q of [
  `"${top[0]} ${top[1]}"`,
  `"${top[1]} ${top[0]}"`,
  `"${top[0]} ${top[1]} ${top[2]}"`,
  `${top[0]} -${top[1]}`,
]) {
  const t = performance.now();
  const hits = await searchLocal(replica, q);
  console.log(`  hard case ${(performance.now() - t).toFixed(1).padStart(7)} ms  ${hits.length} hits  ${q}`);
}
const ms = timings.map((t) => t.ms).sort((a, b) => a - b);
const pct = (p: number) => ms[Math.min(ms.length - 1, Math.floor((p / 100) * ms.length))]!.toFixed(1);
console.log(`local search over ${rows}: p50 ${pct(50)} ms, p95 ${pct(95)} ms, max ${ms.at(-1)!.toFixed(1)} ms`);
for (const t of [...timings].sort((a, b) => b.ms - a.ms).slice(0, 8))
  console.log(`  ${t.ms.toFixed(1).padStart(7)} ms  ${t.hits} hits  ${t.q}`);
if (process.argv.includes('--explain')) {
  const slowest = [...timings].sort((a, b) => b.ms - a.ms)[0]!;
  const plan = await db.query<{ 'QUERY PLAN': string }>(`EXPLAIN ANALYZE ${SEARCH_SQL}`, [
    slowest.q,
    [],
    30,
    HEADLINE_OPTIONS,
  ]);
  console.log(plan.rows.map((r) => r['QUERY PLAN']).join('\n'));
}
await db.close();
