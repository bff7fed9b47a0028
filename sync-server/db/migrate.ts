import { createHash } from 'node:crypto';
import { readdir, readFile } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';
import type { Database } from './database.ts';

export const MIGRATIONS_DIR = fileURLToPath(new URL('../../migrations/', import.meta.url));

// Any constant works; it only has to be the same on every node so that two nodes starting together
// apply migrations one after the other instead of racing on the same DDL.
const MIGRATION_LOCK_KEY = 7_420_001;

export interface MigrationFile {
  version: string;
  sql: string;
  checksum: string;
}

export async function readMigrations(dir: string = MIGRATIONS_DIR): Promise<MigrationFile[]> {
  const names = (await readdir(dir)).filter((n) => /^\d{4}_[a-z0-9_]+\.sql$/.test(n)).sort();
  return Promise.all(
    names.map(async (name) => {
      const sql = await readFile(`${dir}/${name}`, 'utf8');
      return { version: name.replace(/\.sql$/, ''), sql, checksum: createHash('sha256').update(sql).digest('hex') };
    }),
  );
}

export class MigrationError extends Error {
  override name = 'MigrationError';
}

/**
 * Applies every migration not yet recorded in schema_migrations, each in its own transaction, under an
 * advisory lock. Returns the versions applied by this call (empty when the schema is current).
 */
export async function migrate(db: Database, dir: string = MIGRATIONS_DIR): Promise<string[]> {
  const files = await readMigrations(dir);
  return db.withConnection(async (conn) => {
    await conn.query('SELECT pg_advisory_lock($1)', [MIGRATION_LOCK_KEY]);
    try {
      await conn.exec(`CREATE TABLE IF NOT EXISTS schema_migrations (
        version text PRIMARY KEY,
        checksum text NOT NULL,
        applied_at timestamptz NOT NULL DEFAULT now()
      )`);
      const { rows } = await conn.query<{ version: string; checksum: string }>(
        'SELECT version, checksum FROM schema_migrations',
      );
      const applied = new Map(rows.map((r) => [r.version, r.checksum]));
      const done: string[] = [];
      for (const file of files) {
        const known = applied.get(file.version);
        if (known !== undefined) {
          if (known !== file.checksum) {
            throw new MigrationError(
              `migration ${file.version} was edited after it was applied; add a new migration instead`,
            );
          }
          continue;
        }
        await conn.exec('BEGIN');
        try {
          await conn.exec(file.sql);
          await conn.query('INSERT INTO schema_migrations (version, checksum) VALUES ($1, $2)', [
            file.version,
            file.checksum,
          ]);
          await conn.exec('COMMIT');
        } catch (err) {
          await conn.exec('ROLLBACK').catch(() => {});
          throw new MigrationError(`migration ${file.version} failed: ${(err as Error).message}`, { cause: err });
        }
        done.push(file.version);
      }
      return done;
    } finally {
      await conn.query('SELECT pg_advisory_unlock($1)', [MIGRATION_LOCK_KEY]).catch(() => {});
    }
  });
}
