import { createHash } from 'node:crypto';
import pg from 'pg';
import type { Database, Queryable, QueryResult } from './database.ts';

// int8 (seq, counters) as JS numbers: seqs stay far below 2^53, and PGlite is configured the same way.
pg.types.setTypeParser(20, (value: string) => Number(value));

// Parameterized statements are prepared once per connection under a name derived from their text, and
// PostgreSQL keeps their plans (plan_cache_mode auto: custom plans for the first five runs, then the
// generic plan when it costs no more). The intent path runs the same few statements for every message;
// planning them on every run was half of PostgreSQL's CPU per message (0.7 ms of bind per statement).
const statementNames = new Map<string, string>();
const MAX_PREPARED_STATEMENTS = 500;
// A statement with an optional parameter ("$2::bigint IS NULL OR seq < $2", a history cursor, a search
// filter) must be planned for the values it gets: a generic plan cannot tell the first page from a
// cursor deep in a million rows. Such statements go unnamed, which PostgreSQL plans on every run.
const OPTIONAL_PARAMETER = /\$\d+(::[\w\s]+)?\s+IS\s+(NOT\s+)?NULL/i;
function statementName(sql: string): string | undefined {
  let name = statementNames.get(sql);
  if (!name) {
    // Statements whose text varies (built per request) must not grow the cache without bound.
    if (statementNames.size >= MAX_PREPARED_STATEMENTS || OPTIONAL_PARAMETER.test(sql)) return undefined;
    name = `lounge_${createHash('sha1').update(sql).digest('hex').slice(0, 20)}`;
    statementNames.set(sql, name);
  }
  return name;
}

function wrap(client: pg.PoolClient | pg.Pool): Queryable {
  return {
    async query<R>(sql: string, params: readonly unknown[] = []): Promise<QueryResult<R>> {
      const name = params.length > 0 ? statementName(sql) : undefined;
      const res = name
        ? await client.query({ name, text: sql, values: params as unknown[] })
        : await client.query(sql, params as unknown[]);
      return { rows: res.rows as R[], rowCount: res.rowCount ?? 0 };
    },
    async exec(sql: string): Promise<void> {
      await client.query(sql);
    },
  };
}

/**
 * Checks a connection out for `fn`. pg removes the pool's error listener from a checked-out client, so
 * without one of our own a connection dropped while idle inside a transaction (a PostgreSQL restart)
 * would be an unhandled 'error' event that kills the process. A connection that failed is destroyed,
 * not returned to the pool.
 */
async function withClient<T>(pool: pg.Pool, fn: (client: pg.PoolClient) => Promise<T>): Promise<T> {
  const client = await pool.connect();
  let broken: Error | undefined;
  const onError = (err: Error) => {
    broken = err;
  };
  client.on('error', onError);
  try {
    return await fn(client);
  } catch (err) {
    broken ??= isConnectionError(err) ? (err as Error) : undefined;
    throw err;
  } finally {
    client.off('error', onError);
    client.release(broken);
  }
}

function isConnectionError(err: unknown): boolean {
  const code = (err as { code?: unknown }).code;
  // Class 08 (connection exceptions), 57P01–57P03 (server shutting down), and socket errors.
  return (
    (typeof code === 'string' &&
      (code.startsWith('08') || code.startsWith('57P') || code === 'ECONNRESET' || code === 'EPIPE')) ||
    /Connection terminated/i.test((err as Error).message ?? '')
  );
}

export function createPgDatabase(connectionString: string, options: { max?: number } = {}): Database {
  const pool = new pg.Pool({
    connectionString,
    max: options.max ?? 10,
  });
  // An idle client losing its server (Postgres restart) must not crash the process.
  pool.on('error', () => {});
  const root = wrap(pool);
  return {
    kind: 'postgres',
    query: root.query,
    exec: root.exec,
    async transaction<T>(fn: (tx: Queryable) => Promise<T>): Promise<T> {
      return withClient(pool, async (client) => {
        await client.query('BEGIN');
        try {
          const result = await fn(wrap(client));
          await client.query('COMMIT');
          return result;
        } catch (err) {
          await client.query('ROLLBACK').catch(() => {});
          throw err;
        }
      });
    },
    withConnection<T>(fn: (conn: Queryable) => Promise<T>): Promise<T> {
      return withClient(pool, (client) => fn(wrap(client)));
    },
    async close(): Promise<void> {
      await pool.end();
    },
  };
}
