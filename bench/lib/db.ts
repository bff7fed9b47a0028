import { randomBytes } from 'node:crypto';
import pg from 'pg';

export const PG_ADMIN_URL = process.env.BENCH_PG_ADMIN_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres';
export const REDIS_URL = process.env.BENCH_REDIS_URL ?? 'redis://127.0.0.1:6379';

async function admin(sql: string): Promise<void> {
  const client = new pg.Client({ connectionString: PG_ADMIN_URL, connectionTimeoutMillis: 5000 });
  await client.connect();
  try {
    await client.query(sql);
  } finally {
    await client.end();
  }
}

export interface BenchDb {
  name: string;
  url: string;
  pool: pg.Pool;
  drop(): Promise<void>;
}

/** A fresh database for this run; `drop()` removes it (WITH FORCE, so leftover sessions do not block it). */
export async function createBenchDb(): Promise<BenchDb> {
  const name = `lounge_bench_${randomBytes(5).toString('hex')}`;
  await admin(`CREATE DATABASE ${name}`);
  const url = new URL(PG_ADMIN_URL);
  url.pathname = `/${name}`;
  const pool = new pg.Pool({ connectionString: url.toString(), max: 4 });
  pool.on('error', () => {});
  let dropped = false;
  return {
    name,
    url: url.toString(),
    pool,
    async drop() {
      if (dropped) return;
      dropped = true;
      await pool.end().catch(() => {});
      await admin(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
    },
  };
}

/** Drops a database by name (WITH FORCE), e.g. one a scenario created for itself when the run is interrupted. */
export async function dropDatabase(name: string): Promise<void> {
  await admin(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
}

/** Extra Lounge rooms (a `channels` row + a `rooms` row each, as migration 0002 lays them out). */
export async function createRooms(pool: pg.Pool, prefix: string, count: number): Promise<string[]> {
  const { rows: lounge } = await pool.query<{ id: string }>("SELECT id FROM lounges WHERE slug = 'the-lounge'");
  const loungeId = lounge[0]?.id;
  if (!loungeId) throw new Error('the-lounge is not seeded (has the server started once?)');
  const { rows } = await pool.query<{ id: string }>(
    `WITH ch AS (
       INSERT INTO channels (kind) SELECT 'room' FROM generate_series(1, $1) RETURNING id
     ), numbered AS (
       SELECT id, row_number() OVER () AS n FROM ch
     )
     INSERT INTO rooms (id, lounge_id, slug, name, room_type, position)
     SELECT id, $2, $3 || '-' || n, 'Bench ' || $3 || ' ' || n, 'lounge', 1000 + n FROM numbered
     RETURNING id`,
    [count, loungeId, prefix],
  );
  return rows.map((r) => r.id);
}

export async function roomIdBySlug(pool: pg.Pool, slug: string): Promise<string> {
  const { rows } = await pool.query<{ id: string }>('SELECT id FROM rooms WHERE slug = $1', [slug]);
  if (!rows[0]) throw new Error(`no room ${slug}`);
  return rows[0].id;
}

/** Messages stored per channel: Postgres is the truth of what was accepted. */
export async function messageCounts(pool: pg.Pool, channelIds: readonly string[]): Promise<Map<string, number>> {
  const { rows } = await pool.query<{ channel_id: string; n: string }>(
    'SELECT channel_id, count(*) AS n FROM messages WHERE channel_id = ANY($1::uuid[]) GROUP BY channel_id',
    [channelIds],
  );
  const out = new Map<string, number>(channelIds.map((id) => [id, 0]));
  for (const r of rows) out.set(r.channel_id, Number(r.n));
  return out;
}

/** A member row for bulk-inserted history (the author of generated messages). */
export async function createAuthor(pool: pg.Pool, handle: string): Promise<string> {
  const { rows } = await pool.query<{ id: string }>(
    `INSERT INTO users (host_user_id, handle, display_name) VALUES ($1, $2, $2) RETURNING id`,
    [`bench-author-${handle}-${randomBytes(4).toString('hex')}`, handle],
  );
  return rows[0]!.id;
}

/**
 * Appends `count` messages to a channel in one statement, with their `channel_changes` rows in the
 * payload shape of `loadMessageView` (`{kind:'message', message: MessageView}`), segment = (seq-1)/256,
 * and the channel's last_seq / change_seq moved on in the same transaction: what the intent pipeline
 * would have written one message at a time.
 */
export async function appendHistory(pool: pg.Pool, channelId: string, authorId: string, count: number): Promise<void> {
  const client = await pool.connect();
  try {
    await client.query('BEGIN');
    const { rows } = await client.query<{ last_seq: string; change_seq: string }>(
      'SELECT last_seq, change_seq FROM channels WHERE id = $1 FOR UPDATE',
      [channelId],
    );
    const base = Number(rows[0]!.last_seq);
    const changeBase = Number(rows[0]!.change_seq);
    await client.query(
      `WITH ins AS (
         INSERT INTO messages (channel_id, seq, room_id, author_id, body, created_at)
         SELECT $1, $4 + n, $1, $2, 'history message ' || ($4 + n), now() - make_interval(secs => $3 - n)
           FROM generate_series(1, $3::bigint) AS n
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
      [channelId, authorId, count, base, changeBase],
    );
    await client.query('UPDATE channels SET last_seq = last_seq + $2, change_seq = change_seq + $2 WHERE id = $1', [
      channelId,
      count,
    ]);
    await client.query('UPDATE rooms SET message_count = message_count + $2, last_message_at = now() WHERE id = $1', [
      channelId,
      count,
    ]);
    await client.query('COMMIT');
  } catch (err) {
    await client.query('ROLLBACK').catch(() => {});
    throw err;
  } finally {
    client.release();
  }
}
