import type { FastifyInstance } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createPgDatabase } from '../../sync-server/db/pg-database.ts';
import type { Database } from '../../sync-server/db/database.ts';
import { createPgliteDatabase } from '../../sync-server/db/pglite-database.ts';
import { createTestDatabase, type TestDatabase } from '../support/postgres.ts';
import { loungeRoomId, setRole } from '../support/fixtures.ts';
import { createTestApp, hostToken, testConfig } from '../support/test-app.ts';

describe('member authentication with host-platform tokens (production config, PostgreSQL)', () => {
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

  const me = (token?: string) =>
    app.inject({ method: 'GET', url: '/api/me', headers: token ? { authorization: `Bearer ${token}` } : {} });

  it('a valid token signs the member in, creating their mirror from the claims on first visit', async () => {
    const res = await me(await hostToken({ sub: 'host-42', handle: 'grace', name: 'Grace Hopper' }));
    expect(res.statusCode).toBe(200);
    expect(res.json().user).toMatchObject({ handle: 'grace', displayName: 'Grace Hopper', isGlobalAdmin: false });
    const again = await me(await hostToken({ sub: 'host-42' }));
    expect(again.json().user.id).toBe(res.json().user.id);
  });

  it('a cohort arriving at once is mirrored together, each with their own claims; a taken handle is refused alone', async () => {
    const subs = Array.from({ length: 20 }, (_, i) => `host-cohort-${i}`);
    const tokens = await Promise.all([
      ...subs.map((sub, i) => hostToken({ sub, handle: `cohort${i}`, name: `Cohort Member ${i}` })),
      // grace belongs to host-42 (first test): this newcomer may not take her handle.
      hostToken({ sub: 'host-impostor', handle: 'Grace', name: 'Not Grace' }),
    ]);
    const answers = await Promise.all(tokens.map((token) => me(token)));
    subs.forEach((_, i) => {
      expect(answers[i]!.statusCode).toBe(200);
      expect(answers[i]!.json().user).toMatchObject({ handle: `cohort${i}`, displayName: `Cohort Member ${i}` });
    });
    expect(answers[20]!.statusCode).toBe(409);
    expect(answers[20]!.json().error.code).toBe('handle_taken');

    const { rows } = await db.query<{ members: number; settings: number; commits: number }>(
      `SELECT count(*)::int AS members, count(s.user_id)::int AS settings, count(DISTINCT u.xmin::text)::int AS commits
         FROM users u LEFT JOIN user_settings s ON s.user_id = u.id
        WHERE u.host_user_id = ANY($1::text[]) OR u.host_user_id = 'host-impostor'`,
      [subs],
    );
    expect(rows[0]).toMatchObject({ members: 20, settings: 20 });
    // Written together: fewer commits than members (one each before).
    expect(rows[0]!.commits).toBeLessThan(20);
    // Each of them is who their token says on the next visit, too.
    const again = await me(await hostToken({ sub: subs[7]! }));
    expect(again.json().user.id).toBe(answers[7]!.json().user.id);
  });

  it('an expired token is refused with a message that says so', async () => {
    const res = await me(await hostToken({ sub: 'host-42' }, { expiresIn: Math.floor(Date.now() / 1000) - 60 }));
    expect(res.statusCode).toBe(401);
    expect(res.json()).toEqual({ error: { code: 'token_expired', message: expect.stringMatching(/expired/) } });
  });

  it('a token signed with another secret is refused', async () => {
    const res = await me(await hostToken({ sub: 'host-42' }, { secret: 'someone-elses-secret-0123456789abcdef' }));
    expect(res.statusCode).toBe(401);
    expect(res.json().error.message).toMatch(/signature/);
  });

  it('a token for another audience is refused', async () => {
    const res = await me(await hostToken({ sub: 'host-42' }, { audience: 'some-other-app' }));
    expect(res.statusCode).toBe(401);
    expect(res.json().error.message).toMatch(/audience/);
  });

  it('a missing or garbage token is refused on every API route but health and sign-in', async () => {
    for (const url of ['/api/me', '/api/lounge']) {
      const res = await app.inject({ method: 'GET', url });
      expect(res.statusCode, url).toBe(401);
      expect(res.json().error.code).toBe('unauthorized');
    }
    expect((await me('not.a.jwt')).statusCode).toBe(401);
    expect((await app.inject({ method: 'GET', url: '/healthz' })).statusCode).toBe(200);
    expect((await app.inject({ method: 'GET', url: '/readyz' })).statusCode).toBe(200);
    expect((await app.inject({ method: 'GET', url: '/api/auth/config' })).statusCode).toBe(200);
  });

  it('a token for a member the host never mirrored, without a handle claim, is refused', async () => {
    const res = await me(await hostToken({ sub: 'host-unknown' }));
    expect(res.statusCode).toBe(401);
    expect(res.json().error.code).toBe('unknown_user');
  });

  it('refuses demo sign-in in production configuration', async () => {
    const res = await app.inject({ method: 'POST', url: '/api/auth/demo', payload: { handle: 'mallory' } });
    expect(res.statusCode).toBe(403);
    expect(res.json().error.code).toBe('demo_sign_in_disabled');
    const users = await db.query('SELECT 1 FROM users WHERE handle = $1', ['mallory']);
    expect(users.rows).toHaveLength(0);
    const config = await app.inject({ method: 'GET', url: '/api/auth/config' });
    expect(config.json()).toMatchObject({ mode: 'production', demoSignIn: false });
  });

  it('issues a short-lived WebSocket connection token to a signed-in member', async () => {
    const res = await app.inject({
      method: 'POST',
      url: '/api/auth/connection-token',
      headers: { authorization: `Bearer ${await hostToken({ sub: 'host-42' })}` },
    });
    expect(res.statusCode).toBe(200);
    const expiresIn = Date.parse(res.json().expiresAt) - Date.now();
    expect(expiresIn).toBeGreaterThan(0);
    expect(expiresIn).toBeLessThanOrEqual(60_000);
    const member = await db.query<{ id: string }>('SELECT id FROM users WHERE host_user_id = $1', ['host-42']);
    expect(res.json().userId).toBe(member.rows[0]!.id);
  });

  // History routes skip reading a member this process has seen (their id is remembered): the token and
  // the member's access to the room must still be checked on every request.
  it('history pages check the token and the reader’s access on every request, for known members too', async () => {
    const roomId = await loungeRoomId(db);
    const page = async (token: string) =>
      app.inject({
        method: 'GET',
        url: `/api/rooms/${roomId}/messages`,
        headers: { authorization: `Bearer ${token}` },
      });
    // A first visit on a history route mirrors the member from the claims, as any route does.
    const first = await page(await hostToken({ sub: 'host-reader', handle: 'reader' }));
    expect(first.statusCode).toBe(200);
    expect(first.json()).toMatchObject({ messages: [] });
    const { rows } = await db.query<{ id: string }>('SELECT id FROM users WHERE host_user_id = $1', ['host-reader']);
    expect(rows).toHaveLength(1);
    expect((await page(await hostToken({ sub: 'host-reader' }))).statusCode).toBe(200);

    const expired = await page(
      await hostToken({ sub: 'host-reader' }, { expiresIn: Math.floor(Date.now() / 1000) - 60 }),
    );
    expect(expired.statusCode).toBe(401);
    expect(expired.json().error.code).toBe('token_expired');

    await setRole(db, roomId, rows[0]!.id, 'banned');
    const banned = await page(await hostToken({ sub: 'host-reader' }));
    expect(banned.statusCode).toBe(403);
    expect(banned.json().error.message).toMatch(/banned/i);

    const stranger = await page(await hostToken({ sub: 'host-never-seen' }));
    expect(stranger.statusCode).toBe(401);
    expect(stranger.json().error.code).toBe('unknown_user');
  });
});

describe('demo sign-in (embedded default, PGlite)', () => {
  let db: Database;
  let app: FastifyInstance;
  beforeAll(async () => {
    db = await createPgliteDatabase(undefined);
    app = await createTestApp(db, testConfig({ DATABASE_URL: '' }));
  });
  afterAll(async () => {
    await app.close();
    await db.close();
  });

  it('signs a newcomer in by handle and the same handle later returns the same member', async () => {
    const first = await app.inject({
      method: 'POST',
      url: '/api/auth/demo',
      payload: { handle: 'Ada', displayName: 'Ada L.' },
    });
    expect(first.statusCode).toBe(200);
    const { token, user } = first.json();
    expect(user).toMatchObject({ handle: 'Ada', displayName: 'Ada L.' });
    const me = await app.inject({ method: 'GET', url: '/api/me', headers: { authorization: `Bearer ${token}` } });
    expect(me.json().user.id).toBe(user.id);
    const second = await app.inject({ method: 'POST', url: '/api/auth/demo', payload: { handle: 'ada' } });
    expect(second.json().user.id).toBe(user.id);
  });

  it('refuses demo sign-in when NODE_ENV=production asks for it', () => {
    expect(() => testConfig({ DATABASE_URL: '', NODE_ENV: 'production', LOUNGE_DEMO_SIGN_IN: 'true' })).toThrow(
      /LOUNGE_DEMO_SIGN_IN/,
    );
  });
});
