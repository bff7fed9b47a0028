import type { FastifyInstance } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Database } from '../../sync-server/db/database.ts';
import { createPgDatabase } from '../../sync-server/db/pg-database.ts';
import { encodeCursor } from '../../sync-server/http/cursor.ts';
import { createTestDatabase, type TestDatabase } from '../support/postgres.ts';
import { createTestApp, hostToken, testConfig } from '../support/test-app.ts';

const errorShape = { error: { code: expect.any(String), message: expect.any(String) } };

describe('bad input gets a clear 4xx in the one error shape and changes nothing', () => {
  let testDb: TestDatabase;
  let db: Database;
  let app: FastifyInstance;
  let auth: { authorization: string };
  let roomId: string;

  async function snapshot() {
    const { rows } = await db.query<{ users: number; messages: number; rooms: number }>(
      `SELECT (SELECT count(*) FROM users)::int AS users, (SELECT count(*) FROM messages)::int AS messages,
              (SELECT count(*) FROM rooms)::int AS rooms`,
    );
    return rows[0];
  }

  beforeAll(async () => {
    testDb = await createTestDatabase();
    db = createPgDatabase(testDb.url);
    // Demo sign-in on, so its body validation can be exercised against PostgreSQL too.
    app = await createTestApp(db, testConfig({ LOUNGE_DEMO_SIGN_IN: 'true' }));
    auth = { authorization: `Bearer ${await hostToken({ sub: 'h-1', handle: 'lin' })}` };
    const lounge = await app.inject({ method: 'GET', url: '/api/lounge', headers: auth });
    roomId = lounge.json().rooms[0].id;
  });
  afterAll(async () => {
    await app.close();
    await db.close();
    await testDb.drop();
  });

  it('a malformed JSON body', async () => {
    const before = await snapshot();
    const res = await app.inject({
      method: 'POST',
      url: '/api/auth/demo',
      headers: { 'content-type': 'application/json' },
      payload: '{"handle": "ad',
    });
    expect(res.statusCode).toBe(400);
    expect(res.json()).toEqual(errorShape);
    expect(await snapshot()).toEqual(before);
  });

  it('an unknown field', async () => {
    const before = await snapshot();
    const res = await app.inject({
      method: 'POST',
      url: '/api/auth/demo',
      payload: { handle: 'zed', isGlobalAdmin: true },
    });
    expect(res.statusCode).toBe(400);
    expect(res.json()).toEqual(errorShape);
    expect(res.json().error.message).toMatch(/unknown field "isGlobalAdmin"/);
    expect(await snapshot()).toEqual(before);
  });

  it('a too-long string', async () => {
    const before = await snapshot();
    const res = await app.inject({ method: 'POST', url: '/api/auth/demo', payload: { handle: 'x'.repeat(33) } });
    expect(res.statusCode).toBe(400);
    expect(res.json().error.message).toMatch(/A handle can have at most 32 characters/);
    expect(await snapshot()).toEqual(before);
  });

  it('a body that is not JSON at all, or far too large', async () => {
    const before = await snapshot();
    const notJson = await app.inject({
      method: 'POST',
      url: '/api/auth/demo',
      headers: { 'content-type': 'text/plain' },
      payload: 'handle=zed',
    });
    expect(notJson.statusCode).toBe(415);
    expect(notJson.json()).toEqual(errorShape);
    const huge = await app.inject({ method: 'POST', url: '/api/auth/demo', payload: { handle: 'z'.repeat(200_000) } });
    expect(huge.statusCode).toBe(413);
    expect(huge.json().error.code).toBe('payload_too_large');
    expect(await snapshot()).toEqual(before);
  });

  it('a bad cursor, a forged cursor and a bad limit on history', async () => {
    const before = await snapshot();
    for (const cursor of ['%%%', 'bm90LWpzb24', encodeCursor({ seq: -5 }), encodeCursor({ offset: 10 })]) {
      const res = await app.inject({
        method: 'GET',
        url: `/api/rooms/${roomId}/messages?cursor=${encodeURIComponent(cursor)}`,
        headers: auth,
      });
      expect(res.statusCode, cursor).toBe(400);
      expect(res.json().error.code).toBe('bad_cursor');
    }
    const limit = await app.inject({ method: 'GET', url: `/api/rooms/${roomId}/messages?limit=5000`, headers: auth });
    expect(limit.statusCode).toBe(400);
    expect(limit.json()).toEqual(errorShape);
    expect(await snapshot()).toEqual(before);
  });

  it('an unknown room id and a malformed room id', async () => {
    const unknown = await app.inject({
      method: 'GET',
      url: '/api/rooms/00000000-0000-4000-8000-000000000000/messages',
      headers: auth,
    });
    expect(unknown.statusCode).toBe(404);
    expect(unknown.json()).toEqual(errorShape);
    const malformed = await app.inject({ method: 'GET', url: '/api/rooms/not-a-uuid/messages', headers: auth });
    expect(malformed.statusCode).toBe(400);
    expect(malformed.json()).toEqual(errorShape);
  });
});

describe('keyset history pages', () => {
  let testDb: TestDatabase;
  let db: Database;
  let app: FastifyInstance;

  beforeAll(async () => {
    testDb = await createTestDatabase();
    db = createPgDatabase(testDb.url);
    app = await createTestApp(db);
  });
  afterAll(async () => {
    await app.close();
    await db.close();
    await testDb.drop();
  });

  it('walks a room from newest to oldest with the cursor, every message exactly once', async () => {
    const auth = { authorization: `Bearer ${await hostToken({ sub: 'h-2', handle: 'kim' })}` };
    const lounge = await app.inject({ method: 'GET', url: '/api/lounge', headers: auth });
    const roomId: string = lounge.json().rooms[0].id;
    await db.query(
      `INSERT INTO messages (channel_id, seq, room_id, body)
       SELECT $1, n, $1, 'message ' || n FROM generate_series(1, 120) AS n`,
      [roomId],
    );
    const seen: number[] = [];
    let cursor: string | null = null;
    for (let page = 0; page < 10; page++) {
      const url: string = `/api/rooms/${roomId}/messages?limit=50${cursor ? `&cursor=${cursor}` : ''}`;
      const res = await app.inject({ method: 'GET', url, headers: auth });
      expect(res.statusCode).toBe(200);
      const body = res.json() as { messages: Array<{ seq: number }>; nextCursor: string | null };
      seen.push(...body.messages.map((m) => m.seq));
      cursor = body.nextCursor;
      if (!cursor) break;
    }
    expect(seen).toEqual(Array.from({ length: 120 }, (_, i) => 120 - i));
  });
});
