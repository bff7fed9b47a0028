import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Database } from '../../sync-server/db/database.ts';
import { createPgDatabase } from '../../sync-server/db/pg-database.ts';
import type { UserRow } from '../../sync-server/features/users/users-repo.ts';
import { encodeCursor } from '../../sync-server/http/cursor.ts';
import { createMember, loungeRoomId, setRole } from '../support/fixtures.ts';
import { createTestDatabase, type TestDatabase } from '../support/postgres.ts';
import { createTestApp, hostToken } from '../support/test-app.ts';

type App = Awaited<ReturnType<typeof createTestApp>>;
const errorShape = { error: { code: expect.any(String), message: expect.any(String) } };

async function authFor(user: UserRow) {
  return { authorization: `Bearer ${await hostToken({ sub: user.host_user_id })}` };
}

describe('members of a room and names of authors (PostgreSQL)', () => {
  let testDb: TestDatabase;
  let db: Database;
  let app: App;
  let circle: string;
  let general: string;
  const people: Record<string, UserRow> = {};

  async function get(user: UserRow, url: string) {
    return app.inject({ method: 'GET', url, headers: await authFor(user) });
  }

  beforeAll(async () => {
    testDb = await createTestDatabase();
    db = createPgDatabase(testDb.url);
    app = await createTestApp(db);
    general = await loungeRoomId(db);
    const channel = await db.query<{ id: string }>(`INSERT INTO channels (kind) VALUES ('room') RETURNING id`);
    circle = channel.rows[0]!.id;
    await db.query(
      `INSERT INTO rooms (id, slug, name, room_type, is_private) VALUES ($1, 'week-12', 'Week 12', 'circle', true)`,
      [circle],
    );
    for (const handle of ['olga', 'adam', 'mona', 'tina', 'mel', 'mat', 'muted', 'banned', 'outsider', 'gone']) {
      people[handle] = await createMember(db, handle);
    }
    // Joined in this order, so each group lists by who joined first.
    const roles: Array<[string, string]> = [
      ['mel', 'member'],
      ['muted', 'muted'],
      ['olga', 'owner'],
      ['mat', 'member'],
      ['tina', 'trusted'],
      ['banned', 'banned'],
      ['mona', 'moderator'],
      ['adam', 'admin'],
      ['gone', 'member'],
    ];
    for (const [i, [handle, role]] of roles.entries()) {
      await setRole(db, circle, people[handle]!.id, role);
      await db.query(
        `UPDATE room_memberships SET joined_at = now() - make_interval(mins => $3) WHERE room_id = $1 AND user_id = $2`,
        [circle, people[handle]!.id, 100 - i],
      );
    }
    // A member who deleted their account keeps their place, not their name.
    await db.query(`UPDATE users SET anonymized_at = now(), display_name = 'x', avatar_url = NULL WHERE id = $1`, [
      people.gone!.id,
    ]);
    await app.deps.presence.touch(circle, people.tina!.id);
    await app.deps.presence.touch(circle, people.mel!.id);
  });
  afterAll(async () => {
    await app.close();
    await db.close();
    await testDb.drop();
  });

  it('a circle member sees staff first, then trusted, then members by join date, who is online, and no banned member', async () => {
    const handles: Array<string | null> = [];
    const entries: Array<{ user: { handle: string | null; displayName: string }; role: string; online: boolean }> = [];
    let cursor: string | null = null;
    for (let page = 0; page < 10; page++) {
      const res = await get(people.mel!, `/api/rooms/${circle}/members?limit=3${cursor ? `&cursor=${cursor}` : ''}`);
      expect(res.statusCode, res.body).toBe(200);
      expect(res.json().onlineCount).toBe(2);
      entries.push(...res.json().members);
      cursor = res.json().nextCursor;
      if (!cursor) break;
    }
    handles.push(...entries.map((e) => e.user.handle));
    expect(handles).toEqual(['olga', 'adam', 'mona', 'tina', 'mel', 'muted', 'mat', null]);
    const byHandle = new Map(entries.map((e) => [e.user.handle, e]));
    expect(byHandle.get('muted')!.role).toBe('member'); // a mute is the moderators' business
    expect(byHandle.get('tina')).toMatchObject({ role: 'trusted', online: true });
    expect(byHandle.get('olga')).toMatchObject({ role: 'owner', online: false });
    expect(entries.at(-1)).toMatchObject({
      user: { handle: null, displayName: 'Deleted user', deleted: true },
      role: 'member',
    });
  });

  it('a moderator also sees who is muted and who is banned', async () => {
    const res = await get(people.mona!, `/api/rooms/${circle}/members?limit=100`);
    const roles = Object.fromEntries(
      res.json().members.map((e: { user: { handle: string }; role: string }) => [e.user.handle, e.role]),
    );
    expect(roles).toMatchObject({ muted: 'muted', banned: 'banned' });
  });

  it('outsiders, banned members and unknown rooms are refused, and bad cursors are 400s', async () => {
    const outsider = await get(people.outsider!, `/api/rooms/${circle}/members`);
    expect(outsider.statusCode).toBe(403);
    expect(outsider.json().error.code).toBe('private_room');
    const banned = await get(people.banned!, `/api/rooms/${circle}/members`);
    expect(banned.statusCode).toBe(403);
    expect(banned.json().error.code).toBe('banned');
    expect((await get(people.mel!, `/api/rooms/${randomUUID()}/members`)).statusCode).toBe(404);
    for (const cursor of [
      'zzz',
      encodeCursor({ r: 9, t: 'x', id: randomUUID() }),
      encodeCursor({ r: 2, t: '2026-13-01T00:00:00.000000Z', id: randomUUID() }),
    ]) {
      const res = await get(people.mel!, `/api/rooms/${circle}/members?cursor=${cursor}`);
      expect(res.statusCode).toBe(400);
      expect(res.json().error.code).toBe('bad_cursor');
    }
    // The public General room lists its members to any signed-in member.
    expect((await get(people.outsider!, `/api/rooms/${general}/members`)).statusCode).toBe(200);
  });

  it('names for authors: one by id, or a batch; a deleted account reads "Deleted user"', async () => {
    const one = await get(people.mel!, `/api/users/${people.tina!.id}`);
    expect(one.json()).toEqual({
      user: { id: people.tina!.id, handle: 'tina', displayName: 'tina', avatarUrl: null, deleted: false },
    });
    const unknownId = randomUUID();
    const batch = await get(
      people.mel!,
      `/api/users?ids=${people.gone!.id},${unknownId},${people.olga!.id},${people.olga!.id}`,
    );
    expect(batch.statusCode).toBe(200);
    expect(batch.json().users).toEqual([
      { id: people.gone!.id, handle: null, displayName: 'Deleted user', avatarUrl: null, deleted: true },
      expect.objectContaining({ id: people.olga!.id, handle: 'olga' }),
    ]);
    expect((await get(people.mel!, `/api/users/${unknownId}`)).statusCode).toBe(404);
    const tooMany = Array.from({ length: 101 }, () => randomUUID()).join(',');
    for (const url of [
      '/api/users?ids=',
      '/api/users?ids=nope',
      `/api/users?ids=${tooMany}`,
      '/api/users',
      '/api/users/nope',
    ]) {
      const res = await get(people.mel!, url);
      expect(res.statusCode, url).toBe(400);
      expect(res.json(), url).toEqual(errorShape);
    }
    expect((await app.inject({ method: 'GET', url: `/api/users/${people.tina!.id}` })).statusCode).toBe(401);
  });

  it('"New message" finds any member by the start of their handle or of a word of their name, not only those seen posting', async () => {
    await db.query(`UPDATE users SET display_name = 'Ivy Admin' WHERE id = $1`, [people.adam!.id]);
    const found = async (q: string) =>
      (
        (await get(people.mel!, `/api/users/search?q=${encodeURIComponent(q)}`)).json().users as Array<{
          handle: string;
        }>
      ).map((u) => u.handle);
    // Handles first, in order; the searcher, deleted accounts and blocked members are left out.
    expect(await found('m')).toEqual(['mat', 'mona', 'muted']);
    expect(await found('@MO')).toEqual(['mona']);
    expect(await found('ivy')).toEqual(['adam']);
    expect(await found('admin')).toEqual(['adam']);
    expect(await found('dmin')).toEqual([]);
    expect(await found('x')).toEqual([]);
    // LIKE's wildcards are plain characters here.
    expect(await found('%')).toEqual([]);
    expect(await found('_')).toEqual([]);
    await db.query('INSERT INTO user_blocks (blocker_id, blocked_id) VALUES ($1, $2)', [
      people.mona!.id,
      people.mel!.id,
    ]);
    expect(await found('mo')).toEqual([]);
    for (const url of [
      '/api/users/search',
      '/api/users/search?q=',
      `/api/users/search?q=${'a'.repeat(65)}`,
      // The fuzzer's find: a NUL reached PostgreSQL as a 500.
      '/api/users/search?q=%00%01',
    ]) {
      const res = await get(people.mel!, url);
      expect(res.statusCode, url).toBe(400);
      expect(res.json(), url).toEqual(errorShape);
    }
    expect((await app.inject({ method: 'GET', url: '/api/users/search?q=mo' })).statusCode).toBe(401);
  });
});
