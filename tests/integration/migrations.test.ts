import { mkdtemp, writeFile, cp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { pgErrorCode, PgErrorCode, type Database } from '../../sync-server/db/database.ts';
import { migrate, MIGRATIONS_DIR, readMigrations } from '../../sync-server/db/migrate.ts';
import { createPgDatabase } from '../../sync-server/db/pg-database.ts';
import { createPgliteDatabase } from '../../sync-server/db/pglite-database.ts';
import { createTestDatabase, type TestDatabase } from '../support/postgres.ts';

async function insertRoomWithMessage(db: Database) {
  const user = await db.query<{ id: string }>(
    `INSERT INTO users (host_user_id, handle, display_name) VALUES ('h1', 'ada', 'Ada') RETURNING id`,
  );
  const channel = await db.query<{ id: string }>(`INSERT INTO channels (kind) VALUES ('room') RETURNING id`);
  const channelId = channel.rows[0]!.id;
  await db.query(
    `INSERT INTO rooms (id, slug, name, room_type) VALUES ($1, 'scratch', 'Scratch', 'circle')`,
    [channelId],
  );
  const message = await db.query<{ id: string }>(
    `INSERT INTO messages (channel_id, seq, room_id, author_id, body) VALUES ($1, 1, $1, $2, 'hello') RETURNING id`,
    [channelId, user.rows[0]!.id],
  );
  return { userId: user.rows[0]!.id, channelId, messageId: message.rows[0]!.id };
}

async function expectRefused(promise: Promise<unknown>, code: string) {
  const err = await promise.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(err, 'the database should have refused this write').toBeDefined();
  expect(pgErrorCode(err)).toBe(code);
}

function constraintSuite(name: string, open: () => Promise<Database>, close: (db: Database) => Promise<void>) {
  describe(`schema on ${name}`, () => {
    let db: Database;
    beforeAll(async () => {
      db = await open();
    });
    afterAll(async () => {
      await close(db);
    });

    it('applies every migration on an empty database, and a second run applies nothing', async () => {
      const all = (await readMigrations()).map((m) => m.version);
      expect(await migrate(db)).toEqual(all);
      expect(await migrate(db)).toEqual([]);
      const recorded = await db.query<{ version: string }>('SELECT version FROM schema_migrations ORDER BY version');
      expect(recorded.rows.map((r) => r.version)).toEqual(all);
    });

    it('refuses a message of 4,001 characters and keeps one of 4,000', async () => {
      const { userId, channelId } = await insertRoomWithMessage(db);
      await expectRefused(
        db.query(`INSERT INTO messages (channel_id, seq, author_id, body) VALUES ($1, 2, $2, $3)`, [
          channelId,
          userId,
          'x'.repeat(4001),
        ]),
        PgErrorCode.checkViolation,
      );
      await db.query(`INSERT INTO messages (channel_id, seq, author_id, body) VALUES ($1, 2, $2, $3)`, [
        channelId,
        userId,
        'x'.repeat(4000),
      ]);
      const count = await db.query<{ n: number }>('SELECT count(*)::int AS n FROM messages WHERE channel_id = $1', [
        channelId,
      ]);
      expect(count.rows[0]!.n).toBe(2);
    });

    it('refuses the same reaction twice from one member, but not another emoji', async () => {
      const { rows } = await db.query<{ id: string; author_id: string }>(
        `SELECT id, author_id FROM messages WHERE seq = 1 LIMIT 1`,
      );
      const { id: messageId, author_id: userId } = rows[0]!;
      await db.query(`INSERT INTO reactions (message_id, user_id, emoji) VALUES ($1, $2, '👍')`, [messageId, userId]);
      await expectRefused(
        db.query(`INSERT INTO reactions (message_id, user_id, emoji) VALUES ($1, $2, '👍')`, [messageId, userId]),
        PgErrorCode.uniqueViolation,
      );
      await db.query(`INSERT INTO reactions (message_id, user_id, emoji) VALUES ($1, $2, '🎉')`, [messageId, userId]);
    });

    it('refuses a second message with the same seq in one channel', async () => {
      const { rows } = await db.query<{ channel_id: string; author_id: string }>(
        `SELECT channel_id, author_id FROM messages WHERE seq = 1 LIMIT 1`,
      );
      await expectRefused(
        db.query(`INSERT INTO messages (channel_id, seq, author_id, body) VALUES ($1, 1, $2, 'dup')`, [
          rows[0]!.channel_id,
          rows[0]!.author_id,
        ]),
        PgErrorCode.uniqueViolation,
      );
    });

    it('refuses an intent id processed twice for the same member', async () => {
      const { rows } = await db.query<{ id: string }>(`SELECT id FROM users LIMIT 1`);
      const intent = [rows[0]!.id, '5b1e7c62-3c39-4a39-9e0e-6a36f0c1f0a1'];
      await db.query(`INSERT INTO client_intents (user_id, intent_id, kind, status) VALUES ($1, $2, 'send', 'accepted')`, intent);
      await expectRefused(
        db.query(`INSERT INTO client_intents (user_id, intent_id, kind, status) VALUES ($1, $2, 'send', 'accepted')`, intent),
        PgErrorCode.uniqueViolation,
      );
    });

    it('refuses an unknown channel kind or DM setting', async () => {
      await expectRefused(
        db.query(`INSERT INTO channels (kind) VALUES ('voice-channel')`),
        PgErrorCode.checkViolation,
      );
      const { rows } = await db.query<{ id: string }>(`SELECT id FROM users LIMIT 1`);
      await expectRefused(
        db.query(`INSERT INTO user_settings (user_id, dm_permission) VALUES ($1, 'friends')`, [rows[0]!.id]),
        PgErrorCode.checkViolation,
      );
    });
  });
}

let pgTestDb: TestDatabase;
constraintSuite(
  'PostgreSQL',
  async () => {
    pgTestDb = await createTestDatabase();
    return createPgDatabase(pgTestDb.url);
  },
  async (db) => {
    await db.close();
    await pgTestDb.drop();
  },
);

constraintSuite(
  'PGlite',
  () => createPgliteDatabase(undefined),
  (db) => db.close(),
);

describe('migration runner', () => {
  it('lets two nodes that start together migrate one fresh database without a race', async () => {
    const testDb = await createTestDatabase();
    const a = createPgDatabase(testDb.url);
    const b = createPgDatabase(testDb.url);
    try {
      const [appliedA, appliedB] = await Promise.all([migrate(a), migrate(b)]);
      const total = (await readMigrations()).length;
      expect(appliedA.length + appliedB.length).toBe(total);
      expect(Math.min(appliedA.length, appliedB.length)).toBe(0);
    } finally {
      await a.close();
      await b.close();
      await testDb.drop();
    }
  });

  it('stops with a clear error when an applied migration was edited', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'lounge-migrations-'));
    await cp(MIGRATIONS_DIR, dir, { recursive: true });
    const db = await createPgliteDatabase(undefined);
    try {
      await migrate(db, dir);
      await writeFile(join(dir, '0001_users_and_settings.sql'), '-- edited\nSELECT 1;');
      await expect(migrate(db, dir)).rejects.toThrow(/0001_users_and_settings was edited after it was applied/);
    } finally {
      await db.close();
    }
  });

  it('rolls back a failing migration entirely and names it', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'lounge-migrations-'));
    await writeFile(join(dir, '0001_ok.sql'), 'CREATE TABLE ok_table (id int);');
    await writeFile(join(dir, '0002_broken.sql'), 'CREATE TABLE half_table (id int);\nSELECT * FROM missing_table;');
    const db = await createPgliteDatabase(undefined);
    try {
      await expect(migrate(db, dir)).rejects.toThrow(/migration 0002_broken failed/);
      const tables = await db.query<{ name: string }>(
        `SELECT table_name AS name FROM information_schema.tables WHERE table_name IN ('ok_table', 'half_table')`,
      );
      expect(tables.rows.map((t) => t.name)).toEqual(['ok_table']);
      const recorded = await db.query<{ version: string }>('SELECT version FROM schema_migrations');
      expect(recorded.rows.map((r) => r.version)).toEqual(['0001_ok']);
    } finally {
      await db.close();
    }
  });
});
