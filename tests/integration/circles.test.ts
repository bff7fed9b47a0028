import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import type { Database } from '../../sync-server/db/database.ts';
import { createPgDatabase } from '../../sync-server/db/pg-database.ts';
import { setRole } from '../support/fixtures.ts';
import { createTestDatabase, type TestDatabase } from '../support/postgres.ts';
import { createTestApp, hostToken, testConfig } from '../support/test-app.ts';

type App = Awaited<ReturnType<typeof createTestApp>>;
const SECRET = 'integration-secret-for-circle-tests-0123456789';

interface ListedCircle {
  id: string;
  slug: string;
  name: string;
  emoji: string;
  roomType: string;
  archived: boolean;
  unreadCount: number;
  lastSeq: number;
  onlineCount: number;
  memberCount: number;
  createdAt: string;
}

describe('GET /api/circles: a member’s Thrive Circles (PostgreSQL)', () => {
  let testDb: TestDatabase;
  let db: Database;
  let app: App;
  const ids: Record<string, string> = {};

  async function host(url: string, payload: object) {
    const res = await app.inject({
      method: 'PUT',
      url: `/api/integration/${url}`,
      payload,
      headers: { authorization: `Bearer ${SECRET}` },
    });
    expect(res.statusCode, `${url}: ${res.body}`).toBe(200);
    return res.json();
  }
  async function circlesOf(hostUserId: string): Promise<ListedCircle[]> {
    const res = await app.inject({
      method: 'GET',
      url: '/api/circles',
      headers: { authorization: `Bearer ${await hostToken({ sub: hostUserId })}` },
    });
    expect(res.statusCode, res.body).toBe(200);
    return res.json().circles as ListedCircle[];
  }
  const names = (circles: ListedCircle[]) => circles.map((c) => c.name);

  beforeAll(async () => {
    testDb = await createTestDatabase();
    db = createPgDatabase(testDb.url);
    app = await createTestApp(db, testConfig({ INTEGRATION_SECRET: SECRET }));
    // The sync service's revocation needs live connections; here it is enough that the route asks for it.
    vi.spyOn(app.deps.sync, 'revokeAccess').mockResolvedValue(undefined);
    for (const who of ['amy', 'bob', 'cat', 'dan', 'eve']) {
      ids[who] = (await host(`users/u-${who}`, { handle: `c_${who}`, displayName: who.toUpperCase() })).user.id;
    }
    // Two weekly cohorts: Amy is in both, Bob only in week 11, Cat and Dan only in week 12; Eve in none.
    ids.week11 = (
      await host('circles/cohort-11', { name: 'Week 11 Circle', emoji: '🌿', members: ['u-amy', 'u-bob'] })
    ).roomId;
    ids.week12 = (
      await host('circles/cohort-12', {
        name: 'Week 12 Circle',
        emoji: '🌱',
        description: 'Agents week',
        members: ['u-amy', 'u-cat', 'u-dan'],
      })
    ).roomId;
    // Week 11 began a week before week 12.
    await db.query(`UPDATE rooms SET created_at = now() - interval '7 days' WHERE id = $1`, [ids.week11]);
  });
  afterAll(async () => {
    await app.close();
    await db.close();
    await testDb.drop();
  });

  it('a member of two circles sees both, newest cohort first, with unread, online and member counts', async () => {
    // Three messages in week 12 that Amy has not read; Cat is online there.
    await db.query('UPDATE channels SET last_seq = 3 WHERE id = $1', [ids.week12]);
    await app.deps.presence.touch(ids.week12!, ids.cat!);
    const circles = await circlesOf('u-amy');
    expect(names(circles)).toEqual(['Week 12 Circle', 'Week 11 Circle']);
    expect(circles[0]).toMatchObject({
      id: ids.week12,
      emoji: '🌱',
      description: 'Agents week',
      roomType: 'circle',
      archived: false,
      unreadCount: 3,
      lastSeq: 3,
      onlineCount: 1,
      memberCount: 3,
    });
    expect(circles[0]!.slug).toMatch(/^week-12-circle-[0-9a-f]{8}$/);
    expect(circles[1]).toMatchObject({ id: ids.week11, unreadCount: 0, onlineCount: 0, memberCount: 2 });
    expect(Date.parse(circles[1]!.createdAt)).toBeLessThan(Date.parse(circles[0]!.createdAt));
    // A read marker counts: after reading two, one is left.
    await db.query(`INSERT INTO read_markers (user_id, channel_id, last_read_seq) VALUES ($1, $2, 2)`, [
      ids.amy,
      ids.week12,
    ]);
    expect((await circlesOf('u-amy'))[0]).toMatchObject({ unreadCount: 1, lastSeq: 3 });
    // Each member sees only their own cohorts.
    expect(names(await circlesOf('u-bob'))).toEqual(['Week 11 Circle']);
    expect(names(await circlesOf('u-cat'))).toEqual(['Week 12 Circle']);
  });

  it('a member of no circle sees none, and circles never show in The Lounge’s room list', async () => {
    expect(await circlesOf('u-eve')).toEqual([]);
    const lounge = await app.inject({
      method: 'GET',
      url: '/api/lounge',
      headers: { authorization: `Bearer ${await hostToken({ sub: 'u-amy' })}` },
    });
    expect(lounge.statusCode).toBe(200);
    const loungeRooms = (lounge.json().rooms as Array<{ id: string }>).map((room) => room.id);
    expect(loungeRooms).not.toContain(ids.week11);
    expect(loungeRooms).not.toContain(ids.week12);
    expect(loungeRooms.length).toBeGreaterThan(0);
  });

  it('a global admin who is in no circle does not get every circle listed as theirs', async () => {
    await db.query('UPDATE users SET is_global_admin = true WHERE id = $1', [ids.eve]);
    try {
      expect(await circlesOf('u-eve')).toEqual([]);
    } finally {
      await db.query('UPDATE users SET is_global_admin = false WHERE id = $1', [ids.eve]);
    }
  });

  it('a member the host’s member sync removes no longer sees the circle; added back, sees it again', async () => {
    expect(names(await circlesOf('u-dan'))).toEqual(['Week 12 Circle']);
    const dropped = await host('circles/cohort-12', { name: 'Week 12 Circle', members: ['u-amy', 'u-cat'] });
    expect(dropped.removed).toEqual(['u-dan']);
    expect(await circlesOf('u-dan')).toEqual([]);
    expect((await circlesOf('u-amy'))[0]).toMatchObject({ id: ids.week12, memberCount: 2 });
    await host('circles/cohort-12', { name: 'Week 12 Circle', members: ['u-amy', 'u-cat', 'u-dan'] });
    expect(names(await circlesOf('u-dan'))).toEqual(['Week 12 Circle']);
  });

  it('a banned member does not see the circle, and the host’s next member sync does not lift the ban', async () => {
    await setRole(db, ids.week12!, ids.dan!, 'banned');
    expect(await circlesOf('u-dan')).toEqual([]);
    // Banned members are not counted among the circle's members.
    expect((await circlesOf('u-amy'))[0]).toMatchObject({ id: ids.week12, memberCount: 2 });
    await host('circles/cohort-12', { name: 'Week 12 Circle', members: ['u-amy', 'u-cat', 'u-dan'] });
    expect(await circlesOf('u-dan')).toEqual([]);
    // The list and the circle's history agree: no access either way.
    const history = await app.inject({
      method: 'GET',
      url: `/api/channels/${ids.week12}/messages`,
      headers: { authorization: `Bearer ${await hostToken({ sub: 'u-dan' })}` },
    });
    expect(history.statusCode).toBe(403);
  });

  it('archived circles come after active ones, still listed and marked', async () => {
    await host('circles/cohort-12', { name: 'Week 12 Circle', members: ['u-amy', 'u-cat'], archived: true });
    const circles = await circlesOf('u-amy');
    expect(circles.map((c) => [c.name, c.archived])).toEqual([
      ['Week 11 Circle', false],
      ['Week 12 Circle', true],
    ]);
  });

  it('needs a signed-in member', async () => {
    const res = await app.inject({ method: 'GET', url: '/api/circles' });
    expect(res.statusCode).toBe(401);
    expect(res.json()).toEqual({ error: { code: expect.any(String), message: expect.any(String) } });
  });
});
