/**
 * Performance probe (not a timed test): history paging and full-text search over one room of
 * 1,000,000 messages, measured server-side.
 *
 *   npx tsx bench/history-search.ts [--messages 1000000] [--samples 2000] [--search-samples 200] [--keep]
 *                                   [--reuse DB]
 *
 * The measuring is `measureHistorySearch` (also the `pages` scenario of `npm run bench`, which puts its
 * figures in bench/results/latest.*); run as a script, this file is a thin wrapper that writes the result
 * to bench/results/history-search.json.
 *
 * Fills The Lounge's General room with generated messages in the row shape of
 * tests/support/bulk-history.ts (messages + their channel_changes rows, channel seqs moved on), bodies
 * drawn from a Zipf-like vocabulary so that search sees rare, medium and very common words. Then:
 *
 * - history: a page of 50 at a random depth, through `inject` (routing, auth, validation, query,
 *   serialization: everything but the socket) for the room route and the channel route, and the SQL alone;
 * - search: a mix of query kinds through `inject` (ranking and `ts_headline` included), over everything
 *   a member can read and scoped to the room.
 *
 * Goals: history p99 <= 10 ms, search p95 <= 100 ms. The word-frequency bands of the search mix (rare
 * < 5k matches, common > 100k) are those of 1,000,000 messages, scaled to the size of a smaller fill.
 * Needs a PostgreSQL server (BENCH_PG_ADMIN_URL, default postgres://postgres@127.0.0.1:5432/postgres);
 * a fresh database is created and dropped (unless --keep).
 */
import { randomBytes } from 'node:crypto';
import { mkdirSync, writeFileSync } from 'node:fs';
import { cpus, loadavg } from 'node:os';
import { dirname, resolve } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { performance } from 'node:perf_hooks';
import pg from 'pg';
import type { Database } from '../sync-server/db/database.ts';
import { createPgDatabase } from '../sync-server/db/pg-database.ts';
import { requiredPairs, requiredPhrases } from '../sync-server/features/search/phrase-pairs.ts';
import { readableChannels } from '../sync-server/features/search/readable-channels.ts';
import { OLDER_SQL, SEARCH_WINDOW, WINDOW_SQL } from '../sync-server/features/search/search-routes.ts';
import { encodeCursor } from '../sync-server/http/cursor.ts';
import { createMember, loungeRoomId, setRole } from '../tests/support/fixtures.ts';
import { createTestApp, hostToken } from '../tests/support/test-app.ts';

const ADMIN_URL = process.env.BENCH_PG_ADMIN_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres';
const OUT = resolve(dirname(fileURLToPath(import.meta.url)), 'results/history-search.json');
const GOALS = { historyP99Ms: 10, searchP95Ms: 100 };

async function admin(adminUrl: string, sql: string): Promise<void> {
  const client = new pg.Client({ connectionString: adminUrl });
  await client.connect();
  try {
    await client.query(sql);
  } finally {
    await client.end();
  }
}

// Words of a coding/AI community, most common first; a word's frequency falls off like a power law.
const VOCABULARY = `
the a to and i it is you of for in that this with on my have but just can be so do not what if how are
was at get use your there any one we me about like or from think they try some thanks need would out more
prompt model code error work help use using make know see does want here time also still now good it's
python agent api data file run function image output token chat learn project test build new way first
question answer idea version issue problem update context memory tool call step result example way
llm gpt claude embedding vector database docker deploy server request response json yaml config
workflow automation script bug fix branch commit merge review library package install import module
diffusion midjourney stable style render upscale lora checkpoint sampler seed negative canvas palette
tutorial course lesson path battle circle streak badge weekly cohort mentor feedback portfolio
fine-tune dataset benchmark latency throughput cache index query schema migration transaction rollback
websocket offline sync replica conflict merge cursor pagination keyset postgres redis queue worker
haiku limerick sonnet story character dialogue scene plot twist villain hero quest dragon wizard
regex parser tokenizer compiler interpreter runtime garbage allocator pointer thread mutex deadlock
kubernetes terraform ansible nginx certificate dns firewall proxy gateway lambda bucket bastion
photosynthesis thermodynamics entropy quantum relativity neutrino galaxy nebula supernova quasar
`
  .trim()
  .split(/\s+/);

export interface Summary {
  n: number;
  p50: number;
  p95: number;
  p99: number;
  max: number;
  mean: number;
}

function summarize(ms: number[]): Summary {
  const sorted = [...ms].sort((a, b) => a - b);
  const at = (p: number) => sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1))]!;
  const round = (v: number) => Math.round(v * 100) / 100;
  return {
    n: sorted.length,
    p50: round(at(50)),
    p95: round(at(95)),
    p99: round(at(99)),
    max: round(sorted.at(-1)!),
    mean: round(sorted.reduce((s, v) => s + v, 0) / sorted.length),
  };
}

async function timed(fn: () => Promise<unknown>): Promise<number> {
  const start = performance.now();
  await fn();
  return performance.now() - start;
}

/** Appends `count` messages in batches, each with its change-log row (tests/support/bulk-history.ts shape). */
async function fill(
  db: Database,
  channelId: string,
  authorId: string,
  count: number,
  log: (line: string) => void,
): Promise<void> {
  const batch = 100_000;
  for (let done = 0; done < count; done += batch) {
    const n = Math.min(batch, count - done);
    const started = performance.now();
    await db.transaction(async (tx) => {
      const { rows } = await tx.query<{ last_seq: number; change_seq: number }>(
        'SELECT last_seq, change_seq FROM channels WHERE id = $1 FOR UPDATE',
        [channelId],
      );
      const base = rows[0]!.last_seq;
      const changeBase = rows[0]!.change_seq;
      await tx.query(
        `WITH ins AS (
           INSERT INTO messages (channel_id, seq, room_id, author_id, body, created_at)
           SELECT $1, $4 + g, $1, $2, 'history message ' || ($4 + g) || ' ' || w.words,
                  now() - make_interval(secs => (($7 - $4 - g) * 2)::double precision)
             FROM generate_series(1, $3::bigint) AS g
             CROSS JOIN LATERAL (
               SELECT string_agg(($6::text[])[1 + floor(power(random(), 3) * array_length($6::text[], 1))::int], ' ') AS words
                 FROM generate_series(1, 6 + (g % 10)::int) AS k
                WHERE g > 0
             ) AS w
           RETURNING id, seq, body, created_at
         )
         INSERT INTO channel_changes (channel_id, change_seq, kind, segment, message_id, payload)
         SELECT $1, $5 + ins.seq - $4, 'message', (ins.seq - 1) / 256, ins.id,
                jsonb_build_object('kind', 'message', 'message', jsonb_build_object(
                  'id', ins.id, 'channelId', $1::text, 'seq', ins.seq, 'authorId', $2::text, 'body', ins.body,
                  'type', 'text', 'replyToId', null, 'threadId', null, 'mentions', '[]'::jsonb, 'edited', false,
                  'hidden', false, 'hiddenReason', null, 'deleted', false, 'pinned', false,
                  'createdAt', to_char(ins.created_at AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"'),
                  'editedAt', null, 'reactions', '{}'::jsonb))
           FROM ins`,
        [channelId, authorId, n, base, changeBase, VOCABULARY, count],
      );
      await tx.query('UPDATE channels SET last_seq = last_seq + $2, change_seq = change_seq + $2 WHERE id = $1', [
        channelId,
        n,
      ]);
      await tx.query('UPDATE rooms SET message_count = message_count + $2, last_message_at = now() WHERE id = $1', [
        channelId,
        n,
      ]);
    });
    log(`  filled ${(done + n).toLocaleString('en')} messages (${Math.round(performance.now() - started)} ms)`);
  }
}

/** How many messages contain each word, to pick rare, medium and common search terms. */
async function termFrequencies(db: Database): Promise<Array<{ word: string; ndoc: number }>> {
  const { rows } = await db.query<{ word: string; ndoc: number }>(
    `SELECT word, ndoc FROM ts_stat('SELECT search_vector FROM messages') WHERE word ~ '^[a-z]+$' ORDER BY ndoc DESC`,
  );
  return rows;
}

export interface HistorySearchOptions {
  /** Messages in General (default 1,000,000); a private circle gets min(20,000, messages) more. */
  messages?: number;
  /** History pages sampled per route (default 2,000). */
  samples?: number;
  /** Searches per query kind (default 200), alternately over everything readable and scoped to the room. */
  searchSamples?: number;
  /** Keep the database at the end instead of dropping it. */
  keep?: boolean;
  /** Measure on a database kept by an earlier run (skips the fill when it holds enough messages). */
  reuse?: string;
  /** Administrative connection used to create and drop the database. */
  adminUrl?: string;
  /** Progress lines (default console.log). */
  log?: (line: string) => void;
  /** Called with the database's name once it exists (before the fill), so a caller can drop it if killed. */
  onDatabase?: (name: string) => void;
}

export interface HistorySearchResult {
  benchmark: 'history-search';
  when: string;
  node: string;
  cpus: number;
  loadAverageAtStart: number[];
  loadAverageAtEnd: number[];
  postgres: string;
  messages: number;
  fillSeconds: number;
  sizes: Record<string, string> | undefined;
  method: string;
  goals: typeof GOALS;
  history: {
    roomRoutePage50: Summary;
    channelRoutePage50: Summary;
    sqlOnlyPage50: Summary;
    newestPage50: Summary;
    aroundMessage50: Summary;
  };
  search: {
    all: Summary;
    withoutAdversarial: Summary;
    byKind: Record<string, { global: Summary; room: Summary; hits: number }>;
    terms: { common: number; medium: number; rare: number };
    extraBannedFromGeneral: Record<string, Summary>;
    plans: Record<string, string[]>;
  };
  verdict: {
    historyP99Ms: number;
    historyWithinGoal: boolean;
    searchP95Ms: number;
    searchWithinGoal: boolean;
    searchP95MsWithoutAdversarial: number;
  };
}

/** `1000` → `1k`, `100000` → `100k`; other counts as they are. */
const short = (n: number) => (n >= 1000 && n % 1000 === 0 ? `${n / 1000}k` : n.toLocaleString('en'));

/**
 * Creates a database (or reuses one), fills it, samples history pages and searches, and returns the
 * figures; the database is dropped at the end unless `keep`.
 */
export async function measureHistorySearch(options: HistorySearchOptions = {}): Promise<HistorySearchResult> {
  const MESSAGES = options.messages ?? 1_000_000;
  const SAMPLES = options.samples ?? 2000;
  const SEARCH_SAMPLES = options.searchSamples ?? 200;
  const REUSE = options.reuse;
  const adminUrl = options.adminUrl ?? ADMIN_URL;
  const log = options.log ?? ((line: string) => console.log(line));
  if (!(MESSAGES > 50))
    throw new Error(`messages must be more than 50 (a page of 50 at a random depth), not ${MESSAGES}`);
  if (!(SEARCH_SAMPLES >= 2))
    throw new Error(`search samples must be at least 2 (global and room-scoped), not ${SEARCH_SAMPLES}`);
  const loadAtStart = loadavg().map((v) => Math.round(v * 100) / 100);
  const name = REUSE ?? `lounge_bench_hs_${randomBytes(4).toString('hex')}`;
  if (!REUSE) await admin(adminUrl, `CREATE DATABASE ${name}`);
  options.onDatabase?.(name);
  const url = new URL(adminUrl);
  url.pathname = `/${name}`;
  const db = createPgDatabase(url.toString(), { max: 4 });
  let app: Awaited<ReturnType<typeof createTestApp>> | undefined;
  try {
    app = await createTestApp(db);
    const server = app;
    const pgVersion = (await db.query<{ v: string }>("SELECT current_setting('server_version') AS v")).rows[0]!.v;
    const general = await loungeRoomId(db);
    const suffix = randomBytes(3).toString('hex');
    const author = await createMember(db, `bench_author_${suffix}`);
    const reader = await createMember(db, `bench_reader_${suffix}`);
    // A few more rooms the reader can and cannot read, so search's visibility rules have work to do.
    const circle = await db.query<{ id: string }>(`INSERT INTO channels (kind) VALUES ('room') RETURNING id`);
    await db.query(
      `INSERT INTO rooms (id, slug, name, room_type, is_private) VALUES ($1, 'c', 'Circle', 'circle', true)`,
      [circle.rows[0]!.id],
    );
    await setRole(db, circle.rows[0]!.id, author.id, 'member');
    const headers = { authorization: `Bearer ${await hostToken({ sub: reader.host_user_id })}` };

    const existing = await db.query<{ n: number }>('SELECT count(*)::int AS n FROM messages WHERE channel_id = $1', [
      general,
    ]);
    const fillStarted = performance.now();
    if (existing.rows[0]!.n < MESSAGES) {
      log(`filling General with ${MESSAGES.toLocaleString('en')} messages…`);
      await fill(db, general, author.id, MESSAGES, log);
      await fill(db, circle.rows[0]!.id, author.id, Math.min(20_000, MESSAGES), log);
      log('vacuum analyze…');
      await db.exec('VACUUM ANALYZE messages');
      await db.exec('VACUUM ANALYZE channel_changes');
    } else {
      log(`reusing ${name}: General already holds ${existing.rows[0]!.n.toLocaleString('en')} messages`);
    }
    const fillMs = performance.now() - fillStarted;
    const sizes = (
      await db.query<Record<string, string>>(
        `SELECT pg_size_pretty(pg_total_relation_size('messages')) AS messages_total,
                pg_size_pretty(pg_relation_size('messages_search_idx')) AS search_index,
                pg_size_pretty(pg_relation_size('messages_search_pairs_idx')) AS search_pairs_index,
                pg_size_pretty(pg_relation_size('messages_channel_seq_key')) AS seq_index`,
      )
    ).rows[0];

    // ---- history ----------------------------------------------------------------------------------
    const maxSeq = MESSAGES;
    const randomSeq = () => 51 + Math.floor(Math.random() * (maxSeq - 50));
    const get = async (path: string) => {
      const res = await server.inject({ method: 'GET', url: path, headers });
      if (res.statusCode !== 200) throw new Error(`${path}: ${res.statusCode} ${res.body}`);
      return res;
    };
    // Warm-ups and the newest/around samples: as many as before (200, 300) but never more than `samples`.
    for (let i = 0; i < Math.min(200, SAMPLES); i++)
      await get(`/api/channels/${general}/messages?before=${encodeCursor({ seq: randomSeq() })}&limit=50`);
    const historyRoom: number[] = [];
    const historyChannel: number[] = [];
    const historySql: number[] = [];
    for (let i = 0; i < SAMPLES; i++) {
      const cursor = encodeCursor({ seq: randomSeq() });
      historyRoom.push(await timed(() => get(`/api/rooms/${general}/messages?cursor=${cursor}&limit=50`)));
      historyChannel.push(await timed(() => get(`/api/channels/${general}/messages?before=${cursor}&limit=50`)));
      historySql.push(
        await timed(() =>
          db.query(
            `SELECT id, channel_id, seq, author_id, body, message_type, reply_to_id, is_edited, is_hidden, hidden_reason,
                    is_deleted, is_pinned, created_at
               FROM messages WHERE channel_id = $1 AND seq < $2 ORDER BY seq DESC LIMIT 51`,
            [general, randomSeq()],
          ),
        ),
      );
    }
    const newest = summarize(
      await Promise.resolve([]).then(async () => {
        const out: number[] = [];
        for (let i = 0; i < Math.min(200, SAMPLES); i++)
          out.push(await timed(() => get(`/api/channels/${general}/messages?limit=50`)));
        return out;
      }),
    );
    const around: number[] = [];
    for (let i = 0; i < Math.min(300, SAMPLES); i++) {
      const { rows } = await db.query<{ id: string }>('SELECT id FROM messages WHERE channel_id = $1 AND seq = $2', [
        general,
        randomSeq(),
      ]);
      around.push(await timed(() => get(`/api/channels/${general}/messages/around/${rows[0]!.id}?limit=50`)));
    }

    // ---- search -----------------------------------------------------------------------------------
    log('search…');
    const stats = await termFrequencies(db);
    const pick = (lo: number, hi: number) => stats.filter((s) => s.ndoc >= lo && s.ndoc < hi).map((s) => s.word);
    // The bands of 1,000,000 messages (rare < 5k matches, common >= 100k), scaled to a smaller fill.
    const rareBelow = Math.max(2, Math.round((5_000 * MESSAGES) / 1_000_000));
    const commonFrom = Math.max(rareBelow + 1, Math.round((100_000 * MESSAGES) / 1_000_000));
    const common = pick(commonFrom, Infinity);
    const medium = pick(rareBelow, commonFrom);
    const rare = pick(1, rareBelow);
    const choose = (list: string[]) => list[Math.floor(Math.random() * list.length)]!;
    // Phrases people search for exist somewhere: take adjacent words of random messages.
    const phrases: string[] = [];
    for (let i = 0; i < 200; i++) {
      const { rows } = await db.query<{ body: string }>(
        'SELECT body FROM messages WHERE channel_id = $1 AND seq = $2',
        [general, 1 + Math.floor(Math.random() * MESSAGES)],
      );
      const words = rows[0]!.body.split(' ').slice(3);
      const at = Math.floor(Math.random() * (words.length - 1));
      phrases.push(`"${words[at]} ${words[at + 1]}"`);
    }
    const orMedium = () => choose(medium.length ? medium : common);
    const rareWord = () => choose(rare.length ? rare : medium);
    const kinds: Record<string, () => string> = {
      'unique (a message number)': () => String(1 + Math.floor(Math.random() * MESSAGES)),
      [`rare word (< ${short(rareBelow)} matches)`]: rareWord,
      [`medium word (${short(rareBelow)}–${short(commonFrom)} matches)`]: orMedium,
      [`common word (> ${short(commonFrom)} matches)`]: () => choose(common),
      'two words': () => `${orMedium()} ${choose(common)}`,
      'phrase from a message': () => choose(phrases),
      'word -word': () => `${orMedium()} -${orMedium()}`,
      // Built to be hard: every message holds "history message", so a phrase of two such words in the
      // wrong order, or a word minus one of them, matches (almost) nothing among a million candidates.
      'adversarial: phrase of two common words': () => `"${choose(common)} ${choose(common)}"`,
      'adversarial: word -common word': () => `${orMedium()} -${choose(common)}`,
    };
    const search = async (q: string, scoped: boolean) =>
      get(`/api/search?q=${encodeURIComponent(q)}&limit=20${scoped ? `&roomId=${general}` : ''}`);
    for (let i = 0; i < 30; i++) await search(orMedium(), false);
    const perKind: Record<string, { global: Summary; room: Summary; hits: number }> = {};
    const allSearch: number[] = [];
    const realisticSearch: number[] = [];
    for (const [kind, make] of Object.entries(kinds)) {
      const global: number[] = [];
      const room: number[] = [];
      let hits = 0;
      for (let i = 0; i < SEARCH_SAMPLES; i++) {
        const q = make();
        let res;
        const t = await timed(async () => (res = await search(q, i % 2 === 1)));
        (i % 2 === 1 ? room : global).push(t);
        allSearch.push(t);
        if (!kind.startsWith('adversarial')) realisticSearch.push(t);
        hits += (res as unknown as { json: () => { results: unknown[] } }).json().results.length;
      }
      perKind[kind] = { global: summarize(global), room: summarize(room), hits: Math.round(hits / SEARCH_SAMPLES) };
      log(`  ${kind}: p50 ${perKind[kind]!.global.p50} / p95 ${perKind[kind]!.global.p95} ms (global)`);
    }
    // Not in the goal's mix (added after the first figures, so before/after stay comparable): a member
    // banned from General, the room holding almost every message, searches everything they can read.
    // Every match is in a room they cannot read, so the older-than-window step is all there is.
    const shutOut = await createMember(db, `bench_banned_${suffix}`);
    await setRole(db, general, shutOut.id, 'banned');
    const shutOutHeaders = { authorization: `Bearer ${await hostToken({ sub: shutOut.host_user_id })}` };
    const bannedKinds: Record<string, () => string> = {
      'rare word': rareWord,
      'medium word': orMedium,
      'common word': () => choose(common),
    };
    const bannedFromGeneral: Record<string, Summary> = {};
    for (const [kind, make] of Object.entries(bannedKinds)) {
      const times: number[] = [];
      for (let i = 0; i < Math.max(20, SEARCH_SAMPLES / 5); i++) {
        const url = `/api/search?q=${encodeURIComponent(make())}&limit=20`;
        times.push(await timed(() => server.inject({ method: 'GET', url, headers: shutOutHeaders })));
      }
      bannedFromGeneral[kind] = summarize(times);
      log(
        `  banned from General, ${kind}: p50 ${bannedFromGeneral[kind]!.p50} / p95 ${bannedFromGeneral[kind]!.p95} ms`,
      );
    }

    // The plans of the route's own two steps, for a very common word and a unique one.
    const plans: Record<string, string[]> = {};
    const explain = async (label: string, sql: string, params: unknown[]) => {
      const { rows } = await db.query<{ 'QUERY PLAN': string }>(
        `EXPLAIN (ANALYZE, BUFFERS, COSTS OFF, SUMMARY ON) ${sql}`,
        params,
      );
      plans[label] = rows.map((r) => r['QUERY PLAN']);
    };
    const scope = (q: string) => [q, null, null, null, null, null, null, reader.id, false, true];
    const uniqueWord = String(MESSAGES > 12_345 ? MESSAGES - 12_345 : Math.ceil(MESSAGES / 2));
    const commonWord = common[0] ?? medium[0] ?? 'use';
    await explain(`step 1, window, common word "${commonWord}"`, WINDOW_SQL, [...scope(commonWord), SEARCH_WINDOW, 21]);
    await explain(`step 1, window, unique word "${uniqueWord}"`, WINDOW_SQL, [...scope(uniqueWord), SEARCH_WINDOW, 21]);
    const windowed = await db.query<{ edge: { t: string; id: string } }>(WINDOW_SQL, [
      ...scope(uniqueWord),
      SEARCH_WINDOW,
      21,
    ]);
    const edge = windowed.rows[0]!.edge;
    const readable = await readableChannels(db, { id: reader.id, isGlobalAdmin: false, trusted: true });
    const readableParams = [readable.rooms, readable.dms];
    await explain(`step 2, older than the window, unique word "${uniqueWord}"`, OLDER_SQL, [
      ...scope(uniqueWord),
      21,
      edge.t,
      edge.id,
      null,
      ...readableParams,
    ]);
    // The adversarial phrase: common words in the order no message has them (the window finds fewer hits
    // for it than for the other order), narrowed by its word pairs.
    const [first, second] = [common[0] ?? 'use', common[1] ?? common[0] ?? 'use'];
    const inWindow = async (phrase: string) =>
      (
        await db.query<{ hits: unknown[]; edge: { t: string; id: string } }>(WINDOW_SQL, [
          ...scope(phrase),
          SEARCH_WINDOW,
          21,
        ])
      ).rows[0]!;
    const [ab, ba] = [await inWindow(`"${first} ${second}"`), await inWindow(`"${second} ${first}"`)];
    const rarePhrase = ab.hits.length <= ba.hits.length ? `"${first} ${second}"` : `"${second} ${first}"`;
    const phraseEdge = (ab.hits.length <= ba.hits.length ? ab : ba).edge;
    await explain(`step 2, older than the window, phrase ${rarePhrase}`, OLDER_SQL, [
      ...scope(rarePhrase),
      21,
      phraseEdge.t,
      phraseEdge.id,
      await requiredPairs(db, requiredPhrases(rarePhrase)),
      ...readableParams,
    ]);

    const result: HistorySearchResult = {
      benchmark: 'history-search',
      when: new Date().toISOString(),
      node: process.version,
      cpus: cpus().length,
      loadAverageAtStart: loadAtStart,
      loadAverageAtEnd: loadavg().map((v) => Math.round(v * 100) / 100),
      postgres: pgVersion,
      messages: MESSAGES,
      fillSeconds: Math.round(fillMs / 1000),
      sizes,
      method:
        'Server-side: app.inject() timings (routing, member-token auth, validation, SQL, serialization; no socket), ' +
        'sequential on one connection pool against a local PostgreSQL; SQL-only timings for the history query.',
      goals: GOALS,
      history: {
        roomRoutePage50: summarize(historyRoom),
        channelRoutePage50: summarize(historyChannel),
        sqlOnlyPage50: summarize(historySql),
        newestPage50: newest,
        aroundMessage50: summarize(around),
      },
      search: {
        all: summarize(allSearch),
        withoutAdversarial: summarize(realisticSearch),
        byKind: perKind,
        terms: { common: common.length, medium: medium.length, rare: rare.length },
        extraBannedFromGeneral: bannedFromGeneral,
        plans,
      },
      verdict: {
        historyP99Ms: summarize(historyChannel).p99,
        historyWithinGoal:
          summarize(historyChannel).p99 <= GOALS.historyP99Ms && summarize(historyRoom).p99 <= GOALS.historyP99Ms,
        searchP95Ms: summarize(allSearch).p95,
        searchWithinGoal: summarize(allSearch).p95 <= GOALS.searchP95Ms,
        searchP95MsWithoutAdversarial: summarize(realisticSearch).p95,
      },
    };
    return result;
  } finally {
    await app?.close();
    await db.close();
    if (options.keep) log(`kept database ${name}`);
    else await admin(adminUrl, `DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
  }
}

function arg(name: string, fallback: number): number {
  const i = process.argv.indexOf(`--${name}`);
  return i >= 0 ? Number(process.argv[i + 1]) : fallback;
}

/** The command line: the flags of the header, the result to bench/results/history-search.json. */
async function main(): Promise<void> {
  const result = await measureHistorySearch({
    messages: arg('messages', 1_000_000),
    samples: arg('samples', 2000),
    searchSamples: arg('search-samples', 200),
    keep: process.argv.includes('--keep'),
    reuse: process.argv.includes('--reuse') ? process.argv[process.argv.indexOf('--reuse') + 1] : undefined,
  });
  mkdirSync(dirname(OUT), { recursive: true });
  writeFileSync(OUT, `${JSON.stringify(result, null, 2)}\n`);
  console.log(
    JSON.stringify(
      {
        history: result.history,
        search: { all: result.search.all, withoutAdversarial: result.search.withoutAdversarial },
        verdict: result.verdict,
      },
      null,
      2,
    ),
  );
  console.log(`written ${OUT}`);
}

if (process.argv[1] !== undefined && import.meta.url === pathToFileURL(resolve(process.argv[1])).href) await main();
