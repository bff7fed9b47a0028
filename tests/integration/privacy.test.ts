import { randomUUID } from 'node:crypto';
import { unzipSync } from 'fflate';
import { pino } from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { LIMITS } from '../../shared/rules/limits.ts';
import type { AttachmentStore } from '../../sync-server/attachments/attachment-store.ts';
import type { Database } from '../../sync-server/db/database.ts';
import { createPgDatabase } from '../../sync-server/db/pg-database.ts';
import type { UserRow } from '../../sync-server/features/users/users-repo.ts';
import { processIntent, type IntentDeps } from '../../sync-server/intents/process-intent.ts';
import { InProcessQueue } from '../../workers/in-process-queue.ts';
import { createJobHandlers } from '../../workers/job-handlers.ts';
import { expireDataExports } from '../../workers/handlers/expire-data-exports.ts';
import { purgeDeletedWords } from '../../workers/handlers/purge-deleted-words.ts';
import {
  createMember,
  intentDeps,
  loungeRoomId,
  sendIntent,
  setRole,
  unlimitedRateLimiter,
} from '../support/fixtures.ts';
import { solidPng } from '../support/png.ts';
import { createTestDatabase, type TestDatabase } from '../support/postgres.ts';
import { startSyncNode, type SyncNode } from '../support/sync-node.ts';
import { TestDevice, waitFor } from '../support/sync-test-client.ts';
import { createTestApp, hostToken, scratchAttachmentStore, testConfig } from '../support/test-app.ts';

interface ExportView {
  id: string;
  status: string;
  size: number | null;
  expiresAt: string | null;
}

/**
 * GDPR: a member downloads everything Lounge holds about them, and deletes their account — their
 * messages stay in the conversations under "Deleted user", everything else about them goes, and their
 * devices are signed out.
 */
describe('privacy: data export and account deletion (PostgreSQL)', () => {
  let testDb: TestDatabase;
  let db: Database;
  let store: AttachmentStore;
  let queue: InProcessQueue;
  let node: SyncNode;
  let deps: IntentDeps;
  let general: string;
  let ada: UserRow;
  let bob: UserRow;
  let n = 1;
  const devices: TestDevice[] = [];

  const auth = async (u: UserRow) => ({
    authorization: `Bearer ${await hostToken({ sub: u.host_user_id, handle: u.handle, name: u.display_name })}`,
  });
  const act = async (u: UserRow, intent: Record<string, unknown>) => {
    const out = await processIntent(deps, u.id, randomUUID(), { n: n++, createdAt: Date.now(), ...intent });
    expect(out.verdict.status, JSON.stringify(out.verdict)).toBe('accepted');
    return out.verdict.status === 'accepted' ? out.verdict : undefined;
  };
  const exportsOf = async (u: UserRow) =>
    (await node.app.inject({ method: 'GET', url: '/api/me/exports', headers: await auth(u) })).json<{
      exports: ExportView[];
    }>().exports;

  beforeAll(async () => {
    testDb = await createTestDatabase();
    db = createPgDatabase(testDb.url);
    store = scratchAttachmentStore();
    queue = new InProcessQueue(
      createJobHandlers({ db, attachments: store, onChanges: async () => {} }),
      pino({ level: 'silent' }),
      {
        concurrency: 1,
        retry: { attempts: 2, backoffMs: 50 },
      },
    );
    node = await startSyncNode(db, { attachments: store, jobs: queue });
    deps = intentDeps(db, unlimitedRateLimiter);
    general = await loungeRoomId(db, 'general');
    ada = await createMember(db, 'gdpr_ada');
    bob = await createMember(db, 'gdpr_bob');
  });
  afterAll(async () => {
    for (const d of devices) d.stop();
    await queue?.close();
    await node?.close();
    await db?.close();
    await testDb?.drop();
  });

  it('an export holds everything of the member — messages (with earlier versions), DMs, reactions, notifications, relations, files — and only theirs', async () => {
    const first = await act(ada, sendIntent(general, 'my first words'));
    await act(ada, { kind: 'edit', messageId: first!.messageId, body: 'my first words, corrected' });
    await act(bob, sendIntent(general, 'hello @gdpr_ada'));
    // A moderator warns her: her export says so, as the app does, without naming the moderator.
    const mod = await createMember(db, 'gdpr_mod');
    await setRole(db, general, mod.id, 'moderator');
    await act(mod, { kind: 'moderate_member', roomId: general, userId: ada.id, action: 'warn', reason: 'Be kind' });
    await act(ada, { kind: 'react', messageId: first!.messageId, emoji: '🎉' });
    const dm = await act(ada, { kind: 'start_dm', participantIds: [bob.id] });
    await act(ada, sendIntent(dm!.channelId!, 'a private word for Bob'));
    const png = solidPng(30, 20);
    const upload = await node.app.inject({
      method: 'POST',
      url: '/api/attachments?name=desk.png',
      headers: { ...(await auth(ada)), 'content-type': 'application/octet-stream' },
      payload: png,
    });
    const file = upload.json<{ id: string }>();
    await act(ada, sendIntent(general, 'my desk', { attachmentIds: [file.id] }));
    await db.query('INSERT INTO user_blocks (blocker_id, blocked_id) VALUES ($1, $2)', [ada.id, bob.id]);
    await db.query(
      `INSERT INTO user_settings (user_id, email) VALUES ($1, 'ada@example.com') ON CONFLICT (user_id) DO UPDATE SET email = EXCLUDED.email`,
      [ada.id],
    );
    await db.query(
      `INSERT INTO push_subscriptions (user_id, endpoint, p256dh, auth) VALUES ($1, 'https://fcm.googleapis.com/fcm/send/ada', 'k', 'a')`,
      [ada.id],
    );

    const asked = await node.app.inject({ method: 'POST', url: '/api/me/exports', headers: await auth(ada) });
    expect(asked.statusCode, asked.body).toBe(202);
    const { id } = asked.json<ExportView>();
    const done = await waitFor('the export ready', async () =>
      (await exportsOf(ada)).find((e) => e.id === id && e.status === 'done'),
    );
    expect(done.size).toBeGreaterThan(png.length);
    expect(Date.parse(done.expiresAt!) - Date.now()).toBeGreaterThan((LIMITS.exports.keptDays - 1) * 86_400_000);

    // One at a time: while a member's export is being prepared, asking again is refused in words.
    await db.query(`INSERT INTO data_exports (user_id, status) VALUES ($1, 'running')`, [bob.id]);
    const twice = await node.app.inject({ method: 'POST', url: '/api/me/exports', headers: await auth(bob) });
    expect(twice.statusCode).toBe(409);
    expect(twice.json()).toMatchObject({ error: { code: 'export_running' } });
    await db.query(`DELETE FROM data_exports WHERE user_id = $1`, [bob.id]);

    // Bob cannot fetch Ada's archive.
    const asBob = await node.app.inject({
      method: 'GET',
      url: `/api/me/exports/${id}/download`,
      headers: await auth(bob),
    });
    expect(asBob.statusCode).toBe(404);
    const res = await node.app.inject({
      method: 'GET',
      url: `/api/me/exports/${id}/download`,
      headers: await auth(ada),
    });
    expect(res.statusCode).toBe(200);
    expect(res.headers['content-type']).toBe('application/zip');
    expect(res.headers['content-disposition']).toMatch(
      /^attachment; filename="lounge-data-gdpr_ada-\d{4}-\d\d-\d\d\.zip"$/,
    );
    const zip = unzipSync(new Uint8Array(res.rawPayload));
    expect(Object.keys(zip).sort()).toEqual([
      'lounge-export/README.txt',
      'lounge-export/data.json',
      `lounge-export/files/${file.id}/desk.png`,
    ]);
    expect(Buffer.from(zip[`lounge-export/files/${file.id}/desk.png`]!).equals(png)).toBe(true);
    const data = JSON.parse(new TextDecoder().decode(zip['lounge-export/data.json'])) as Record<string, unknown>;
    expect(data).toMatchObject({
      format: 'lounge-export/1',
      account: { id: ada.id, handle: 'gdpr_ada' },
      settings: { email: 'ada@example.com' },
      directMessages: [{ with: ['gdpr_bob'] }],
      earlierVersionsOfYourMessages: [{ messageId: first!.messageId, body: 'my first words' }],
      reactions: [{ messageId: first!.messageId, emoji: '🎉' }],
      notifications: [
        { kind: 'mention', from: 'gdpr_bob' },
        { kind: 'moderation', from: null, payload: { action: 'warn', reason: 'Be kind' } },
      ],
      blocked: [{ handle: 'gdpr_bob' }],
      files: [{ id: file.id, name: 'desk.png', type: 'image/png', inThisExport: `files/${file.id}/desk.png` }],
      browsersForPush: [{ pushService: 'https://fcm.googleapis.com/fcm/send/ada' }],
    });
    const messages = data.messages as Array<{ body: string; in: string; where: string | null }>;
    expect(messages.map((m) => [m.in, m.body])).toEqual([
      ['room', 'my first words, corrected'],
      ['direct message', 'a private word for Bob'],
      ['room', 'my desk'],
    ]);
    expect(messages[0]!.where).toBe('General Chat');
    // Nothing of Bob's words is in Ada's export, and nothing names the moderator who warned her.
    expect(JSON.stringify(data)).not.toContain('hello @gdpr_ada');
    expect(JSON.stringify(data)).not.toContain('gdpr_mod');
    expect(JSON.stringify(data)).not.toContain(mod.id);
  });

  it(`at most ${LIMITS.exports.perDay} exports a day; a week later an export is gone`, async () => {
    const carl = await createMember(db, 'gdpr_carl');
    for (let i = 0; i < LIMITS.exports.perDay; i++) {
      const res = await node.app.inject({ method: 'POST', url: '/api/me/exports', headers: await auth(carl) });
      expect(res.statusCode, res.body).toBe(202);
      await waitFor('ready', async () => (await exportsOf(carl)).every((e) => e.status === 'done'));
    }
    const more = await node.app.inject({ method: 'POST', url: '/api/me/exports', headers: await auth(carl) });
    expect(more.statusCode).toBe(429);
    expect(more.json<{ error: { message: string } }>().error.message).toMatch(/3 exports a day/);

    const keys = (
      await db.query<{ object_key: string }>('SELECT object_key FROM data_exports WHERE user_id = $1', [carl.id])
    ).rows;
    const later = () => new Date(Date.now() + (LIMITS.exports.keptDays + 1) * 86_400_000);
    const { expired } = await expireDataExports({ db, store, logger: pino({ level: 'silent' }), now: later }, {});
    expect(expired).toBeGreaterThanOrEqual(LIMITS.exports.perDay);
    for (const { object_key } of keys) expect(await store.get(object_key)).toBeNull();
    expect(await exportsOf(carl)).toEqual([]);
  });

  it(`a deleted message's words (and earlier versions) are erased ${LIMITS.privacy.deletedWordsKeptDays} days after its deletion; until then only moderators could read them`, async () => {
    const pia = await createMember(db, 'gdpr_pia');
    const old = await act(pia, sendIntent(general, 'my phone number is 555-0100'));
    await act(pia, { kind: 'edit', messageId: old!.messageId, body: 'call me, number in DM' });
    await act(pia, { kind: 'delete', messageId: old!.messageId });
    const recent = await act(pia, sendIntent(general, 'deleted only yesterday'));
    await act(pia, { kind: 'delete', messageId: recent!.messageId });
    const kept = await act(pia, sendIntent(general, 'still here'));
    await db.query(`UPDATE messages SET deleted_at = now() - interval '31 days' WHERE id = $1`, [old!.messageId]);
    await db.query(`UPDATE messages SET deleted_at = now() - interval '1 day' WHERE id = $1`, [recent!.messageId]);

    const result = await purgeDeletedWords({ db, logger: pino({ level: 'silent' }) }, {});
    expect(result.purged).toBeGreaterThanOrEqual(1);
    const bodies = async () =>
      new Map(
        (
          await db.query<{ id: string; body: string }>('SELECT id, body FROM messages WHERE id = ANY($1::uuid[])', [
            [old!.messageId, recent!.messageId, kept!.messageId],
          ])
        ).rows.map((r) => [r.id, r.body]),
      );
    expect(await bodies()).toEqual(
      new Map([
        [old!.messageId!, ''],
        [recent!.messageId!, 'deleted only yesterday'],
        [kept!.messageId!, 'still here'],
      ]),
    );
    const edits = await db.query('SELECT 1 FROM message_edits WHERE message_id = $1', [old!.messageId]);
    expect(edits.rows).toHaveLength(0);
    // Search finds nothing of it any more.
    const found = await db.query(
      `SELECT 1 FROM messages WHERE id = $1 AND search_vector @@ plainto_tsquery('english', 'phone number')`,
      [old!.messageId],
    );
    expect(found.rows).toHaveLength(0);
    // Nothing left to do: a second run erases nothing.
    expect((await purgeDeletedWords({ db, logger: pino({ level: 'silent' }) }, {})).purged).toBe(0);
  });

  it('deleting the account keeps the conversation, under "Deleted user", erases the rest, and signs the member out everywhere', async () => {
    const dee = await createMember(db, 'gdpr_dee');
    const said = await act(dee, sendIntent(general, 'I was here'));
    const dm = await act(dee, { kind: 'start_dm', participantIds: [bob.id] });
    await act(dee, sendIntent(dm!.channelId!, 'see you, Bob'));
    await act(bob, sendIntent(general, 'thanks @gdpr_dee'));
    await db.query('INSERT INTO user_mutes (muter_id, muted_id) VALUES ($1, $2)', [dee.id, bob.id]);
    await db.query(
      `INSERT INTO push_subscriptions (user_id, endpoint, p256dh, auth) VALUES ($1, 'https://fcm.googleapis.com/fcm/send/dee', 'k', 'a')`,
      [dee.id],
    );
    await db.query(`INSERT INTO device_tokens (user_id, token, platform) VALUES ($1, 'dee-phone-token', 'android')`, [
      dee.id,
    ]);
    await db.query(
      `INSERT INTO user_settings (user_id, phone_e164) VALUES ($1, '+15551234567') ON CONFLICT (user_id) DO UPDATE SET phone_e164 = EXCLUDED.phone_e164`,
      [dee.id],
    );
    const unsent = await node.app.inject({
      method: 'POST',
      url: '/api/attachments?name=draft.png',
      headers: { ...(await auth(dee)), 'content-type': 'application/octet-stream' },
      payload: solidPng(4, 4),
    });
    const unsentId = unsent.json<{ id: string }>().id;
    await node.app.inject({ method: 'POST', url: '/api/me/exports', headers: await auth(dee) });
    await waitFor('ready', async () => (await exportsOf(dee)).every((e) => e.status === 'done'));
    const archive = (
      await db.query<{ object_key: string }>('SELECT object_key FROM data_exports WHERE user_id = $1', [dee.id])
    ).rows[0]!.object_key;
    const device = new TestDevice(dee.id, node.baseUrl, node.tokenFor(dee.host_user_id)).start();
    devices.push(device);
    await device.openChannel(general);

    const wrong = await node.app.inject({
      method: 'DELETE',
      url: '/api/me',
      headers: await auth(dee),
      payload: { confirmHandle: 'someone' },
    });
    expect(wrong.statusCode).toBe(400);
    expect(wrong.json<{ error: { message: string } }>().error.message).toBe('Type your handle, gdpr_dee, to confirm.');
    expect((await db.query('SELECT 1 FROM users WHERE id = $1 AND anonymized_at IS NULL', [dee.id])).rows).toHaveLength(
      1,
    );

    const res = await node.app.inject({
      method: 'DELETE',
      url: '/api/me',
      headers: await auth(dee),
      payload: { confirmHandle: '@GDPR_dee' },
    });
    expect(res.statusCode, res.body).toBe(200);

    // Her device is told, and loses what it had open.
    await waitFor('the device told', () => device.notices.some((x) => x.code === 'account_deleted'));

    // The conversation keeps her words, under "Deleted user".
    const user = await node.app.inject({ method: 'GET', url: `/api/users/${dee.id}`, headers: await auth(bob) });
    expect(user.json()).toMatchObject({
      user: { id: dee.id, displayName: 'Deleted user', handle: null, deleted: true },
    });
    const page = await node.app.inject({
      method: 'GET',
      url: `/api/channels/${general}/messages?limit=20`,
      headers: await auth(bob),
    });
    const kept = page
      .json<{ messages: Array<{ id: string; authorId: string; body: string }> }>()
      .messages.find((m) => m.id === said!.messageId);
    expect(kept).toMatchObject({ authorId: dee.id, body: 'I was here' });
    const dmPage = await node.app.inject({
      method: 'GET',
      url: `/api/channels/${dm!.channelId}/messages`,
      headers: await auth(bob),
    });
    expect(dmPage.json<{ messages: Array<{ body: string }> }>().messages.map((m) => m.body)).toContain('see you, Bob');

    // Everything else about her is gone.
    const row = (
      await db.query<{ handle: string; display_name: string; host_user_id: string; avatar_url: string | null }>(
        'SELECT handle, display_name, host_user_id, avatar_url FROM users WHERE id = $1',
        [dee.id],
      )
    ).rows[0]!;
    expect(row.handle).toMatch(/^deleted_[0-9a-f]{12}$/);
    expect(row.display_name).toBe('Deleted user');
    expect(row.host_user_id).toBe(`deleted:${dee.id}`);
    const count = async (sql: string) => Number((await db.query<{ n: string }>(sql, [dee.id])).rows[0]!.n);
    expect(await count('SELECT count(*) AS n FROM user_settings WHERE user_id = $1')).toBe(0);
    expect(await count('SELECT count(*) AS n FROM user_mutes WHERE muter_id = $1')).toBe(0);
    // No push reaches their browsers or phones again: the subscriptions and tokens are gone, not just unused.
    expect(await count('SELECT count(*) AS n FROM push_subscriptions WHERE user_id = $1')).toBe(0);
    expect(await count('SELECT count(*) AS n FROM device_tokens WHERE user_id = $1')).toBe(0);
    expect(await count('SELECT count(*) AS n FROM room_memberships WHERE user_id = $1')).toBe(0);
    expect(await count('SELECT count(*) AS n FROM notifications WHERE user_id = $1')).toBe(0);
    expect(await count('SELECT count(*) AS n FROM read_markers WHERE user_id = $1')).toBe(0);
    expect(await count('SELECT count(*) AS n FROM client_intents WHERE user_id = $1')).toBe(0);
    expect(await count('SELECT count(*) AS n FROM data_exports WHERE user_id = $1')).toBe(0);
    expect(await count(`SELECT count(*) AS n FROM dm_participants WHERE user_id = $1 AND left_at IS NULL`)).toBe(0);
    expect(
      await count(`SELECT count(*) AS n FROM doc_snapshots WHERE doc_name IN ('private.' || $1, 'inbox.' || $1)`),
    ).toBe(0);
    expect(await store.get(archive)).toBeNull();
    expect(
      (await db.query('SELECT 1 FROM attachments WHERE id = $1 AND removed_at IS NOT NULL', [unsentId])).rows,
    ).toHaveLength(1);
    // Her handle is free again, and the host account is no longer hers: signing in again is a new member.
    const again = await node.app.inject({ method: 'GET', url: '/api/me/settings', headers: await auth(dee) });
    expect(again.statusCode).toBe(200);
    const fresh = (await db.query<{ id: string }>(`SELECT id FROM users WHERE host_user_id = $1`, [dee.host_user_id]))
      .rows[0]!;
    expect(fresh.id).not.toBe(dee.id);
    // A second deletion of the same (already anonymized) account changes nothing.
    expect(
      (await db.query('SELECT 1 FROM users WHERE id = $1 AND anonymized_at IS NOT NULL', [dee.id])).rows,
    ).toHaveLength(1);
  });
});

/** The host platform deletes an account: Lounge deletes the member the same way, once. */
describe('privacy: the host platform deletes an account (PostgreSQL)', () => {
  const SECRET = 'integration-secret-for-the-privacy-test-0123456789';
  let testDb: TestDatabase;
  let db: Database;
  let app: Awaited<ReturnType<typeof createTestApp>>;

  beforeAll(async () => {
    testDb = await createTestDatabase();
    db = createPgDatabase(testDb.url);
    app = await createTestApp(db, testConfig({ INTEGRATION_SECRET: SECRET }));
  });
  afterAll(async () => {
    await app?.close();
    await db?.close();
    await testDb?.drop();
  });

  it('DELETE /api/integration/users/:hostUserId anonymizes the member, keeps their words, and is idempotent', async () => {
    const deps = intentDeps(db, unlimitedRateLimiter);
    const general = await loungeRoomId(db, 'general');
    const hal = await createMember(db, 'gdpr_hal');
    const said = await processIntent(deps, hal.id, randomUUID(), { ...sendIntent(general, 'bye from Hal'), n: 1 });
    const del = (secret: string) =>
      app.inject({
        method: 'DELETE',
        url: `/api/integration/users/${encodeURIComponent(hal.host_user_id)}`,
        headers: { authorization: `Bearer ${secret}` },
      });
    expect((await del('wrong-secret')).statusCode).toBe(401);
    expect((await db.query('SELECT 1 FROM users WHERE id = $1 AND anonymized_at IS NULL', [hal.id])).rows).toHaveLength(
      1,
    );

    const res = await del(SECRET);
    expect(res.statusCode, res.body).toBe(200);
    expect(res.json()).toEqual({ deleted: true });
    const row = (
      await db.query<{ display_name: string; anonymized: boolean }>(
        'SELECT display_name, anonymized_at IS NOT NULL AS anonymized FROM users WHERE id = $1',
        [hal.id],
      )
    ).rows[0]!;
    expect(row).toEqual({ display_name: 'Deleted user', anonymized: true });
    const kept = await db.query<{ body: string; author_id: string }>(
      'SELECT body, author_id FROM messages WHERE id = $1',
      [said.verdict.status === 'accepted' ? said.verdict.messageId : ''],
    );
    expect(kept.rows).toEqual([{ body: 'bye from Hal', author_id: hal.id }]);
    expect((await del(SECRET)).json()).toEqual({ deleted: false });
  });
});
