import { randomUUID } from 'node:crypto';
import { pino } from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Database } from '../../sync-server/db/database.ts';
import type { UserRow } from '../../sync-server/features/users/users-repo.ts';
import { processIntent, type IntentDeps } from '../../sync-server/intents/process-intent.ts';
import { createFcmSender, type FcmSender } from '../../sync-server/push/fcm-sender.ts';
import { createWebPushSender, generateVapidKeys, type PushSender } from '../../sync-server/push/web-push-sender.ts';
import { pushDirectMessage } from '../../workers/handlers/push-direct-message.ts';
import { pushNotification } from '../../workers/handlers/push-notification.ts';
import { RetryLater } from '../../workers/job-queue.ts';
import {
  createMember,
  intentDeps,
  loungeRoomId,
  seededDatabase,
  sendIntent,
  unlimitedRateLimiter,
} from '../support/fixtures.ts';
import { startLocalFcm, type LocalFcm } from '../support/local-fcm.ts';
import { startLocalPushService, type LocalPushService } from '../support/local-push.ts';
import type { TestDatabase } from '../support/postgres.ts';
import { createTestApp, hostToken } from '../support/test-app.ts';

const APP = 'https://lounge.example.org';
const token = (name: string) => `${name}:APA91b${randomUUID().replaceAll('-', '')}`;

/**
 * Members' app devices (a native shell, a host page with Firebase's SDK) register their FCM token, and a
 * mention, a reply or a direct message reaches them through Firebase Cloud Messaging's HTTP v1 API, sent
 * by `firebase-admin` with a service account (its JWT traded for an access token) — here against a local
 * FCM that checks the signature and the token as Google does.
 */
describe('push to app devices through FCM (PostgreSQL + a local FCM)', () => {
  let fcm: LocalFcm;
  let browsers: LocalPushService;
  let testDb: TestDatabase;
  let db: Database;
  let deps: IntentDeps;
  let sender: FcmSender;
  let web: PushSender;
  let app: Awaited<ReturnType<typeof createTestApp>>;
  let general: string;
  let ada: UserRow;
  let eve: UserRow;
  let n = 1;

  const auth = async (u: UserRow) => ({ authorization: `Bearer ${await hostToken({ sub: u.host_user_id })}` });
  const act = async (u: UserRow, intent: Record<string, unknown>) => {
    const out = await processIntent(deps, u.id, randomUUID(), { n: n++, createdAt: Date.now(), ...intent });
    if (out.verdict.status !== 'accepted') throw new Error(JSON.stringify(out.verdict));
    return out.verdict;
  };
  const register = async (u: UserRow, body: unknown) =>
    app.inject({ method: 'PUT', url: '/api/me/devices', headers: await auth(u), payload: body as object });
  const notificationFor = async (user: UserRow, messageId: string) =>
    (
      await db.query<{ id: string }>('SELECT id FROM notifications WHERE user_id = $1 AND message_id = $2', [
        user.id,
        messageId,
      ])
    ).rows[0]!.id;
  const logger = pino({ level: 'silent' });
  const devicesOf = async (u: UserRow) =>
    (await db.query<{ token: string }>('SELECT token FROM device_tokens WHERE user_id = $1', [u.id])).rows.map(
      (r) => r.token,
    );

  beforeAll(async () => {
    fcm = await startLocalFcm();
    browsers = await startLocalPushService();
    ({ testDb, db } = await seededDatabase());
    deps = intentDeps(db, unlimitedRateLimiter);
    sender = createFcmSender(fcm.keyFile, fcm.route);
    web = createWebPushSender({ ...generateVapidKeys(), subject: 'mailto:ops@example.org' }, { ca: browsers.ca });
    app = await createTestApp(db, undefined, {
      appDevicePush: true,
      push: { sender: web, allowedHosts: [browsers.host] },
    });
    general = await loungeRoomId(db, 'general');
    ada = await createMember(db, 'fcm_ada');
    eve = await createMember(db, 'fcm_eve');
  });
  afterAll(async () => {
    await app?.close();
    await sender?.close();
    await db?.close();
    await testDb?.drop();
    await fcm?.close();
    await browsers?.close();
  });

  it("a mention reaches the member's phone and browser alike, once; the phone's notification opens the message", async () => {
    const phone = token('eve-android');
    expect((await register(eve, { token: phone, platform: 'android' })).statusCode).toBe(204);
    const browser = browsers.subscribe();
    const subscribed = await app.inject({
      method: 'PUT',
      url: '/api/me/push-subscriptions',
      headers: await auth(eve),
      payload: browser.json,
    });
    expect(subscribed.statusCode).toBe(204);

    const said = await act(ada, sendIntent(general, 'could you review **my PR**, @fcm_eve?'));
    const id = await notificationFor(eve, said.messageId!);
    const run = () => pushNotification({ db, push: { web, fcm: sender }, appUrl: APP, logger }, { notificationId: id });
    expect(await run()).toEqual({ sent: 2 });
    expect(fcm.messages).toHaveLength(1);
    expect(fcm.messages[0]).toEqual({
      project: 'lounge-test',
      message: {
        token: phone,
        notification: { title: 'fcm_ada mentioned you', body: 'In General Chat: could you review my PR, @fcm_eve?' },
        data: { url: `${APP}/lounge/general#message-${said.messageId}`, tag: `notification-${id}` },
        android: {
          priority: 'high',
          ttl: '3600s',
          collapse_key: `notification-${id}`,
          notification: { tag: `notification-${id}` },
        },
      },
    });
    expect(browsers.pushes).toHaveLength(1);
    // Claimed: running the job again pushes nothing more.
    expect(await run()).toEqual({ sent: 0 });
    expect(fcm.messages).toHaveLength(1);
    // One access token for the service account, reused.
    expect(fcm.tokensIssued).toBe(1);
  });

  it('an iPhone gets the collapse id; an uninstalled app (FCM: UNREGISTERED) is forgotten; with no device left, nothing', async () => {
    fcm.messages.length = 0;
    const max = await createMember(db, 'fcm_max');
    const iphone = token('max-ios');
    const old = `gone-${token('max-old')}`;
    await register(max, { token: old, platform: 'android' });
    await register(max, { token: iphone, platform: 'ios' });
    const said = await act(ada, sendIntent(general, 'ping @fcm_max'));
    const id = await notificationFor(max, said.messageId!);
    expect(await pushNotification({ db, push: { fcm: sender }, appUrl: APP, logger }, { notificationId: id })).toEqual({
      sent: 1,
    });
    expect(fcm.messages).toHaveLength(1);
    expect(fcm.messages[0]!.message).toMatchObject({
      token: iphone,
      apns: { headers: { 'apns-collapse-id': `notification-${id}`, 'apns-priority': '10' } },
    });
    expect(await devicesOf(max)).toEqual([iphone]);

    // Signing out of the app removes the device: the next mention is not pushed (and not claimed).
    const out = await app.inject({
      method: 'DELETE',
      url: '/api/me/devices',
      headers: await auth(max),
      payload: { token: iphone },
    });
    expect(out.statusCode).toBe(204);
    const next = await act(ada, sendIntent(general, 'again @fcm_max'));
    expect(
      await pushNotification(
        { db, push: { fcm: sender }, appUrl: APP, logger },
        { notificationId: await notificationFor(max, next.messageId!) },
      ),
    ).toEqual({ sent: 0 });
    expect(fcm.messages).toHaveLength(1);
  });

  it('a direct message reaches the other participant’s app, titled by its author, one notification per conversation', async () => {
    fcm.messages.length = 0;
    const zoe = await createMember(db, 'fcm_zoe');
    const zoePhone = token('zoe-android');
    await register(zoe, { token: zoePhone, platform: 'android' });
    const adaPhone = token('ada-android');
    await register(ada, { token: adaPhone, platform: 'android' });
    const dm = await act(ada, { kind: 'start_dm', participantIds: [zoe.id] });
    const said = await act(ada, sendIntent(dm.channelId!, 'are you coming tonight?'));
    expect(
      await pushDirectMessage({ db, push: { fcm: sender }, appUrl: APP, logger }, { messageId: said.messageId! }),
    ).toEqual({ sent: 1 });
    // Only Zoe's phone: never the author's own.
    expect(fcm.messages.map((m) => m.message.token)).toEqual([zoePhone]);
    expect(fcm.messages[0]!.message).toMatchObject({
      notification: { title: 'fcm_ada', body: 'are you coming tonight?' },
      data: { url: `${APP}/messages/${dm.channelId}`, tag: `dm-${dm.channelId}` },
      android: { collapse_key: `dm-${dm.channelId}` },
    });
  });

  it('with Layer 2 on, a push waits for its verdict: retried until judged; past the last attempt it goes without the words', async () => {
    fcm.messages.length = 0;
    const kim = await createMember(db, 'fcm_kim');
    await register(kim, { token: token('kim-android'), platform: 'android' });
    const said = await act(ada, sendIntent(general, 'meet at 5, @fcm_kim?'));
    const id = await notificationFor(kim, said.messageId!);
    const run = (lastAttempt: boolean) =>
      pushNotification(
        { db, push: { fcm: sender }, appUrl: APP, logger, layer2: { lastAttempt } },
        { notificationId: id },
      );
    // Not judged yet: the job asks to run again later, and nothing is pushed or claimed.
    await expect(run(false)).rejects.toBeInstanceOf(RetryLater);
    expect(fcm.messages).toHaveLength(0);
    // Judged (as the moderation job marks it): the push goes, words and all.
    await db.query('UPDATE messages SET ai_checked_at = now() WHERE id = $1', [said.messageId]);
    expect(await run(false)).toEqual({ sent: 1 });
    expect(fcm.messages[0]!.message.notification).toEqual({
      title: 'fcm_ada mentioned you',
      body: 'In General Chat: meet at 5, @fcm_kim?',
    });

    // Layer 2 down through every attempt: the last one pushes that something happened, not the words.
    const unjudged = await act(ada, sendIntent(general, 'unjudged words for @fcm_kim'));
    const late = await notificationFor(kim, unjudged.messageId!);
    expect(
      await pushNotification(
        { db, push: { fcm: sender }, appUrl: APP, logger, layer2: { lastAttempt: true } },
        { notificationId: late },
      ),
    ).toEqual({ sent: 1 });
    expect(fcm.messages[1]!.message.notification).toEqual({ title: 'fcm_ada mentioned you', body: 'In General Chat' });

    // A direct message waits the same way, then goes without its words on the last attempt.
    const dm = await act(ada, { kind: 'start_dm', participantIds: [kim.id] });
    const secret = await act(ada, sendIntent(dm.channelId!, 'words nobody judged yet'));
    const runDm = (lastAttempt: boolean) =>
      pushDirectMessage(
        { db, push: { fcm: sender }, appUrl: APP, logger, layer2: { lastAttempt } },
        { messageId: secret.messageId! },
      );
    await expect(runDm(false)).rejects.toBeInstanceOf(RetryLater);
    expect(await runDm(true)).toEqual({ sent: 1 });
    expect(fcm.messages[2]!.message.notification).toEqual({ title: 'fcm_ada', body: 'New message' });
  });

  it('registering: bad tokens and platforms are refused with a reason; a device signed in as someone else becomes theirs; 20 at most', async () => {
    const bad = await register(eve, { token: 'short', platform: 'android' });
    expect(bad.statusCode).toBe(400);
    const windows = await register(eve, { token: token('eve-win'), platform: 'windows' });
    expect(windows.statusCode).toBe(400);
    const extra = await register(eve, { token: token('eve-x'), platform: 'web', note: 'x' });
    expect(extra.statusCode).toBe(400);
    // Signing out with a malformed token (a NUL, found by the fuzz test) is a 400, not a server error.
    const badDelete = await app.inject({
      method: 'DELETE',
      url: '/api/me/devices',
      headers: await auth(eve),
      payload: { token: 'abc\u0000def-0123456789abcdef' },
    });
    expect(badDelete.statusCode).toBe(400);

    const shared = token('family-tablet');
    await register(eve, { token: shared, platform: 'android' });
    await register(ada, { token: shared, platform: 'android' });
    expect(await devicesOf(eve)).not.toContain(shared);
    expect(await devicesOf(ada)).toContain(shared);

    const bea = await createMember(db, 'fcm_bea');
    const tokens = Array.from({ length: 22 }, (_, i) => token(`bea-${i}`));
    for (const t of tokens) expect((await register(bea, { token: t, platform: 'web' })).statusCode).toBe(204);
    const kept = await devicesOf(bea);
    expect(kept).toHaveLength(20);
    // The newest registration is always kept.
    expect(kept).toContain(tokens.at(-1));
  });

  it('a server without a Firebase account refuses device registration with a reason', async () => {
    const plain = await createTestApp(db);
    try {
      const refused = await plain.inject({
        method: 'PUT',
        url: '/api/me/devices',
        headers: await auth(eve),
        payload: { token: token('eve-2'), platform: 'ios' },
      });
      expect(refused.statusCode).toBe(503);
      expect(refused.json()).toMatchObject({
        error: { message: 'This server does not send push notifications to apps.' },
      });
    } finally {
      await plain.close();
    }
  });
});
