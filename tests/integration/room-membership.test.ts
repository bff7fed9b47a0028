import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Database } from '../../sync-server/db/database.ts';
import { createPgDatabase } from '../../sync-server/db/pg-database.ts';
import type { UserRow } from '../../sync-server/features/users/users-repo.ts';
import { createRedisPresenceStore } from '../../sync-server/presence/redis-presence-store.ts';
import { metaDocName } from '../../shared/sync/doc-names.ts';
import { createMember, setRole } from '../support/fixtures.ts';
import { createTestDatabase, type TestDatabase } from '../support/postgres.ts';
import { connectRedis, redisFanout } from '../support/redis.ts';
import { startSyncNode, type SyncNode } from '../support/sync-node.ts';
import { TestDevice, waitFor } from '../support/sync-test-client.ts';
import { createTestApp, hostToken, testConfig } from '../support/test-app.ts';

/**
 * Members join public rooms and leave rooms themselves; a room that turns private is taken from its
 * non-member readers. Two sync nodes share PostgreSQL and Redis (fan-out and presence), so a revocation
 * made through one node closes subscriptions held on the other.
 */
describe('joining and leaving rooms, and rooms that turn private', () => {
  let testDb: TestDatabase;
  let db: Database;
  let node1: SyncNode;
  let node2: SyncNode;
  const closers: Array<() => Promise<void>> = [];
  const devices: TestDevice[] = [];
  let seq = 0;

  const device = (node: SyncNode, member: UserRow) => {
    const d = new TestDevice(member.id, node.baseUrl, node.tokenFor(member.host_user_id)).start();
    devices.push(d);
    return d;
  };
  const member = (handle: string, options: Parameters<typeof createMember>[2] = {}) =>
    createMember(db, `${handle}_${++seq}`, options);
  const call = async (method: 'GET' | 'POST' | 'PATCH', url: string, user: UserRow, payload?: unknown) =>
    node1.app.inject({
      method,
      url,
      headers: { authorization: `Bearer ${await hostToken({ sub: user.host_user_id })}` },
      ...(payload === undefined ? {} : { payload: payload as Record<string, unknown> }),
    });
  const send = (user: UserRow, channelId: string, body: string) =>
    node1.app.deps.sync.runIntent(user.id, { kind: 'send', channelId, body, n: ++seq, createdAt: Date.now() });

  /** A host project room (public unless told), owned by `owner`. */
  async function projectRoom(
    owner: UserRow,
    values: { isPrivate?: boolean; archived?: boolean; readLevel?: string } = {},
  ) {
    const channel = await db.query<{ id: string }>(`INSERT INTO channels (kind) VALUES ('room') RETURNING id`);
    const id = channel.rows[0]!.id;
    await db.query(
      `INSERT INTO rooms (id, slug, name, room_type, project_host_id, is_private, archived, read_permission_level)
       VALUES ($1, $2, 'A project', 'project', $2, $3, $4, $5)`,
      [id, `p-${++seq}`, values.isPrivate ?? false, values.archived ?? false, values.readLevel ?? 'everyone'],
    );
    await setRole(db, id, owner.id, 'owner');
    return id;
  }
  const membership = async (roomId: string, userId: string) =>
    (
      await db.query<{ role: string }>('SELECT role FROM room_memberships WHERE room_id = $1 AND user_id = $2', [
        roomId,
        userId,
      ])
    ).rows[0]?.role ?? null;
  const memberships = async () =>
    (await db.query('SELECT room_id, user_id, role, muted_until FROM room_memberships ORDER BY room_id, user_id')).rows;
  const revoked = (d: TestDevice, channelId: string) => d.inboxDoc.getMap<{ reason: string }>('revoked').get(channelId);

  beforeAll(async () => {
    testDb = await createTestDatabase();
    db = createPgDatabase(testDb.url);
    const redis = await connectRedis();
    closers.push(async () => void redis.disconnect());
    const nodes: SyncNode[] = [];
    for (let i = 0; i < 2; i++) {
      const { fanout, close } = await redisFanout();
      closers.push(close);
      nodes.push(await startSyncNode(db, { fanout, presence: createRedisPresenceStore(redis) }));
    }
    [node1, node2] = nodes as [SyncNode, SyncNode];
  });
  afterAll(async () => {
    for (const d of devices) d.stop();
    await node1.close();
    await node2.close();
    for (const close of closers) await close();
    await db.close();
    await testDb.drop();
  });

  it('a member joins a public project room once, and may then post there', async () => {
    const [owner, ada] = await Promise.all([member('owner'), member('ada')]);
    const room = await projectRoom(owner);
    const before = await send(ada, room, 'hello before joining');
    expect(before.verdict).toMatchObject({ status: 'rejected', code: 'not_member' });

    const join = await call('POST', `/api/rooms/${room}/join`, ada);
    expect(join.statusCode, join.body).toBe(200);
    expect(join.json()).toEqual({ roomId: room, joined: true });
    expect(await membership(room, ada.id)).toBe('member');
    const again = await call('POST', `/api/rooms/${room}/join`, ada);
    expect(again.json()).toEqual({ roomId: room, joined: false });
    const owners = await call('POST', `/api/rooms/${room}/join`, owner);
    expect(owners.json()).toEqual({ roomId: room, joined: false });
    expect(await membership(room, owner.id)).toBe('owner'); // never lowered to member

    const after = await send(ada, room, 'hello after joining');
    expect(after.verdict.status).toBe('accepted');
  });

  it('a learning-path help room (open to everyone) lists whoever joins it among its members', async () => {
    const ada = await member('ada');
    const channel = await db.query<{ id: string }>(`INSERT INTO channels (kind) VALUES ('room') RETURNING id`);
    const room = channel.rows[0]!.id;
    await db.query(
      `INSERT INTO rooms (id, lounge_id, slug, name, room_type, context_type, auto_thread, learning_path_host_id)
       VALUES ($1, (SELECT id FROM lounges WHERE slug = 'the-lounge'), $2, 'Path help', 'lounge', 'help', true, $2)`,
      [room, `lp-${++seq}`],
    );
    const join = await call('POST', `/api/rooms/${room}/join`, ada);
    expect(join.json()).toEqual({ roomId: room, joined: true });
    const listed = await call('GET', `/api/rooms/${room}/members`, ada);
    expect(listed.json().members.map((m: { user: { id: string } }) => m.user.id)).toContain(ada.id);
  });

  it('joining is refused with a reason for private, archived, banned-from and too-high-level rooms; nothing changes', async () => {
    const [owner, ada, newbie] = await Promise.all([
      member('owner'),
      member('ada'),
      member('newbie', { daysAgo: 0, messagesSent: 0 }),
    ]);
    const privateRoom = await projectRoom(owner, { isPrivate: true });
    const archived = await projectRoom(owner, { archived: true });
    const banning = await projectRoom(owner);
    await setRole(db, banning, ada.id, 'banned');
    const trustedOnly = await projectRoom(owner, { readLevel: 'trusted' });
    const circle = await db.query<{ id: string }>(`INSERT INTO channels (kind) VALUES ('room') RETURNING id`);
    await db.query(
      `INSERT INTO rooms (id, slug, name, room_type, is_private) VALUES ($1, $2, 'Circle', 'circle', true)`,
      [circle.rows[0]!.id, `c-${++seq}`],
    );
    const thread = await db.query<{ id: string }>(`INSERT INTO channels (kind) VALUES ('thread') RETURNING id`);
    await db.query(`INSERT INTO threads (id, room_id, title, creator_id) VALUES ($1, $2, 'A thread', $3)`, [
      thread.rows[0]!.id,
      banning,
      owner.id,
    ]);
    const before = await memberships();

    const cases: Array<[UserRow, string, number, string, RegExp]> = [
      [ada, privateRoom, 403, 'private_room', /private/],
      [ada, circle.rows[0]!.id, 403, 'private_room', /private/],
      [ada, archived, 403, 'archived', /archived/],
      [ada, banning, 403, 'banned', /banned/],
      [newbie, trustedOnly, 403, 'read_level', /trusted/],
      [ada, thread.rows[0]!.id, 404, 'not_found', /room/],
      [ada, '00000000-0000-4000-8000-000000000000', 404, 'not_found', /room/],
    ];
    for (const [user, roomId, status, code, reason] of cases) {
      const res = await call('POST', `/api/rooms/${roomId}/join`, user);
      expect(res.statusCode, `${code}: ${res.body}`).toBe(status);
      expect(res.json().error.code).toBe(code);
      expect(res.json().error.message).toMatch(reason);
    }
    const withRole = await call('POST', `/api/rooms/${banning}/join`, newbie, { role: 'admin' });
    expect(withRole.statusCode).toBe(400);
    const badId = await call('POST', '/api/rooms/not-a-room/join', newbie);
    expect(badId.statusCode).toBe(400);
    expect(await memberships()).toEqual(before);
  });

  it('leaving a private room revokes it at once: the subscription on the other node closes and the device purges it', async () => {
    const [owner, ada] = await Promise.all([member('owner'), member('ada')]);
    const room = await projectRoom(owner, { isPrivate: true });
    await setRole(db, room, ada.id, 'member');
    const d = device(node2, ada);
    await d.openChannel(room);

    const res = await call('POST', `/api/rooms/${room}/leave`, ada);
    expect(res.statusCode, res.body).toBe(200);
    expect(res.json()).toEqual({ roomId: room, canStillRead: false });
    expect(await membership(room, ada.id)).toBeNull();
    await waitFor('purge notice on node 2', () =>
      d.notices.some((n) => n.code === 'purge' && n.docName === metaDocName(room)),
    );
    await waitFor('revoked in the inbox', () => revoked(d, room)?.reason === 'You left this room.');
    const read = await call('GET', `/api/channels/${room}/messages`, ada);
    expect(read.statusCode).toBe(403);
    expect(read.json().error.code).toBe('private_room');
  });

  it('leaving a public room keeps it readable and revokes nothing; posting needs a new join', async () => {
    const [owner, ada] = await Promise.all([member('owner'), member('ada')]);
    const room = await projectRoom(owner);
    await call('POST', `/api/rooms/${room}/join`, ada);
    const d = device(node2, ada);
    await d.openChannel(room);
    const res = await call('POST', `/api/rooms/${room}/leave`, ada);
    expect(res.json()).toEqual({ roomId: room, canStillRead: true });
    expect((await send(ada, room, 'still here?')).verdict).toMatchObject({ status: 'rejected', code: 'not_member' });
    await new Promise((r) => setTimeout(r, 300));
    expect(d.notices.filter((n) => n.code === 'purge')).toEqual([]);
  });

  it('owners, banned members, members under a mute and non-members cannot leave; nothing changes', async () => {
    const [owner, banned, muted, stranger] = await Promise.all([
      member('owner'),
      member('banned'),
      member('muted'),
      member('stranger'),
    ]);
    const room = await projectRoom(owner, { isPrivate: true });
    await setRole(db, room, banned.id, 'banned');
    await setRole(db, room, muted.id, 'muted', new Date(Date.now() + 3_600_000));
    const before = await memberships();
    const cases: Array<[UserRow, number, string, RegExp]> = [
      [owner, 403, 'outranked', /owner/],
      [banned, 403, 'banned', /banned/],
      [muted, 403, 'muted', /mute/],
      [stranger, 409, 'not_member', /not a member/],
    ];
    for (const [user, status, code, reason] of cases) {
      const res = await call('POST', `/api/rooms/${room}/leave`, user);
      expect(res.statusCode, res.body).toBe(status);
      expect(res.json().error).toEqual({ code, message: expect.stringMatching(reason) });
    }
    const withBody = await call('POST', `/api/rooms/${room}/leave`, muted, { reason: 'bye' });
    expect(withBody.statusCode).toBe(400);
    expect(await memberships()).toEqual(before);
  });

  it('a Lounge room made private leaves the room list and the open subscriptions of readers who are not members', async () => {
    const [admin, kept, lurker, away, mod] = await Promise.all([
      createMember(db, `root_${++seq}`, { admin: true }),
      member('kept'),
      member('lurker'),
      member('away'),
      member('mod'),
    ]);
    const created = await call('POST', '/api/admin/rooms', admin, { name: 'Side project', slug: `side-${seq}` });
    expect(created.statusCode, created.body).toBe(201);
    const room: string = created.json().room.id;
    await setRole(db, room, kept.id, 'member');
    await setRole(db, room, mod.id, 'moderator');
    // The lurker reads it live on node 2 (present there); `away` read it once and is offline now.
    const lurking = device(node2, lurker);
    await lurking.openChannel(room, { presence: true });
    lurking.awareness.get(metaDocName(room))!.setLocalState({ typing: false });
    await waitFor('lurker present', async () => (await node1.app.deps.presence.onlineUsers(room)).includes(lurker.id));
    await db.query(`INSERT INTO read_markers (user_id, channel_id, last_read_seq) VALUES ($1, $2, 0)`, [away.id, room]);
    const keeper = device(node1, kept);
    await keeper.openChannel(room);
    // A silent reader: subscribed on node 2 with no presence, no read marker and no membership.
    const silent = device(node2, await member('silent'));
    await silent.openChannel(room);
    const listed = async (user: UserRow) =>
      (await call('GET', '/api/lounge', user)).json().rooms.map((r: { id: string }) => r.id) as string[];
    expect(await listed(lurker)).toContain(room);

    // A member cannot make it private, and nonsense is refused; neither changes anything.
    const notAdmin = await call('PATCH', `/api/rooms/${room}`, kept, { isPrivate: true });
    expect(notAdmin.statusCode).toBe(403);
    expect(notAdmin.json().error.code).toBe('not_room_admin');
    const nonsense = await call('PATCH', `/api/rooms/${room}`, admin, { isPrivate: 'yes' });
    expect(nonsense.statusCode).toBe(400);
    expect((await db.query('SELECT is_private FROM rooms WHERE id = $1', [room])).rows[0]).toEqual({
      is_private: false,
    });

    const res = await call('PATCH', `/api/rooms/${room}`, admin, { isPrivate: true });
    expect(res.statusCode, res.body).toBe(200);
    expect(res.json().room.isPrivate).toBe(true);

    await waitFor('lurker purged on node 2', () =>
      lurking.notices.some((n) => n.code === 'purge' && n.docName === metaDocName(room)),
    );
    expect(revoked(lurking, room)?.reason).toBe('This room is now private: only its members can read it.');
    await waitFor('silent reader purged on node 2', () =>
      silent.notices.some((n) => n.code === 'purge' && n.docName === metaDocName(room)),
    );
    expect(await listed(lurker)).not.toContain(room);
    expect(await listed(away)).not.toContain(room);
    const awayRead = await call('GET', `/api/rooms/${room}/messages`, away);
    expect(awayRead.json().error.code).toBe('private_room');
    // Members, moderators and admins keep it.
    for (const user of [kept, mod, admin]) expect(await listed(user)).toContain(room);
    expect(keeper.notices.filter((n) => n.code === 'purge')).toEqual([]);
    expect((await send(kept, room, 'still ours')).verdict.status).toBe('accepted');
    await waitFor('member still live', () => keeper.messages(room).some((m) => m.body === 'still ours'));
  });

  it('raising a room’s read level takes it from members below the level, and only from them', async () => {
    const [admin, plain, mod] = await Promise.all([
      createMember(db, `root_${++seq}`, { admin: true }),
      member('plain'),
      member('mod'),
    ]);
    const created = await call('POST', '/api/admin/rooms', admin, { name: 'Staff corner', slug: `staff-${seq}` });
    const room: string = created.json().room.id;
    await call('POST', `/api/rooms/${room}/join`, plain);
    await setRole(db, room, mod.id, 'moderator');
    const [p, m] = [device(node2, plain), device(node2, mod)];
    await Promise.all([p.openChannel(room), m.openChannel(room)]);

    const res = await call('PATCH', `/api/rooms/${room}`, admin, { readPermissionLevel: 'moderator' });
    expect(res.statusCode, res.body).toBe(200);
    await waitFor('member purged', () => p.notices.some((n) => n.code === 'purge' && n.docName === metaDocName(room)));
    expect(revoked(p, room)?.reason).toMatch(/no longer one of them/);
    expect(m.notices.filter((n) => n.code === 'purge')).toEqual([]);
    expect((await call('GET', `/api/channels/${room}/messages`, plain)).json().error.code).toBe('read_level');
    expect((await call('GET', `/api/channels/${room}/messages`, mod)).statusCode).toBe(200);
  });

  it('a project the host platform makes private is revoked from its non-member readers too', async () => {
    const secret = 'integration-secret-for-tests-0123456789abcdef';
    const { fanout, close } = await redisFanout();
    closers.push(close);
    const redis = await connectRedis();
    closers.push(async () => void redis.disconnect());
    const host = await createTestApp(db, testConfig({ INTEGRATION_SECRET: secret }), {
      fanout,
      presence: createRedisPresenceStore(redis),
    });
    closers.push(() => host.close());
    const put = (payload: Record<string, unknown>) =>
      host.inject({
        method: 'PUT',
        url: `/api/integration/projects/proj-${seq}`,
        headers: { authorization: `Bearer ${secret}` },
        payload,
      });
    const [owner, lurker] = await Promise.all([member('owner'), member('lurker')]);
    const created = await put({ name: 'Open project', ownerHostUserId: owner.host_user_id });
    expect(created.statusCode, created.body).toBe(200);
    const room: string = created.json().roomId;
    const lurking = device(node2, lurker);
    await lurking.openChannel(room, { presence: true });
    lurking.awareness.get(metaDocName(room))!.setLocalState({ typing: false });
    await waitFor('lurker present', async () => (await host.deps.presence.onlineUsers(room)).includes(lurker.id));

    const closed = await put({ name: 'Open project', ownerHostUserId: owner.host_user_id, isPrivate: true });
    expect(closed.statusCode, closed.body).toBe(200);
    await waitFor('lurker purged on node 2', () =>
      lurking.notices.some((n) => n.code === 'purge' && n.docName === metaDocName(room)),
    );
    expect((await call('GET', `/api/channels/${room}/messages`, lurker)).json().error.code).toBe('private_room');
    expect((await call('GET', `/api/channels/${room}/messages`, owner)).statusCode).toBe(200);
  });

  it('a Thrive Circle room cannot be made public', async () => {
    const admin = await createMember(db, `root_${++seq}`, { admin: true });
    const channel = await db.query<{ id: string }>(`INSERT INTO channels (kind) VALUES ('room') RETURNING id`);
    const circle = channel.rows[0]!.id;
    await db.query(
      `INSERT INTO rooms (id, slug, name, room_type, is_private) VALUES ($1, $2, 'Circle', 'circle', true)`,
      [circle, `c-${++seq}`],
    );
    const res = await call('PATCH', `/api/rooms/${circle}`, admin, { isPrivate: false });
    expect(res.statusCode).toBe(400);
    expect(res.json().error).toEqual({ code: 'circle_private', message: expect.stringMatching(/always private/) });
    expect((await db.query('SELECT is_private FROM rooms WHERE id = $1', [circle])).rows[0]).toEqual({
      is_private: true,
    });
  });
});
