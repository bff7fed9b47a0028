import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import type { Database } from '../../sync-server/db/database.ts';
import { createPgDatabase } from '../../sync-server/db/pg-database.ts';
import { loungeRoomId } from '../support/fixtures.ts';
import { createTestDatabase, type TestDatabase } from '../support/postgres.ts';
import { createTestApp, hostToken, testConfig } from '../support/test-app.ts';

type App = Awaited<ReturnType<typeof createTestApp>>;
const SECRET = 'integration-secret-for-tests-0123456789abcdef';
const errorShape = { error: { code: expect.any(String), message: expect.any(String) } };

describe('the host platform’s integration API (PostgreSQL)', () => {
  let testDb: TestDatabase;
  let db: Database;
  let app: App;
  let revoked: Array<[string, string, string]>;

  async function put(url: string, payload: unknown, secret: string | null = SECRET) {
    return app.inject({
      method: 'PUT',
      url,
      payload: payload as object,
      headers: secret === null ? {} : { authorization: `Bearer ${secret}` },
    });
  }
  async function ok(url: string, payload: unknown) {
    const res = await put(url, payload);
    expect(res.statusCode, `${url}: ${res.body}`).toBe(200);
    return res.json();
  }
  async function mirror(hostId: string, handle = hostId.replace(/[^a-z0-9]/gi, '')) {
    return (await ok(`/api/integration/users/${hostId}`, { handle, displayName: handle.toUpperCase() })).user
      .id as string;
  }
  async function counts() {
    const { rows } = await db.query(
      `SELECT (SELECT count(*) FROM users)::int AS users, (SELECT count(*) FROM rooms)::int AS rooms,
              (SELECT count(*) FROM threads)::int AS threads, (SELECT count(*) FROM channels)::int AS channels,
              (SELECT count(*) FROM room_memberships)::int AS memberships, (SELECT count(*) FROM channel_changes)::int AS changes,
              (SELECT count(*) FROM user_follows)::int AS follows, (SELECT count(*) FROM user_connections)::int AS connections`,
    );
    return rows[0];
  }
  async function memberToken(hostUserId: string) {
    return { authorization: `Bearer ${await hostToken({ sub: hostUserId })}` };
  }

  beforeAll(async () => {
    testDb = await createTestDatabase();
    db = createPgDatabase(testDb.url);
    app = await createTestApp(db, testConfig({ INTEGRATION_SECRET: SECRET }));
    revoked = [];
    vi.spyOn(app.deps.sync, 'revokeAccess').mockImplementation(async (userId, channelId, reason) => {
      revoked.push([userId, channelId, reason]);
    });
  });
  afterAll(async () => {
    await app.close();
    await db.close();
    await testDb.drop();
  });

  it('a bad or missing secret is a 401, and nothing changes', async () => {
    const before = await counts();
    for (const secret of [null, 'wrong', `${SECRET}x`, SECRET.slice(0, -1)]) {
      const res = await put('/api/integration/users/u-intruder', { handle: 'intruder', displayName: 'I' }, secret);
      expect(res.statusCode).toBe(401);
      expect(res.json()).toEqual({
        error: { code: 'bad_integration_secret', message: expect.stringMatching(/secret/) },
      });
    }
    // A member's token is not the integration secret either.
    const member = await app.inject({
      method: 'PUT',
      url: '/api/integration/users/u-intruder',
      payload: { handle: 'intruder', displayName: 'I' },
      headers: { authorization: `Bearer ${await hostToken({ sub: 'u-intruder', handle: 'intruder' })}` },
    });
    expect(member.statusCode).toBe(401);
    expect(await counts()).toEqual(before);
  });

  it('users: the same PUT twice gives the same member; later PUTs update the profile; handles stay unique', async () => {
    const body = {
      handle: 'ada',
      displayName: 'Ada Lovelace',
      avatarUrl: 'https://cdn.example/ada.png',
      email: 'ada@example.com',
      joinedAt: '2025-06-01T00:00:00Z',
    };
    const first = await ok('/api/integration/users/u-ada', body);
    const again = await ok('/api/integration/users/u-ada', body);
    expect(first.created).toBe(true);
    expect(again).toEqual({ ...first, created: false });
    const renamed = await ok('/api/integration/users/u-ada', { handle: 'ada_l', displayName: 'Ada L.' });
    expect(renamed.user).toEqual({
      id: first.user.id,
      hostUserId: 'u-ada',
      handle: 'ada_l',
      displayName: 'Ada L.',
      avatarUrl: 'https://cdn.example/ada.png',
    });
    const stored = await db.query(
      'SELECT u.joined_at, s.email FROM users u JOIN user_settings s ON s.user_id = u.id WHERE u.id = $1',
      [first.user.id],
    );
    expect(stored.rows[0]).toEqual({ joined_at: new Date('2025-06-01T00:00:00Z'), email: 'ada@example.com' });
    expect((await db.query(`SELECT count(*)::int AS n FROM users WHERE host_user_id = 'u-ada'`)).rows[0]).toEqual({
      n: 1,
    });
    const taken = await put('/api/integration/users/u-other', { handle: 'ADA_L', displayName: 'Impostor' });
    expect(taken.statusCode).toBe(409);
    expect(taken.json().error.code).toBe('handle_taken');
    // The mirrored member signs in with a host token and is the same member.
    const me = await app.inject({ method: 'GET', url: '/api/me', headers: await memberToken('u-ada') });
    expect(me.json().user.id).toBe(first.user.id);
  });

  it('social graph: each PUT replaces the mirror; people not mirrored yet are skipped and named', async () => {
    for (const id of ['u-s1', 'u-s2', 'u-s3', 'u-s4']) await mirror(id);
    const first = await ok('/api/integration/users/u-s1/social', {
      connections: ['u-s2', 'u-s3', 'u-ghost'],
      following: ['u-s2', 'u-s4'],
    });
    expect(first).toEqual({ connections: 2, following: 2, unknownHostUserIds: ['u-ghost'] });
    expect(
      await ok('/api/integration/users/u-s1/social', {
        connections: ['u-s2', 'u-s3', 'u-ghost'],
        following: ['u-s2', 'u-s4'],
      }),
    ).toEqual(first);
    const replaced = await ok('/api/integration/users/u-s1/social', { connections: ['u-s4'], following: [] });
    expect(replaced).toEqual({ connections: 1, following: 0, unknownHostUserIds: [] });
    // Connections are symmetric: s4 sees s1 too.
    expect((await ok('/api/integration/users/u-s4/social', { following: ['u-s1'] })).connections).toBe(1);
    const unknown = await put('/api/integration/users/u-nobody/social', { following: [] });
    expect(unknown.statusCode).toBe(404);
    expect(unknown.json().error.code).toBe('unknown_user');
  });

  it('circles: a weekly cohort becomes a private room; membership follows the list, and whoever leaves loses access at once', async () => {
    const [amy, bob, cat] = [await mirror('u-amy'), await mirror('u-bob'), await mirror('u-cat')];
    const body = { name: 'Week 12 Circle', members: ['u-amy', 'u-bob', 'u-cat'] };
    const first = await ok('/api/integration/circles/circle-12', body);
    expect(first).toMatchObject({ created: true, removed: [] });
    expect([...first.added].sort()).toEqual(['u-amy', 'u-bob', 'u-cat']);
    const before = await counts();
    const again = await ok('/api/integration/circles/circle-12', body);
    expect(again).toEqual({ roomId: first.roomId, created: false, added: [], removed: [] });
    expect(await counts()).toEqual(before); // no duplicate room, membership or meta change
    const room = await db.query('SELECT room_type, is_private, circle_host_id, name FROM rooms WHERE id = $1', [
      first.roomId,
    ]);
    expect(room.rows[0]).toEqual({
      room_type: 'circle',
      is_private: true,
      circle_host_id: 'circle-12',
      name: 'Week 12 Circle',
    });

    // Cat can read the circle; after the host drops her from the list she cannot, and her docs are revoked.
    const thread = await db.query<{ id: string }>(`INSERT INTO channels (kind) VALUES ('thread') RETURNING id`);
    await db.query(`INSERT INTO threads (id, room_id, title) VALUES ($1, $2, 'Standup')`, [
      thread.rows[0]!.id,
      first.roomId,
    ]);
    expect(
      (
        await app.inject({
          method: 'GET',
          url: `/api/channels/${first.roomId}/messages`,
          headers: await memberToken('u-cat'),
        })
      ).statusCode,
    ).toBe(200);
    revoked.length = 0;
    const dropped = await ok('/api/integration/circles/circle-12', {
      name: 'Week 12 Circle',
      members: ['u-amy', 'u-bob'],
    });
    expect(dropped).toEqual({ roomId: first.roomId, created: false, added: [], removed: ['u-cat'] });
    expect(revoked).toEqual([
      [cat, first.roomId, 'You are no longer a member of this circle.'],
      [cat, thread.rows[0]!.id, 'You are no longer a member of this circle.'],
    ]);
    const refused = await app.inject({
      method: 'GET',
      url: `/api/channels/${first.roomId}/messages`,
      headers: await memberToken('u-cat'),
    });
    expect(refused.statusCode).toBe(403);
    expect(refused.json().error.code).toBe('private_room');
    const members = await db.query<{ user_id: string }>(
      'SELECT user_id FROM room_memberships WHERE room_id = $1 ORDER BY user_id',
      [first.roomId],
    );
    expect(members.rows.map((r) => r.user_id)).toEqual([amy, bob].sort());

    // A rename reaches members as a meta change on the room's channel.
    await ok('/api/integration/circles/circle-12', { name: 'Week 12: Agents', members: ['u-amy', 'u-bob'] });
    const meta = await db.query<{ payload: { patch: Record<string, unknown> } }>(
      `SELECT payload FROM channel_changes WHERE channel_id = $1 AND kind = 'meta' ORDER BY change_seq DESC LIMIT 1`,
      [first.roomId],
    );
    expect(meta.rows[0]!.payload.patch).toEqual({ name: 'Week 12: Agents' });

    // Unknown members: nothing changes at all.
    const snapshot = await counts();
    const unknown = await put('/api/integration/circles/circle-12', {
      name: 'Week 12',
      members: ['u-amy', 'u-nobody'],
    });
    expect(unknown.statusCode).toBe(400);
    expect(unknown.json().error).toEqual({ code: 'unknown_users', message: expect.stringContaining('"u-nobody"') });
    expect(await counts()).toEqual(snapshot);
  });

  it('projects, learning paths, battles and "Ask me": idempotent by host id, and the embed widget resolves each', async () => {
    const owner = await mirror('u-owner');
    await mirror('u-viewer');
    const project = await ok('/api/integration/projects/p-42', { name: 'Prompt Zoo', ownerHostUserId: 'u-owner' });
    expect(project).toMatchObject({ created: true, ownerId: owner });
    expect(await ok('/api/integration/projects/p-42', { name: 'Prompt Zoo', ownerHostUserId: 'u-owner' })).toEqual({
      ...project,
      created: false,
    });
    const role = await db.query('SELECT role FROM room_memberships WHERE room_id = $1 AND user_id = $2', [
      project.roomId,
      owner,
    ]);
    expect(role.rows).toEqual([{ role: 'owner' }]);
    // The project changes hands: one owner, the previous one stays a member.
    const next = await mirror('u-next');
    await ok('/api/integration/projects/p-42', { name: 'Prompt Zoo', ownerHostUserId: 'u-next' });
    const roles = await db.query<{ user_id: string; role: string }>(
      'SELECT user_id, role FROM room_memberships WHERE room_id = $1',
      [project.roomId],
    );
    expect(Object.fromEntries(roles.rows.map((r) => [r.user_id, r.role]))).toEqual({
      [owner]: 'member',
      [next]: 'owner',
    });

    const path = await ok('/api/integration/learning-paths/lp-7', {
      name: 'Agents 101',
      description: 'Build your first agent',
    });
    expect(await ok('/api/integration/learning-paths/lp-7', { name: 'Agents 101' })).toEqual({
      ...path,
      created: false,
    });
    const pathRoom = await db.query(
      'SELECT context_type, auto_thread, room_type, is_private FROM rooms WHERE id = $1',
      [path.roomId],
    );
    expect(pathRoom.rows[0]).toEqual({
      context_type: 'help',
      auto_thread: true,
      room_type: 'lounge',
      is_private: false,
    });
    const lounge = await app.inject({ method: 'GET', url: '/api/lounge', headers: await memberToken('u-viewer') });
    expect(lounge.json().rooms.map((r: { id: string }) => r.id)).not.toContain(path.roomId); // not a topic room

    const battle = await ok('/api/integration/battles/b-9/thread', { title: 'Battle #9: haiku vs limerick' });
    const general = await loungeRoomId(db);
    expect(battle).toMatchObject({ roomId: general, created: true });
    expect(await ok('/api/integration/battles/b-9/thread', { title: 'Battle #9: haiku vs limerick' })).toEqual({
      ...battle,
      created: false,
    });
    await ok('/api/integration/battles/b-9/thread', { title: 'Battle #9: the rematch' });
    const threadChanges = await db.query<{ payload: { thread: { title: string } } }>(
      `SELECT payload FROM channel_changes WHERE channel_id = $1 AND kind = 'thread' ORDER BY change_seq`,
      [general],
    );
    expect(threadChanges.rows.map((r) => r.payload.thread.title)).toEqual([
      'Battle #9: haiku vs limerick',
      'Battle #9: the rematch',
    ]);
    const moved = await put('/api/integration/battles/b-9/thread', { title: 'x', roomId: project.roomId });
    expect(moved.statusCode).toBe(409);

    const askOn = await ok('/api/integration/users/u-owner/ask-me', { enabled: true });
    expect(askOn.threadId).toEqual(expect.any(String));
    expect(await ok('/api/integration/users/u-owner/ask-me', { enabled: true })).toEqual(askOn);

    const embed = async (type: string, id: string) =>
      app.inject({ method: 'GET', url: `/api/embed/${type}/${id}`, headers: await memberToken('u-viewer') });
    expect((await embed('project', 'p-42')).json()).toMatchObject({
      channelId: project.roomId,
      kind: 'room',
      title: 'Prompt Zoo',
    });
    expect((await embed('learning_path', 'lp-7')).json()).toMatchObject({
      channelId: path.roomId,
      kind: 'room',
      canPost: true,
      postRefusal: null,
    });
    expect((await embed('battle', 'b-9')).json()).toMatchObject({
      channelId: battle.threadId,
      kind: 'thread',
      roomId: general,
    });
    expect((await embed('ask_me', 'u-owner')).json()).toMatchObject({
      channelId: askOn.threadId,
      kind: 'thread',
      canPost: true,
    });
    // Turning "Ask me" off locks the thread and the profile widget stops resolving.
    expect(await ok('/api/integration/users/u-owner/ask-me', { enabled: false })).toEqual({
      enabled: false,
      threadId: null,
    });
    const off = await embed('ask_me', 'u-owner');
    expect(off.statusCode).toBe(404);
    expect(off.json().error.message).toBe('This member does not take questions here.');
    const locked = await db.query('SELECT is_locked FROM threads WHERE id = $1', [askOn.threadId]);
    expect(locked.rows).toEqual([{ is_locked: true }]);
    expect((await ok('/api/integration/users/u-owner/ask-me', { enabled: true })).threadId).toBe(askOn.threadId);
    for (const [type, id] of [
      ['project', 'p-missing'],
      ['battle', 'b-missing'],
      ['learning_path', 'lp-missing'],
      ['ask_me', 'u-viewer'],
    ]) {
      const res = await embed(type!, id!);
      expect(res.statusCode, `${type}/${id}`).toBe(404);
      expect(res.json()).toEqual(errorShape);
    }
    expect((await embed('profile', 'u-owner')).statusCode).toBe(400);
    // A private project's room resolves only for its members.
    await ok('/api/integration/projects/p-secret', { name: 'Stealth', ownerHostUserId: 'u-owner', isPrivate: true });
    expect((await embed('project', 'p-secret')).statusCode).toBe(403);
    // A member banned from a project's room cannot open its widget either.
    const viewerId = (await db.query<{ id: string }>(`SELECT id FROM users WHERE host_user_id = 'u-viewer'`)).rows[0]!
      .id;
    await db.query(`INSERT INTO room_memberships (room_id, user_id, role) VALUES ($1, $2, 'banned')`, [
      project.roomId,
      viewerId,
    ]);
    const banned = await embed('project', 'p-42');
    expect(banned.statusCode).toBe(403);
    expect(banned.json().error).toEqual({ code: 'banned', message: 'You are banned from this room.' });
  });

  it('a member turns "Ask me" on in their own Settings: their profile chat opens (as the host\'s switch would), off locks it', async () => {
    await mirror('u-asker');
    await mirror('u-curious');
    const settings = async (askMeEnabled: boolean) =>
      app.inject({
        method: 'PATCH',
        url: '/api/me/settings',
        headers: await memberToken('u-asker'),
        payload: { askMeEnabled },
      });
    const embed = async () =>
      app.inject({ method: 'GET', url: '/api/embed/ask_me/u-asker', headers: await memberToken('u-curious') });
    expect((await embed()).statusCode).toBe(404);

    const on = await settings(true);
    expect(on.statusCode, on.body).toBe(200);
    expect(on.json()).toMatchObject({ askMeEnabled: true });
    const opened = await embed();
    expect(opened.statusCode, opened.body).toBe(200);
    expect(opened.json()).toMatchObject({ kind: 'thread', canPost: true, title: 'Ask UASKER' });

    expect((await settings(false)).json()).toMatchObject({ askMeEnabled: false });
    expect((await embed()).statusCode).toBe(404);
    const locked = await db.query(
      `SELECT is_locked FROM threads WHERE host_context_type = 'ask_me' AND host_context_id = 'u-asker'`,
    );
    expect(locked.rows).toEqual([{ is_locked: true }]);
  });

  it('bad input is a 400 in the error shape and changes nothing', async () => {
    await mirror('u-bad');
    const before = await counts();
    const cases: Array<[string, unknown]> = [
      ['/api/integration/users/u-new', { handle: '.dot', displayName: 'Dot' }],
      ['/api/integration/users/u-new', { handle: 'okay', displayName: 'x'.repeat(81) }],
      ['/api/integration/users/u-new', { handle: 'okay', displayName: 'Ok', avatarUrl: 'javascript:alert(1)' }],
      ['/api/integration/users/u-new', { handle: 'okay', displayName: 'Ok', isGlobalAdmin: true }],
      ['/api/integration/users/bad%20id', { handle: 'okay', displayName: 'Ok' }],
      ['/api/integration/users/u-bad/social', {}],
      ['/api/integration/users/u-new', { handle: 'okay', displayName: 'O\u0000k' }],
      ['/api/integration/learning-paths/lp-1', { name: 'Path\u0000' }],
      ['/api/integration/users/u-new', { handle: 'okay', displayName: 'Ok', joinedAt: '2025-02-29T00:00:00Z' }],
      ['/api/integration/circles/c-1', { name: 'n'.repeat(81), members: [] }],
      ['/api/integration/circles/c-1', { name: 'Circle', members: 'u-bad' }],
      ['/api/integration/projects/p-1', { name: 'P', ownerHostUserId: 'u-nobody' }],
      ['/api/integration/learning-paths/lp-1', { name: '' }],
      ['/api/integration/battles/b-1/thread', { title: 't'.repeat(201) }],
      ['/api/integration/battles/b-1/thread', { title: 'ok', roomId: 'general' }],
      ['/api/integration/users/u-bad/ask-me', { enabled: 'yes' }],
    ];
    for (const [url, payload] of cases) {
      const res = await put(url, payload);
      expect(res.statusCode, `${url} ${JSON.stringify(payload)}`).toBe(400);
      expect(res.json()).toEqual(errorShape);
    }
    const unknownRoom = await put('/api/integration/battles/b-1/thread', { title: 'ok', roomId: randomUUID() });
    expect(unknownRoom.statusCode).toBe(404);
    expect(await counts()).toEqual(before);
  });
});

describe('the integration API on a server without INTEGRATION_SECRET', () => {
  let testDb: TestDatabase;
  let db: Database;
  let app: App;
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

  it('answers 503 with a clear message, whatever the credentials', async () => {
    for (const authorization of [undefined, 'Bearer anything']) {
      const res = await app.inject({
        method: 'PUT',
        url: '/api/integration/users/u-1',
        payload: { handle: 'one', displayName: 'One' },
        headers: authorization ? { authorization } : {},
      });
      expect(res.statusCode).toBe(503);
      expect(res.json()).toEqual({
        error: {
          code: 'integration_disabled',
          message: 'The integration API is turned off on this server: set INTEGRATION_SECRET to enable it.',
        },
      });
    }
    expect((await db.query(`SELECT count(*)::int AS n FROM users`)).rows[0]).toEqual({ n: 0 });
  });
});
