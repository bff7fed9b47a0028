import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import type { ChannelChange } from '../../shared/sync/channel-doc.ts';
import type { Database } from '../../sync-server/db/database.ts';
import { createPgDatabase } from '../../sync-server/db/pg-database.ts';
import type { UserRow } from '../../sync-server/features/users/users-repo.ts';
import { createMember, loungeRoomId, setRole } from '../support/fixtures.ts';
import { createTestDatabase, type TestDatabase } from '../support/postgres.ts';
import { createTestApp, hostToken } from '../support/test-app.ts';

type App = Awaited<ReturnType<typeof createTestApp>>;
const errorShape = { error: { code: expect.any(String), message: expect.any(String) } };

async function authFor(user: UserRow) {
  return { authorization: `Bearer ${await hostToken({ sub: user.host_user_id })}` };
}

describe('room administration (PostgreSQL)', () => {
  let testDb: TestDatabase;
  let db: Database;
  let app: App;
  let root: UserRow; // platform admin
  let owner: UserRow; // owner of a project room
  let mod: UserRow; // moderator of General
  let member: UserRow;
  let general: string;
  let published: ChannelChange[][];

  async function call(user: UserRow | null, method: 'POST' | 'PATCH', url: string, payload: unknown) {
    return app.inject({ method, url, payload: payload as object, headers: user ? await authFor(user) : {} });
  }
  async function metaChanges(roomId: string) {
    const { rows } = await db.query<{ change_seq: number; payload: { kind: string; patch: Record<string, unknown> } }>(
      `SELECT change_seq, payload FROM channel_changes WHERE channel_id = $1 AND kind = 'meta' ORDER BY change_seq`,
      [roomId],
    );
    return rows.map((r) => r.payload.patch);
  }
  async function snapshot() {
    const { rows } = await db.query(
      `SELECT (SELECT count(*) FROM rooms)::int AS rooms, (SELECT count(*) FROM channel_changes)::int AS changes,
              (SELECT json_agg(r ORDER BY r.id) FROM (SELECT id, name, slug, archived, position, slow_mode_seconds FROM rooms) r) AS settings`,
    );
    return rows[0];
  }

  beforeAll(async () => {
    testDb = await createTestDatabase();
    db = createPgDatabase(testDb.url);
    app = await createTestApp(db);
    root = await createMember(db, 'root', { admin: true });
    owner = await createMember(db, 'owner');
    mod = await createMember(db, 'mod');
    member = await createMember(db, 'member');
    general = await loungeRoomId(db);
    await setRole(db, general, mod.id, 'moderator');
    await setRole(db, general, member.id, 'member');
    published = [];
    const committed = app.deps.sync.channels.committed.bind(app.deps.sync.channels);
    vi.spyOn(app.deps.sync.channels, 'committed').mockImplementation(async (changes) => {
      published.push([...changes]);
      return committed(changes);
    });
  });
  afterAll(async () => {
    await app.close();
    await db.close();
    await testDb.drop();
  });

  it('a platform admin creates a help room: it auto-threads by default, lists in The Lounge, and its settings are logged and published', async () => {
    const res = await call(root, 'POST', '/api/admin/rooms', {
      name: 'Career Help',
      slug: 'career-help',
      emoji: '🧭',
      description: 'Portfolios, interviews and first jobs in AI.',
      contextType: 'help',
      minTrustLevel: 'member',
      slowModeSeconds: 30,
    });
    expect(res.statusCode, res.body).toBe(201);
    const room = res.json().room;
    expect(room).toMatchObject({
      name: 'Career Help',
      slug: 'career-help',
      roomType: 'lounge',
      contextType: 'help',
      autoThread: true,
      readPermissionLevel: 'everyone',
      writePermissionLevel: 'everyone',
      minTrustLevel: 'member',
      slowModeSeconds: 30,
      position: 5, // after the five seeded rooms
      archived: false,
    });
    expect(await metaChanges(room.id)).toEqual([
      expect.objectContaining({ name: 'Career Help', autoThread: true, archived: false }),
    ]);
    expect(published.flat()).toContainEqual(expect.objectContaining({ channelId: room.id, kind: 'meta' }));
    const lounge = await app.inject({ method: 'GET', url: '/api/lounge', headers: await authFor(member) });
    // Members' room list says who may post, so their app shows the reason instead of a composer that fails.
    expect(lounge.json().rooms.find((r: { slug: string }) => r.slug === 'career-help')).toMatchObject({
      readPermissionLevel: 'everyone',
      writePermissionLevel: 'everyone',
      minTrustLevel: 'member',
    });
    const plain = await call(root, 'POST', '/api/admin/rooms', {
      name: 'Show & Tell',
      slug: 'show-tell',
      contextType: 'showcase',
      position: 2,
    });
    expect(plain.json().room).toMatchObject({ autoThread: false, position: 2 });
  });

  it('an edit logs exactly what changed as one meta change; archiving and moving are edits too; no-op edits log nothing', async () => {
    const room = (await call(root, 'POST', '/api/admin/rooms', { name: 'Temp', slug: 'temp' })).json().room;
    published.length = 0;
    const edit = await call(root, 'PATCH', `/api/rooms/${room.id}`, {
      name: 'Temporary',
      slowModeSeconds: 60,
      emoji: '⏳',
    });
    expect(edit.statusCode, edit.body).toBe(200);
    expect(edit.json().room).toMatchObject({ name: 'Temporary', slowModeSeconds: 60, emoji: '⏳' });
    const archive = await call(root, 'PATCH', `/api/rooms/${room.id}`, { archived: true, position: 99 });
    expect(archive.json().room).toMatchObject({ archived: true, position: 99 });
    const same = await call(root, 'PATCH', `/api/rooms/${room.id}`, { archived: true });
    expect(same.statusCode).toBe(200);
    expect((await metaChanges(room.id)).slice(1)).toEqual([
      { name: 'Temporary', slowModeSeconds: 60, emoji: '⏳' },
      { archived: true, position: 99 },
    ]);
    expect(published.map((batch) => batch.map((c) => c.kind))).toEqual([['meta'], ['meta']]);
    // Archived rooms stay in The Lounge's list, marked and after the others (an admin finds them there to
    // unarchive), and take their place again when unarchived.
    const listed = async () =>
      (await app.inject({ method: 'GET', url: '/api/lounge', headers: await authFor(member) }))
        .json()
        .rooms.map((r: { id: string; archived: boolean }) => [r.id, r.archived]);
    const moved = await call(root, 'PATCH', `/api/rooms/${room.id}`, { position: -5 });
    expect(moved.statusCode).toBe(200);
    expect((await listed()).at(-1)).toEqual([room.id, true]);
    expect((await listed()).slice(0, -1).every(([, archived]: [string, boolean]) => !archived)).toBe(true);
    const link = await app.inject({ method: 'GET', url: '/api/lounge/rooms/temp', headers: await authFor(member) });
    expect(link.statusCode).toBe(200);
    await call(root, 'PATCH', `/api/rooms/${room.id}`, { archived: false });
    expect((await listed())[0]).toEqual([room.id, false]);
  });

  it('a project room’s owner manages their room; moderators, members and outsiders cannot, and nothing changes', async () => {
    const channel = await db.query<{ id: string }>(`INSERT INTO channels (kind) VALUES ('room') RETURNING id`);
    const project = channel.rows[0]!.id;
    await db.query(`INSERT INTO rooms (id, slug, name, room_type) VALUES ($1, 'proj', 'My project', 'project')`, [
      project,
    ]);
    await setRole(db, project, owner.id, 'owner');
    const ok = await call(owner, 'PATCH', `/api/rooms/${project}`, {
      description: 'Comments and Q&A',
      writePermissionLevel: 'member',
    });
    expect(ok.statusCode, ok.body).toBe(200);
    const before = await snapshot();
    const byModerator = await call(mod, 'PATCH', `/api/rooms/${general}`, { slowModeSeconds: 10 });
    expect(byModerator.statusCode).toBe(403);
    expect(byModerator.json()).toEqual({
      error: { code: 'not_room_admin', message: "Only the room's owner and admins can change its settings." },
    });
    expect((await call(member, 'PATCH', `/api/rooms/${general}`, { name: 'Mine now' })).statusCode).toBe(403);
    expect((await call(owner, 'PATCH', `/api/rooms/${general}`, { name: 'Mine now' })).statusCode).toBe(403);
    const create = await call(owner, 'POST', '/api/admin/rooms', { name: 'Owner room', slug: 'owner-room' });
    expect(create.statusCode).toBe(403);
    expect(create.json().error.code).toBe('not_global_admin');
    expect((await call(null, 'POST', '/api/admin/rooms', { name: 'Anon', slug: 'anon' })).statusCode).toBe(401);
    expect(await snapshot()).toEqual(before);
  });

  it('bad input is refused in the error shape with a readable message, and nothing changes', async () => {
    await call(root, 'POST', '/api/admin/rooms', { name: 'Taken', slug: 'taken' });
    const before = await snapshot();
    const cases: Array<[string, 'POST' | 'PATCH', string, unknown, number, RegExp]> = [
      [
        'too-long name',
        'POST',
        '/api/admin/rooms',
        { name: 'n'.repeat(81), slug: 'long' },
        400,
        /name: a room name can be at most 80 characters/,
      ],
      [
        'emoji name still counts code points',
        'POST',
        '/api/admin/rooms',
        { name: '🎉'.repeat(81), slug: 'party' },
        400,
        /at most 80/,
      ],
      ['empty name', 'POST', '/api/admin/rooms', { name: '   ', slug: 'blank' }, 400, /needs a name/],
      ['a NUL character', 'POST', '/api/admin/rooms', { name: 'Nul\u0000room', slug: 'nul' }, 400, /NUL/],
      ['bad slug', 'POST', '/api/admin/rooms', { name: 'Bad', slug: 'Bad Slug!' }, 400, /slug/],
      [
        'unknown field',
        'POST',
        '/api/admin/rooms',
        { name: 'X', slug: 'x', isGlobal: true },
        400,
        /Unrecognized key: "isGlobal"|unknown field "isGlobal"/,
      ],
      [
        'slug taken',
        'POST',
        '/api/admin/rooms',
        { name: 'Again', slug: 'taken' },
        409,
        /already uses the address "taken"/,
      ],
      [
        'bad level',
        'POST',
        '/api/admin/rooms',
        { name: 'Lv', slug: 'lv', readPermissionLevel: 'god' },
        400,
        /readPermissionLevel/,
      ],
      [
        'slow mode beyond six hours',
        'PATCH',
        `/api/rooms/${general}`,
        { slowModeSeconds: 21601 },
        400,
        /slowModeSeconds/,
      ],
      ['empty edit', 'PATCH', `/api/rooms/${general}`, {}, 400, /at least one setting/],
      [
        'unknown field on edit',
        'PATCH',
        `/api/rooms/${general}`,
        { roomType: 'dm' },
        400,
        /Unrecognized key: "roomType"|unknown field "roomType"/,
      ],
      ['slug taken on edit', 'PATCH', `/api/rooms/${general}`, { slug: 'taken' }, 409, /already uses/],
      ['unknown room', 'PATCH', `/api/rooms/${randomUUID()}`, { name: 'Ghost' }, 404, /does not exist/],
      ['malformed room id', 'PATCH', '/api/rooms/nope', { name: 'Ghost' }, 400, /roomId/],
    ];
    for (const [what, method, url, payload, status, message] of cases) {
      const res = await call(root, method, url, payload);
      expect(res.statusCode, what).toBe(status);
      expect(res.json(), what).toEqual(errorShape);
      expect(res.json().error.message, what).toMatch(message);
    }
    expect(await snapshot()).toEqual(before);
  });
});
