import { loadConfig } from '../config.ts';
import type { Database } from './database.ts';
import { migrate } from './migrate.ts';
import { createPgDatabase } from './pg-database.ts';
import { createPgliteDatabase } from './pglite-database.ts';

// `npm run migrate`: the same migrations the server applies at start-up, without starting it.
const config = loadConfig();
const db: Database =
  config.database.kind === 'postgres' ? createPgDatabase(config.database.url) : await createPgliteDatabase(config.database.dataDir);
try {
  const applied = await migrate(db);
  process.stdout.write(applied.length > 0 ? `applied: ${applied.join(', ')}\n` : 'schema is up to date\n');
} finally {
  await db.close();
}
