import { randomUUID } from 'node:crypto';
import pg from 'pg';

export interface InsertRate {
  connections: number;
  rowsPerStatement: number;
  seconds: number;
  rows: number;
  rowsPerSec: number;
  statementsPerSec: number;
}

export interface PgProbeResult {
  /** Single-row INSERTs (autocommit, so one commit each) into a plain table. */
  single: InsertRate;
  /** 100-row INSERTs (unnest of arrays) into the same table. */
  batched: InsertRate;
  /** Single-row INSERTs into Lounge's own `messages` table, with its indexes and tsvector. */
  messagesTable: InsertRate;
  server: { version: string; synchronousCommit: string; fsync: string };
}

async function timed(
  clients: pg.Client[],
  seconds: number,
  rowsPerStatement: number,
  statement: (client: pg.Client, lane: number, i: number) => Promise<unknown>,
): Promise<InsertRate> {
  const deadline = Date.now() + seconds * 1000;
  const t0 = process.hrtime.bigint();
  const counts = await Promise.all(
    clients.map(async (c, lane) => {
      let n = 0;
      while (Date.now() < deadline) await statement(c, lane, n++);
      return n;
    }),
  );
  const secs = Number(process.hrtime.bigint() - t0) / 1e9;
  const statements = counts.reduce((a, b) => a + b, 0);
  return {
    connections: clients.length,
    rowsPerStatement,
    seconds: Math.round(secs * 100) / 100,
    rows: statements * rowsPerStatement,
    rowsPerSec: Math.round((statements * rowsPerStatement) / secs),
    statementsPerSec: Math.round(statements / secs),
  };
}

/** The persistence floor: what this PostgreSQL takes per second, before any of Lounge's logic. */
export async function pgProbe(url: string, seconds: number, connections = 8): Promise<PgProbeResult> {
  const clients = await Promise.all(
    Array.from({ length: connections }, async () => {
      const c = new pg.Client({ connectionString: url });
      await c.connect();
      return c;
    }),
  );
  try {
    const c0 = clients[0]!;
    const info = {
      version: (await c0.query<{ server_version: string }>('SHOW server_version')).rows[0]?.server_version ?? '',
      synchronousCommit:
        (await c0.query<{ synchronous_commit: string }>('SHOW synchronous_commit')).rows[0]?.synchronous_commit ?? '',
      fsync: (await c0.query<{ fsync: string }>('SHOW fsync')).rows[0]?.fsync ?? '',
    };
    await c0.query(`CREATE TABLE IF NOT EXISTS bench_probe (
      id bigserial PRIMARY KEY, channel_id uuid NOT NULL, seq bigint NOT NULL, body text NOT NULL,
      created_at timestamptz NOT NULL DEFAULT now())`);
    const body = 'x'.repeat(200);
    const channel = randomUUID();
    const single = await timed(clients, seconds, 1, (c, lane, i) =>
      c.query('INSERT INTO bench_probe (channel_id, seq, body) VALUES ($1, $2, $3)', [channel, lane * 1e9 + i, body]),
    );
    const batch = 100;
    const bodies = Array.from({ length: batch }, () => body);
    const batched = await timed(clients, seconds, batch, (c, lane, i) =>
      c.query('INSERT INTO bench_probe (channel_id, seq, body) SELECT $1, unnest($2::bigint[]), unnest($3::text[])', [
        channel,
        Array.from({ length: batch }, (_, k) => lane * 1e9 + 1e6 + i * batch + k),
        bodies,
      ]),
    );
    const channels = (
      await c0.query<{ id: string }>(
        `INSERT INTO channels (kind) SELECT 'room' FROM generate_series(1, $1) RETURNING id`,
        [connections],
      )
    ).rows.map((r) => r.id);
    const text = 'the quick brown fox jumps over the lazy dog while everyone in the room keeps chatting about prompts '
      .repeat(2)
      .slice(0, 200);
    const messagesTable = await timed(clients, seconds, 1, (c, lane, i) =>
      c.query('INSERT INTO messages (channel_id, seq, body) VALUES ($1, $2, $3)', [channels[lane], i + 1, text]),
    );
    return { single, batched, messagesTable, server: info };
  } finally {
    await Promise.all(clients.map((c) => c.end().catch(() => {})));
  }
}
