import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Database } from '../../sync-server/db/database.ts';
import { createPgDatabase } from '../../sync-server/db/pg-database.ts';
import type { UserRow } from '../../sync-server/features/users/users-repo.ts';
import { createMember, loungeRoomId, setRole } from '../support/fixtures.ts';
import { createTestDatabase, type TestDatabase } from '../support/postgres.ts';
import { createTestApp, hostToken } from '../support/test-app.ts';

describe("a member's standing in a room, and granting room roles", () => {
  let testDb: TestDatabase;
  let db: Database;
  let app: Awaited<ReturnType<typeof createTestApp>>;
  let general: string;
  const auth = async (m: UserRow) => ({ authorization: `Bearer ${await hostToken({ sub: m.host_user_id })}` });

  beforeAll(async () => {
    testDb = await createTestDatabase();
    db = createPgDatabase(testDb.url);
    app = await createTestApp(db);
    general = await loungeRoomId(db, 'general');
  });
  afterAll(async () => {
    await app.close();
    await db.close();
    await testDb.drop();
  });

  it('tells a new member what they may do, with the reasons for what they may not', async () => {
    const newbie = await createMember(db, 'standing-new', { daysAgo: 0, messagesSent: 0 });
    const res = await app.inject({ method: 'GET', url: `/api/rooms/${general}/me`, headers: await auth(newbie) });
    expect(res.statusCode).toBe(200);
    const body = res.json();
    expect(body).toMatchObject({ role: null, implicitMember: true, trustLevel: 'new', mutedUntil: null });
    expect(body.can.post_message).toEqual({ allowed: true });
    expect(body.can.post_link).toMatchObject({ allowed: false, reason: expect.stringMatching(/10 messages .* 3 days/) });
    expect(body.can.hide_message.allowed).toBe(false);
  });

  it('a muted member sees the mute and its end', async () => {
    const muted = await createMember(db, 'standing-muted');
    const until = new Date(Date.now() + 20 * 60_000);
    await setRole(db, general, muted.id, 'member', until);
    const body = (await app.inject({ method: 'GET', url: `/api/rooms/${general}/me`, headers: await auth(muted) })).json();
    expect(body.mutedUntil).toBe(until.toISOString());
    expect(body.can.post_message).toMatchObject({ allowed: false, code: 'muted' });
  });

  it('a room admin grants moderator; a moderator cannot grant; nobody grants at or above themselves', async () => {
    const [admin, mod, member, other] = (await Promise.all(['r-admin', 'r-mod', 'r-member', 'r-other'].map((h) => createMember(db, h)))) as [
      UserRow,
      UserRow,
      UserRow,
      UserRow,
    ];
    await setRole(db, general, admin.id, 'admin');
    await setRole(db, general, mod.id, 'moderator');
    const grant = async (actor: UserRow, subject: UserRow, role: string) =>
      app.inject({ method: 'PUT', url: `/api/rooms/${general}/members/${subject.id}/role`, headers: await auth(actor), payload: { role } });
    expect((await grant(admin, member, 'moderator')).statusCode).toBe(200);
    const after = (await app.inject({ method: 'GET', url: `/api/rooms/${general}/me`, headers: await auth(member) })).json();
    expect(after).toMatchObject({ role: 'moderator', can: { hide_message: { allowed: true } } });
    const byMod = await grant(mod, other, 'trusted');
    expect(byMod.statusCode).toBe(403);
    expect(byMod.json().error.message.length).toBeGreaterThan(10);
    expect((await grant(admin, other, 'admin')).statusCode).toBe(403);
    expect((await grant(admin, other, 'owner')).statusCode).toBe(403);
    const bad = await grant(admin, other, 'banned');
    expect(bad.statusCode).toBe(400);
    const role = await db.query('SELECT role FROM room_memberships WHERE room_id = $1 AND user_id = $2', [general, other.id]);
    expect(role.rows).toEqual([]);
  });
});
