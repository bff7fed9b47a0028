import { randomUUID } from 'node:crypto';
import { pino } from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Database } from '../../sync-server/db/database.ts';
import { createSesEmailSender, type EmailSender } from '../../sync-server/email/email-sender.ts';
import type { UserRow } from '../../sync-server/features/users/users-repo.ts';
import { processIntent, type IntentDeps } from '../../sync-server/intents/process-intent.ts';
import { emailNotifications } from '../../workers/handlers/email-notifications.ts';
import { emailDigests } from '../../workers/handlers/email-digests.ts';
import {
  createMember,
  intentDeps,
  loungeRoomId,
  seededDatabase,
  sendIntent,
  setRole,
  unlimitedRateLimiter,
} from '../support/fixtures.ts';
import { startLocalSes, type LocalSes } from '../support/local-ses.ts';
import type { TestDatabase } from '../support/postgres.ts';
import { startServer, type ServerProcess } from '../support/server-process.ts';
import { TestDevice, waitFor } from '../support/sync-test-client.ts';

const APP = 'https://lounge.example.org';
const FROM = 'Lounge <lounge@example.org>';
const CREDENTIALS = { accessKeyId: 'AKIDLOCALTEST', secretAccessKey: 'local-secret-key' };

/**
 * A member mentioned while away gets an email (Amazon SES, through the real SDK against a local
 * SES-compatible server) — unless they read it in the app first, turned such emails off, or have no
 * address; everything that waited goes in one email, and nothing is emailed twice.
 */
describe('notification email (PostgreSQL + SES)', () => {
  let ses: LocalSes;
  let testDb: TestDatabase;
  let db: Database;
  let deps: IntentDeps;
  let email: EmailSender;
  let general: string;
  let ada: UserRow;
  let eve: UserRow;
  let n = 1;

  const act = async (u: UserRow, intent: Record<string, unknown>) => {
    const out = await processIntent(deps, u.id, randomUUID(), { n: n++, createdAt: Date.now(), ...intent });
    if (out.verdict.status !== 'accepted') throw new Error(JSON.stringify(out.verdict));
    return out.verdict;
  };
  const run = (user: UserRow) =>
    emailNotifications({ db, email, appUrl: APP, logger: pino({ level: 'silent' }) }, { userId: user.id });
  const setEmail = (user: UserRow, address: string | null, on = true) =>
    db.query(
      `INSERT INTO user_settings (user_id, email, notify_email_mentions) VALUES ($1, $2, $3)
       ON CONFLICT (user_id) DO UPDATE SET email = EXCLUDED.email, notify_email_mentions = EXCLUDED.notify_email_mentions`,
      [user.id, address, on],
    );

  beforeAll(async () => {
    ses = await startLocalSes();
    ({ testDb, db } = await seededDatabase());
    deps = intentDeps(db, unlimitedRateLimiter);
    email = createSesEmailSender({ from: FROM, region: 'eu-west-1', endpoint: ses.endpoint, credentials: CREDENTIALS });
    general = await loungeRoomId(db, 'general');
    ada = await createMember(db, 'mail_ada');
    eve = await createMember(db, 'mail_eve');
    await setEmail(eve, 'eve@example.org');
  });
  afterAll(async () => {
    await db?.close();
    await testDb?.drop();
    await ses?.close();
  });

  it('a mention not read in time is emailed once, saying who, where and what, with a link to the message', async () => {
    const sent = await act(ada, sendIntent(general, 'hey @mail_eve, can you review my PR?'));
    expect(await run(eve)).toEqual({ sent: 1 });
    expect(ses.emails).toHaveLength(1);
    const mail = ses.emails[0]!;
    expect(mail).toMatchObject({
      from: FROM,
      to: ['eve@example.org'],
      subject: 'mail_ada mentioned you in General Chat',
    });
    expect(mail.text).toContain('“hey @mail_eve, can you review my PR?”');
    expect(mail.text).toContain(`${APP}/lounge/general#message-${sent.messageId}`);
    expect(mail.text).toContain(`${APP}/settings`);
    expect(mail.html).toContain(`href="${APP}/lounge/general#message-${sent.messageId}"`);
    // Signed with SigV4 by the SDK, for the configured region.
    expect(mail.authorization).toMatch(
      /^AWS4-HMAC-SHA256 Credential=AKIDLOCALTEST\/\d{8}\/eu-west-1\/ses\/aws4_request/,
    );
    // Run again: nothing new, nothing sent twice.
    expect(await run(eve)).toEqual({ sent: 0 });
    expect(ses.emails).toHaveLength(1);
  });

  it('read in the app first, turned off, or no address: no email', async () => {
    ses.emails.length = 0;
    const seen = await act(ada, sendIntent(general, 'quick one @mail_eve'));
    await act(eve, { kind: 'mark_read', channelId: general, seq: seen.seq });
    expect(await run(eve)).toEqual({ sent: 0 });

    await act(ada, sendIntent(general, 'another @mail_eve'));
    await setEmail(eve, 'eve@example.org', false);
    expect(await run(eve)).toEqual({ sent: 0 });
    await setEmail(eve, null, true);
    expect(await run(eve)).toEqual({ sent: 0 });
    expect(ses.emails).toHaveLength(0);
    // Turned back on: what still waits (unread, not emailed) goes.
    await setEmail(eve, 'eve@example.org', true);
    expect(await run(eve)).toEqual({ sent: 1 });
  });

  it('what waited goes in one email, newest first; a hidden message is named but its words are not sent', async () => {
    ses.emails.length = 0;
    const mod = await createMember(db, 'mail_mod');
    await setRole(db, general, mod.id, 'moderator');
    await act(ada, sendIntent(general, 'first @mail_eve'));
    const bad = await act(ada, sendIntent(general, 'rude words @mail_eve'));
    await act(mod, { kind: 'hide', messageId: bad.messageId, hidden: true, reason: 'Rude' });
    // A hide settles its notification: it is not emailed at all.
    const coding = await loungeRoomId(db, 'coding');
    const question = await act(eve, sendIntent(coding, 'How do I parse dates in Python?'));
    const threadId = (
      await db.query<{ id: string }>('SELECT id FROM threads WHERE parent_message_id = $1', [question.messageId])
    ).rows[0]!.id;
    await act(ada, sendIntent(threadId, 'Use datetime.fromisoformat'));
    expect(await run(eve)).toEqual({ sent: 2 });
    const mail = ses.emails[0]!;
    expect(mail.subject).toBe('2 new mentions and replies in Lounge');
    expect(
      mail.text.indexOf('mail_ada replied in “How do I parse dates in Python?” in Coding & Automation'),
    ).toBeLessThan(mail.text.indexOf('mail_ada mentioned you in General Chat'));
    expect(mail.text).toContain(`${APP}/lounge/coding/thread/${threadId}#message-`);
    expect(mail.text).not.toContain('rude words');
  });

  it('a refused send gives the notifications back, and the retry sends them', async () => {
    ses.emails.length = 0;
    await act(ada, sendIntent(general, 'retry me @mail_eve'));
    ses.rejectNext(1);
    await expect(run(eve)).rejects.toThrow(/not verified/);
    expect(ses.emails).toHaveLength(0);
    expect(await run(eve)).toEqual({ sent: 1 });
    expect(ses.emails[0]!.text).toContain('retry me @mail_eve');
  });
});

/** Daily and weekly digests: what happened in the member's rooms, and what waits for them, once per period. */
describe('email digests (PostgreSQL + SES)', () => {
  let ses: LocalSes;
  let testDb: TestDatabase;
  let db: Database;
  let deps: IntentDeps;
  let email: EmailSender;
  let n = 1;
  const act = async (u: UserRow, intent: Record<string, unknown>) => {
    const out = await processIntent(deps, u.id, randomUUID(), { n: n++, createdAt: Date.now(), ...intent });
    if (out.verdict.status !== 'accepted') throw new Error(JSON.stringify(out.verdict));
    return out.verdict;
  };
  const run = () => emailDigests({ db, email, appUrl: APP, logger: pino({ level: 'silent' }) }, {});
  const digestOf = (u: UserRow, period: 'daily' | 'weekly', last: string | null) =>
    db.query(
      `INSERT INTO user_settings (user_id, email, email_digest, last_digest_at) VALUES ($1, $2, $3, now() - $4::interval)
       ON CONFLICT (user_id) DO UPDATE SET email = EXCLUDED.email, email_digest = EXCLUDED.email_digest,
                                           last_digest_at = EXCLUDED.last_digest_at`,
      [u.id, `${u.handle}@example.org`, period, last],
    );

  beforeAll(async () => {
    ses = await startLocalSes();
    ({ testDb, db } = await seededDatabase());
    deps = intentDeps(db, unlimitedRateLimiter);
    email = createSesEmailSender({ from: FROM, region: 'eu-west-1', endpoint: ses.endpoint, credentials: CREDENTIALS });
  });
  afterAll(async () => {
    await db?.close();
    await testDb?.drop();
    await ses?.close();
  });

  it("a weekly digest names the unread mentions and the week's activity in the member's rooms, busiest first, once", async () => {
    const general = await loungeRoomId(db, 'general');
    const coding = await loungeRoomId(db, 'coding');
    const ada = await createMember(db, 'dig_ada');
    const dan = await createMember(db, 'dig_dan');
    const fay = await createMember(db, 'dig_fay');
    await setRole(db, general, dan.id, 'member');
    await setRole(db, coding, dan.id, 'member');
    // Dan reads Prompt Engineering without having posted there (no membership): it counts too. AI Art,
    // which he never opened, does not.
    const prompts = await loungeRoomId(db, 'prompt-engineering');
    const art = await loungeRoomId(db, 'ai-art');
    await db.query('INSERT INTO read_markers (user_id, channel_id, last_read_seq) VALUES ($1, $2, 0)', [
      dan.id,
      prompts,
    ]);
    // A first turn only starts the clock.
    await digestOf(dan, 'weekly', null);
    await db.query('UPDATE user_settings SET last_digest_at = NULL WHERE user_id = $1', [dan.id]);
    expect(await run()).toEqual({ sent: 0 });
    expect(
      (await db.query('SELECT 1 FROM user_settings WHERE user_id = $1 AND last_digest_at IS NOT NULL', [dan.id])).rows,
    ).toHaveLength(1);

    await digestOf(dan, 'weekly', '8 days');
    for (const words of ['morning all', 'who is coming to the meetup?', 'see you there @dig_dan'])
      await act(ada, sendIntent(general, words));
    const question = await act(fay, sendIntent(coding, 'Why does my async loop never finish?'));
    const thread = (
      await db.query<{ id: string }>('SELECT id FROM threads WHERE parent_message_id = $1', [question.messageId])
    ).rows[0]!.id;
    await act(ada, sendIntent(thread, 'You never await the promise'));
    // Dan's own messages are not news to him.
    await act(dan, sendIntent(general, 'count me in'));
    await act(fay, sendIntent(prompts, 'A prompt pattern that works'));
    await act(fay, sendIntent(art, 'My new render'));

    expect(await run()).toEqual({ sent: 1 });
    const mail = ses.emails.find((e) => e.to.includes('dig_dan@example.org'))!;
    expect(mail.subject).toBe('Your weekly Lounge digest: 1 unread mention, 6 new messages');
    expect(mail.text).toContain('Prompt Engineering — 1 new message');
    expect(mail.text).not.toContain('AI Art');
    expect(mail.text).toContain(`You have 1 unread mention or reply: ${APP}/notifications`);
    expect(mail.text.indexOf('General Chat — 3 new messages')).toBeLessThan(
      mail.text.indexOf('Coding & Automation — 2 new messages'),
    );
    expect(mail.text).toContain(
      `• Why does my async loop never finish? (1 reply)  ${APP}/lounge/coding/thread/${thread}`,
    );
    expect(mail.html).toContain(`href="${APP}/lounge/general"`);
    // Once per week.
    expect(await run()).toEqual({ sent: 0 });
    expect(ses.emails.filter((e) => e.to.includes('dig_dan@example.org'))).toHaveLength(1);
  });

  it('nothing new: no email, and the clock moves on; a refused send gives the turn back', async () => {
    ses.emails.length = 0;
    const quiet = await createMember(db, 'dig_quiet');
    await digestOf(quiet, 'daily', '2 days');
    expect(await run()).toEqual({ sent: 0 });
    expect(ses.emails).toHaveLength(0);

    const general = await loungeRoomId(db, 'general');
    const gus = await createMember(db, 'dig_gus');
    await setRole(db, general, gus.id, 'member');
    await digestOf(gus, 'daily', '2 days');
    await act(await createMember(db, 'dig_poster'), sendIntent(general, 'news for Gus'));
    ses.rejectNext(1);
    await expect(run()).rejects.toThrow(/not verified/);
    expect(await run()).toEqual({ sent: 1 });
    expect(ses.emails[0]!.subject).toMatch(/^Your daily Lounge digest: \d+ new messages?$/);
  });
});

/** The same, wired as `npm start` runs it: a mention schedules the email job, which sends after its delay. */
describe('notification email from a running server (embedded default)', () => {
  let ses: LocalSes;
  let server: ServerProcess;
  const SECRET = 'integration-secret-for-the-email-test-0123456789';

  beforeAll(async () => {
    ses = await startLocalSes();
    server = await startServer({
      env: {
        EMAIL_FROM: FROM,
        SES_ENDPOINT: ses.endpoint,
        SES_REGION: 'eu-west-1',
        EMAIL_NOTIFY_DELAY_SECONDS: '1',
        APP_URL: APP,
        INTEGRATION_SECRET: SECRET,
        AWS_ACCESS_KEY_ID: CREDENTIALS.accessKeyId,
        AWS_SECRET_ACCESS_KEY: CREDENTIALS.secretAccessKey,
      },
    });
  }, 120_000);
  afterAll(async () => {
    await server?.stop();
    await ses?.close();
  });

  const demo = async (handle: string) => {
    const res = await fetch(`${server.url}/api/auth/demo`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ handle, displayName: handle }),
    });
    return (await res.json()) as { token: string; user: { id: string } };
  };

  it('Ada mentions Grace, who is away: Grace gets the email a moment later', async () => {
    const ada = await demo('wired_ada');
    const grace = await demo('wired_grace');
    // The host platform gives Grace's address.
    const put = await fetch(`${server.url}/api/integration/users/${encodeURIComponent('demo:wired_grace')}`, {
      method: 'PUT',
      headers: { 'content-type': 'application/json', authorization: `Bearer ${SECRET}` },
      body: JSON.stringify({ handle: 'wired_grace', displayName: 'Grace', email: 'grace@example.org' }),
    });
    expect(put.status, await put.text()).toBeLessThan(300);
    const lounge = (await (
      await fetch(`${server.url}/api/lounge`, { headers: { authorization: `Bearer ${ada.token}` } })
    ).json()) as {
      rooms: Array<{ id: string; slug: string }>;
    };
    const general = lounge.rooms.find((r) => r.slug === 'general')!.id;
    const connectionToken = async () => {
      const res = await fetch(`${server.url}/api/auth/connection-token`, {
        method: 'POST',
        headers: { authorization: `Bearer ${ada.token}` },
      });
      return ((await res.json()) as { token: string }).token;
    };
    const device = new TestDevice(ada.user.id, server.url, connectionToken).start();
    try {
      const id = device.intent({ kind: 'send', channelId: general, body: 'welcome aboard @wired_grace!' });
      await waitFor('accepted', () => device.verdict(id)?.status === 'accepted');
      const mail = await waitFor('the email', () => ses.emails.find((e) => e.to.includes('grace@example.org')), 20_000);
      expect(mail.subject).toBe('wired_ada mentioned you in General Chat');
      expect(mail.text).toContain('welcome aboard @wired_grace!');
      expect(grace.user.id).toBeTruthy();
    } finally {
      device.stop();
    }
  });
});
