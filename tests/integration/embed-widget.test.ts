import { randomUUID } from 'node:crypto';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Database } from '../../sync-server/db/database.ts';
import { createPgDatabase } from '../../sync-server/db/pg-database.ts';
import { processIntent } from '../../sync-server/intents/process-intent.ts';
import { intentDeps, sendIntent } from '../support/fixtures.ts';
import { createTestDatabase, type TestDatabase } from '../support/postgres.ts';
import { createTestApp, hostToken, testConfig } from '../support/test-app.ts';

type App = Awaited<ReturnType<typeof createTestApp>>;
const SECRET = 'integration-secret-for-embed-tests-0123456789';
const WIDGET_HTML = '<!doctype html><html><body><div id="widget-root"></div></body></html>';

describe('the embeddable widget’s routes (PostgreSQL)', () => {
  let testDb: TestDatabase;
  let db: Database;
  let app: App;
  let distDir: string;
  const ids: Record<string, string> = {};

  async function integration(url: string, payload: object) {
    const res = await app.inject({ method: 'PUT', url, payload, headers: { authorization: `Bearer ${SECRET}` } });
    expect(res.statusCode, `${url}: ${res.body}`).toBe(200);
    return res.json();
  }
  const as = async (hostUserId: string) => ({ authorization: `Bearer ${await hostToken({ sub: hostUserId })}` });
  const view = async (hostUserId: string, path: string) =>
    app.inject({ method: 'GET', url: `/api/embed/${path}`, headers: await as(hostUserId) });
  const joinFromWidget = async (hostUserId: string, path: string, payload: object = {}) =>
    app.inject({ method: 'POST', url: `/api/embed/${path}/join`, payload, headers: await as(hostUserId) });
  const membership = async (roomId: string, userId: string) =>
    (
      await db.query<{ role: string }>('SELECT role FROM room_memberships WHERE room_id = $1 AND user_id = $2', [
        roomId,
        userId,
      ])
    ).rows.map((r) => r.role);
  const membershipCount = async () =>
    (await db.query<{ n: number }>('SELECT count(*)::int AS n FROM room_memberships')).rows[0]!.n;

  beforeAll(async () => {
    testDb = await createTestDatabase();
    db = createPgDatabase(testDb.url);
    distDir = await mkdtemp(join(tmpdir(), 'lounge-widget-dist-'));
    await writeFile(join(distDir, 'widget.html'), WIDGET_HTML);
    app = await createTestApp(db, testConfig({ INTEGRATION_SECRET: SECRET, CLIENT_DIST_DIR: distDir }));
    for (const handle of ['owner', 'visitor', 'outsider', 'banned']) {
      ids[handle] = (
        await integration(`/api/integration/users/h-${handle}`, { handle: `w${handle}`, displayName: handle })
      ).user.id;
    }
    ids.project = (
      await integration('/api/integration/projects/p-open', { name: 'Open Zoo', ownerHostUserId: 'h-owner' })
    ).roomId;
    ids.secret = (
      await integration('/api/integration/projects/p-secret', {
        name: 'Stealth',
        ownerHostUserId: 'h-owner',
        isPrivate: true,
      })
    ).roomId;
    ids.archived = (
      await integration('/api/integration/projects/p-old', { name: 'Old', ownerHostUserId: 'h-owner', archived: true })
    ).roomId;
    ids.path = (await integration('/api/integration/learning-paths/lp-1', { name: 'Agents 101' })).roomId;
    await db.query(`INSERT INTO room_memberships (room_id, user_id, role) VALUES ($1, $2, 'banned')`, [
      ids.project,
      ids.banned,
    ]);
  });
  afterAll(async () => {
    await app.close();
    await db.close();
    await testDb.drop();
    await rm(distDir, { recursive: true, force: true });
  });

  it('serves the widget page to any host context address, with its content policy, and refuses bad addresses', async () => {
    const page = await app.inject({ method: 'GET', url: '/embed/project/p-open' });
    expect(page.statusCode).toBe(200);
    expect(page.headers['content-type']).toMatch(/^text\/html/);
    expect(page.body).toBe(WIDGET_HTML);
    expect(page.headers['content-security-policy']).toContain("connect-src 'self'");
    expect(page.headers['content-security-policy']).toContain("script-src 'self'");
    expect(page.headers['cache-control']).toBe('no-cache');
    // The page is the same for every id: whether the context exists is the API's answer, after sign-in.
    expect((await app.inject({ method: 'GET', url: '/embed/ask_me/someone' })).statusCode).toBe(200);

    for (const url of [
      '/embed/profile/p-open',
      '/embed/project/bad%20id',
      '/embed/project/-dash',
      '/embed/project/p?x',
    ]) {
      const res = await app.inject({ method: 'GET', url });
      if (url.endsWith('?x')) {
        expect(res.statusCode, url).toBe(200); // a query string is not part of the address
        continue;
      }
      expect(res.statusCode, url).toBe(400);
      expect(res.json()).toEqual({ error: { code: 'bad_request', message: expect.any(String) } });
    }
  });

  it('says so when the widget has not been built, instead of serving the app', async () => {
    const bare = await createTestApp(
      db,
      testConfig({ INTEGRATION_SECRET: SECRET, CLIENT_DIST_DIR: join(distDir, 'missing') }),
    );
    try {
      const res = await bare.inject({ method: 'GET', url: '/embed/project/p-open' });
      expect(res.statusCode).toBe(503);
      expect(res.json().error.code).toBe('widget_not_built');
    } finally {
      await bare.close();
    }
  });

  it('answers the viewer’s standing with the channel: a visitor of a public project reads and may join, the owner posts', async () => {
    const visitor = await view('h-visitor', 'project/p-open');
    expect(visitor.statusCode).toBe(200);
    expect(visitor.json()).toMatchObject({
      channelId: ids.project,
      kind: 'room',
      title: 'Open Zoo',
      canPost: false,
      postRefusal: 'Join this room to post.',
      canJoin: true,
      room: {
        id: ids.project,
        roomType: 'project',
        isPrivate: false,
        archived: false,
        readPermissionLevel: 'everyone',
      },
      thread: null,
      viewer: { userId: ids.visitor, role: null, isGlobalAdmin: false, mutedUntil: null },
    });
    const owner = await view('h-owner', 'project/p-open');
    expect(owner.json()).toMatchObject({ canPost: true, postRefusal: null, canJoin: false, viewer: { role: 'owner' } });
    // Everyone is already a member of a public Lounge room (a learning path's help room): nothing to join.
    expect((await view('h-visitor', 'learning_path/lp-1')).json()).toMatchObject({
      canPost: true,
      canJoin: false,
      viewer: { role: 'member' },
      room: { roomType: 'lounge', contextType: 'help', autoThread: true },
    });
  });

  it('a visitor joins a public project room from its widget, once, and can then post there', async () => {
    const refused = await processIntent(
      intentDeps(db),
      ids.visitor!,
      randomUUID(),
      sendIntent(ids.project!, 'before joining'),
    );
    expect(refused.verdict).toMatchObject({ status: 'rejected' });

    const joined = await joinFromWidget('h-visitor', 'project/p-open');
    expect(joined.statusCode, joined.body).toBe(200);
    expect(joined.json()).toMatchObject({
      canJoin: false,
      canPost: true,
      postRefusal: null,
      viewer: { role: 'member' },
    });
    expect(await membership(ids.project!, ids.visitor!)).toEqual(['member']);

    const before = await membershipCount();
    const again = await joinFromWidget('h-visitor', 'project/p-open');
    expect(again.statusCode).toBe(200);
    expect(again.json()).toMatchObject({ canPost: true, viewer: { role: 'member' } });
    expect(await membershipCount()).toBe(before);

    const posted = await processIntent(
      intentDeps(db),
      ids.visitor!,
      randomUUID(),
      sendIntent(ids.project!, 'after joining'),
    );
    expect(posted.verdict).toMatchObject({ status: 'accepted' });

    // The owner joining their own room changes nothing: they stay its owner.
    expect((await joinFromWidget('h-owner', 'project/p-open')).json()).toMatchObject({ viewer: { role: 'owner' } });
    expect(await membership(ids.project!, ids.owner!)).toEqual(['owner']);
  });

  it('refuses private, archived and banned-from rooms with the reason, and changes nothing', async () => {
    const before = await membershipCount();

    const secretView = await view('h-outsider', 'project/p-secret');
    expect(secretView.statusCode).toBe(403);
    expect(secretView.json().error).toEqual({
      code: 'private_room',
      message: 'This room is private: only its members can read it.',
    });
    const secretJoin = await joinFromWidget('h-outsider', 'project/p-secret');
    expect(secretJoin.statusCode).toBe(403);
    expect(secretJoin.json().error.code).toBe('private_room');

    const banned = await joinFromWidget('h-banned', 'project/p-open');
    expect(banned.statusCode).toBe(403);
    expect(banned.json().error).toEqual({ code: 'banned', message: 'You are banned from this room.' });
    expect(await membership(ids.project!, ids.banned!)).toEqual(['banned']);

    const archived = await joinFromWidget('h-outsider', 'project/p-old');
    expect(archived.statusCode).toBe(403);
    expect(archived.json().error.code).toBe('archived');
    expect((await view('h-outsider', 'project/p-old')).json()).toMatchObject({
      archived: true,
      canJoin: false,
      canPost: false,
    });

    // A public Lounge room needs no membership row: joining answers the view and writes nothing.
    const path = await joinFromWidget('h-outsider', 'learning_path/lp-1');
    expect(path.statusCode).toBe(200);
    expect(await membership(ids.path!, ids.outsider!)).toEqual([]);

    expect(await membershipCount()).toBe(before);
  });

  it('refuses missing tokens, unknown contexts and bad input', async () => {
    const before = await membershipCount();
    const anonymous = await app.inject({ method: 'POST', url: '/api/embed/project/p-open/join', payload: {} });
    expect(anonymous.statusCode).toBe(401);
    expect((await app.inject({ method: 'GET', url: '/api/embed/project/p-open' })).statusCode).toBe(401);
    const forged = await app.inject({
      method: 'POST',
      url: '/api/embed/project/p-open/join',
      payload: {},
      headers: {
        authorization: `Bearer ${await hostToken({ sub: 'h-outsider' }, { secret: 'another-secret-of-sufficient-length-000' })}`,
      },
    });
    expect(forged.statusCode).toBe(401);

    const unknown = await joinFromWidget('h-outsider', 'project/p-nowhere');
    expect(unknown.statusCode).toBe(404);
    expect(unknown.json().error.message).toBe('This project has no discussion yet.');
    expect((await joinFromWidget('h-outsider', 'profile/p-open')).statusCode).toBe(400);
    expect((await joinFromWidget('h-outsider', 'project/bad%20id')).statusCode).toBe(400);
    // Joining says nothing else: a role in the body is refused, not applied.
    const withRole = await joinFromWidget('h-outsider', 'project/p-open', { role: 'owner' });
    expect(withRole.statusCode).toBe(400);
    expect(withRole.json().error.message).toContain('"role"');
    expect(await membership(ids.project!, ids.outsider!)).toEqual([]);
    expect(await membershipCount()).toBe(before);
  });
});
