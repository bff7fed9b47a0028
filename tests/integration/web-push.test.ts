import { randomUUID } from 'node:crypto';
import { pino } from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Database } from '../../sync-server/db/database.ts';
import type { UserRow } from '../../sync-server/features/users/users-repo.ts';
import { processIntent, type IntentDeps } from '../../sync-server/intents/process-intent.ts';
import { createWebPushSender, generateVapidKeys, type PushSender } from '../../sync-server/push/web-push-sender.ts';
import { pushNotification } from '../../workers/handlers/push-notification.ts';
import { pushDirectMessage } from '../../workers/handlers/push-direct-message.ts';
import {
  createMember,
  intentDeps,
  loungeRoomId,
  seededDatabase,
  sendIntent,
  setRole,
  unlimitedRateLimiter,
} from '../support/fixtures.ts';
import { startLocalPushService, type LocalPushService } from '../support/local-push.ts';
import type { TestDatabase } from '../support/postgres.ts';
import { createTestApp, hostToken } from '../support/test-app.ts';

const APP = 'https://lounge.example.org';

/**
 * Web Push: a member's browsers subscribe, and a mention or a moderator's notice reaches them through
 * their push service — encrypted to the browser, VAPID-signed — even with no tab open.
 */
describe('web push (PostgreSQL + a local push service)', () => {
  let service: LocalPushService;
  let testDb: TestDatabase;
  let db: Database;
  let deps: IntentDeps;
  let sender: PushSender;
  let app: Awaited<ReturnType<typeof createTestApp>>;
  let general: string;
  let ada: UserRow;
  let eve: UserRow;
  let n = 1;

  const auth = async (u: UserRow) => ({ authorization: `Bearer ${await hostToken({ sub: u.host_user_id })}` });
  const act = async (u: UserRow, intent: Record<string, unknown>) => {
    const out = await processIntent(deps, u.id, randomUUID(), { n: n++, createdAt: Date.now(), ...intent });
    if (out.verdict.status !== 'accepted') throw new Error(JSON.stringify(out.verdict));
    return out;
  };
  const notificationFor = async (user: UserRow, messageId: string) =>
    (
      await db.query<{ id: string }>('SELECT id FROM notifications WHERE user_id = $1 AND message_id = $2', [
        user.id,
        messageId,
      ])
    ).rows[0]!.id;
  const run = (notificationId: string) =>
    pushNotification({ db, push: { web: sender }, appUrl: APP, logger: pino({ level: 'silent' }) }, { notificationId });
  const subscribe = async (u: UserRow, json: unknown) =>
    app.inject({ method: 'PUT', url: '/api/me/push-subscriptions', headers: await auth(u), payload: json as object });

  beforeAll(async () => {
    service = await startLocalPushService();
    ({ testDb, db } = await seededDatabase());
    deps = intentDeps(db, unlimitedRateLimiter);
    sender = createWebPushSender({ ...generateVapidKeys(), subject: 'mailto:ops@example.org' }, { ca: service.ca });
    app = await createTestApp(db, undefined, { push: { sender, allowedHosts: ['fcm.googleapis.com', service.host] } });
    general = await loungeRoomId(db, 'general');
    ada = await createMember(db, 'push_ada');
    eve = await createMember(db, 'push_eve');
  });
  afterAll(async () => {
    await app?.close();
    await db?.close();
    await testDb?.drop();
    await service?.close();
  });

  it('a browser subscribes with the server key; a mention reaches it, encrypted to it and VAPID-signed, once', async () => {
    const key = await app.inject({ method: 'GET', url: '/api/push/key', headers: await auth(eve) });
    expect(key.json()).toEqual({ publicKey: sender.publicKey });
    const browser = service.subscribe();
    expect((await subscribe(eve, browser.json)).statusCode).toBe(204);

    const out = await act(ada, sendIntent(general, 'can you look at this, @push_eve?'));
    const messageId = out.verdict.status === 'accepted' ? out.verdict.messageId! : '';
    const id = await notificationFor(eve, messageId);
    expect(await run(id)).toEqual({ sent: 1 });
    expect(service.pushes).toHaveLength(1);
    expect(service.pushes[0]).toMatchObject({
      payload: {
        title: 'push_ada mentioned you',
        body: 'In General Chat: can you look at this, @push_eve?',
        url: `${APP}/lounge/general#message-${messageId}`,
        tag: `notification-${id}`,
      },
      headers: { ttl: '3600', urgency: 'high', encoding: 'aes128gcm' },
    });
    expect(service.pushes[0]!.headers.authorization).toMatch(
      new RegExp(`^vapid t=[\\w-]+\\.[\\w-]+\\.[\\w-]+, k=${sender.publicKey}$`),
    );
    expect(await run(id)).toEqual({ sent: 0 });
    expect(service.pushes).toHaveLength(1);
  });

  it('read first, push turned off, or no browser: no push; a browser the service says is gone is forgotten', async () => {
    service.pushes.length = 0;
    const seen = await act(ada, sendIntent(general, 'quick one @push_eve'));
    if (seen.verdict.status !== 'accepted') throw new Error('refused');
    await act(eve, { kind: 'mark_read', channelId: general, seq: seen.verdict.seq });
    expect(await run(await notificationFor(eve, seen.verdict.messageId!))).toEqual({ sent: 0 });

    await db.query(
      `INSERT INTO user_settings (user_id, notify_push) VALUES ($1, false)
                    ON CONFLICT (user_id) DO UPDATE SET notify_push = false`,
      [eve.id],
    );
    const off = await act(ada, sendIntent(general, 'another @push_eve'));
    expect(
      await run(await notificationFor(eve, off.verdict.status === 'accepted' ? off.verdict.messageId! : '')),
    ).toEqual({ sent: 0 });
    expect(service.pushes).toHaveLength(0);

    const max = await createMember(db, 'push_max');
    const gone = service.subscribe({ gone: true });
    await subscribe(max, gone.json);
    const toMax = await act(ada, sendIntent(general, 'hello @push_max'));
    expect(
      await run(await notificationFor(max, toMax.verdict.status === 'accepted' ? toMax.verdict.messageId! : '')),
    ).toEqual({ sent: 0 });
    expect((await db.query('SELECT 1 FROM push_subscriptions WHERE user_id = $1', [max.id])).rows).toHaveLength(0);
  });

  it("a moderator's notice is pushed in words; subscriptions only go to known push services", async () => {
    service.pushes.length = 0;
    const mod = await createMember(db, 'push_mod');
    await setRole(db, general, mod.id, 'moderator');
    const sam = await createMember(db, 'push_sam');
    const samBrowser = service.subscribe();
    await subscribe(sam, samBrowser.json);
    const out = await act(mod, {
      kind: 'moderate_member',
      roomId: general,
      userId: sam.id,
      action: 'warn',
      reason: 'Be kind',
    });
    const entry = out.inbox.find((e) => e.map === 'notifications' && e.userId === sam.id)!;
    expect(await run(entry.key)).toEqual({ sent: 1 });
    expect(service.pushes[0]!.payload).toMatchObject({
      title: 'A moderator warned you',
      body: 'In General Chat: Be kind',
    });

    const elsewhere = await subscribe(sam, {
      endpoint: 'https://intranet.example.com/hook',
      keys: service.subscribe().json.keys,
    });
    expect(elsewhere.statusCode).toBe(400);
    expect(elsewhere.json()).toMatchObject({
      error: { message: 'Lounge does not send pushes to intranet.example.com.' },
    });
    const removed = await app.inject({
      method: 'DELETE',
      url: '/api/me/push-subscriptions',
      headers: await auth(sam),
      payload: { endpoint: samBrowser.json.endpoint },
    });
    expect(removed.statusCode).toBe(204);
    expect((await db.query('SELECT 1 FROM push_subscriptions WHERE user_id = $1', [sam.id])).rows).toHaveLength(0);
  });

  it('a direct message is pushed to the other participant (one notification per conversation), unless read or muted', async () => {
    service.pushes.length = 0;
    const zoe = await createMember(db, 'push_zoe');
    await subscribe(zoe, service.subscribe().json);
    const dm = await act(ada, { kind: 'start_dm', participantIds: [zoe.id] });
    const dmId = dm.verdict.status === 'accepted' ? dm.verdict.channelId! : '';
    const said = await act(ada, sendIntent(dmId, 'are you coming tonight?'));
    const runDm = (messageId: string) =>
      pushDirectMessage({ db, push: { web: sender }, appUrl: APP, logger: pino({ level: 'silent' }) }, { messageId });
    const messageId = said.verdict.status === 'accepted' ? said.verdict.messageId! : '';
    expect(await runDm(messageId)).toEqual({ sent: 1 });
    expect(service.pushes[0]!.payload).toEqual({
      title: 'push_ada',
      body: 'are you coming tonight?',
      url: `${APP}/messages/${dmId}`,
      tag: `dm-${dmId}`,
    });
    // Zoe read the conversation: the same message pushes nothing more.
    await act(zoe, {
      kind: 'mark_read',
      channelId: dmId,
      seq: said.verdict.status === 'accepted' ? said.verdict.seq : 0,
    });
    expect(await runDm(messageId)).toEqual({ sent: 0 });
    // Zoe muted Ada: her next message is not pushed either.
    await db.query('INSERT INTO user_mutes (muter_id, muted_id) VALUES ($1, $2)', [zoe.id, ada.id]);
    const later = await act(ada, sendIntent(dmId, 'hello?'));
    expect(await runDm(later.verdict.status === 'accepted' ? later.verdict.messageId! : '')).toEqual({ sent: 0 });
    expect(service.pushes).toHaveLength(1);
  });

  it('the sync service hands over new direct messages only (not room messages, edits or reactions)', async () => {
    const handed: string[] = [];
    const node = await createTestApp(db, undefined, {
      sync: { onDirectMessages: async (ids) => void handed.push(...ids) },
    });
    try {
      const kim = await createMember(db, 'push_kim');
      const start = await node.deps.sync.runIntent(ada.id, {
        kind: 'start_dm',
        participantIds: [kim.id],
        n: 1,
        createdAt: Date.now(),
      });
      const dmId = start.verdict.status === 'accepted' ? start.verdict.channelId! : '';
      const inDm = await node.deps.sync.runIntent(ada.id, { ...sendIntent(dmId, 'psst'), n: 2 });
      await node.deps.sync.runIntent(ada.id, { ...sendIntent(general, 'hello room'), n: 3 });
      const dmMessage = inDm.verdict.status === 'accepted' ? inDm.verdict.messageId! : '';
      await node.deps.sync.runIntent(ada.id, {
        kind: 'edit',
        messageId: dmMessage,
        body: 'psst!',
        n: 4,
        createdAt: Date.now(),
      });
      await node.deps.sync.runIntent(kim.id, {
        kind: 'react',
        messageId: dmMessage,
        emoji: '👍',
        n: 5,
        createdAt: Date.now(),
      });
      expect(handed).toEqual([dmMessage]);
    } finally {
      await node.close();
    }
  });
});
