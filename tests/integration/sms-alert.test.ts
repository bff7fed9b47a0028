import { randomUUID } from 'node:crypto';
import { pino } from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Database } from '../../sync-server/db/database.ts';
import type { UserRow } from '../../sync-server/features/users/users-repo.ts';
import { processIntent, type IntentDeps } from '../../sync-server/intents/process-intent.ts';
import { createTwilioSmsSender, type SmsSender } from '../../sync-server/sms/sms-sender.ts';
import { smsAlert } from '../../workers/handlers/sms-alert.ts';
import {
  createMember,
  intentDeps,
  loungeRoomId,
  seededDatabase,
  setRole,
  unlimitedRateLimiter,
} from '../support/fixtures.ts';
import { startLocalTwilio, type LocalTwilio } from '../support/local-twilio.ts';
import type { TestDatabase } from '../support/postgres.ts';

const SID = `AC${'0123456789abcdef'.repeat(2)}`;
const TOKEN = 'local-twilio-auth-token';

/** Critical alerts: a member who opted in is texted (Twilio, real SDK, local server) when banned or muted. */
describe('SMS alerts (PostgreSQL + Twilio)', () => {
  let twilio: LocalTwilio;
  let testDb: TestDatabase;
  let db: Database;
  let deps: IntentDeps;
  let sms: SmsSender;
  let general: string;
  let mod: UserRow;
  let n = 1;

  const moderate = async (target: UserRow, action: string, extra: Record<string, unknown> = {}) => {
    const out = await processIntent(deps, mod.id, randomUUID(), {
      kind: 'moderate_member',
      roomId: general,
      userId: target.id,
      action,
      reason: 'Spam links',
      n: n++,
      createdAt: Date.now(),
      ...extra,
    });
    expect(out.verdict.status, JSON.stringify(out.verdict)).toBe('accepted');
    const entry = out.inbox.find((e) => e.map === 'notifications' && e.userId === target.id);
    if (!entry) throw new Error('no notification');
    return entry.key;
  };
  const run = (notificationId: string) => smsAlert({ db, sms, logger: pino({ level: 'silent' }) }, { notificationId });
  const optIn = (user: UserRow, phone: string | null, on = true) =>
    db.query(
      `INSERT INTO user_settings (user_id, phone_e164, sms_critical) VALUES ($1, $2, $3)
       ON CONFLICT (user_id) DO UPDATE SET phone_e164 = EXCLUDED.phone_e164, sms_critical = EXCLUDED.sms_critical`,
      [user.id, phone, on],
    );

  beforeAll(async () => {
    twilio = await startLocalTwilio();
    ({ testDb, db } = await seededDatabase());
    deps = intentDeps(db, unlimitedRateLimiter);
    sms = createTwilioSmsSender({ accountSid: SID, authToken: TOKEN, from: '+15005550006', apiUrl: twilio.url });
    general = await loungeRoomId(db, 'general');
    mod = await createMember(db, 'sms_mod');
    await setRole(db, general, mod.id, 'moderator');
  });
  afterAll(async () => {
    await db?.close();
    await testDb?.drop();
    await twilio?.close();
  });

  it('a ban is texted once to a member who opted in, with the room and the reason', async () => {
    const sam = await createMember(db, 'sms_sam');
    await optIn(sam, '+14155550123');
    const id = await moderate(sam, 'ban');
    expect(await run(id)).toEqual({ sent: true });
    expect(twilio.messages).toEqual([
      {
        accountSid: SID,
        to: '+14155550123',
        from: '+15005550006',
        body: 'Lounge: a moderator banned you from General Chat. Reason: Spam links',
        authorization: `Basic ${Buffer.from(`${SID}:${TOKEN}`).toString('base64')}`,
      },
    ]);
    expect(await run(id)).toEqual({ sent: false });
    expect(twilio.messages).toHaveLength(1);
  });

  it('a timed mute says until when; a warning, or a member who did not opt in, gets no text', async () => {
    twilio.messages.length = 0;
    const tia = await createMember(db, 'sms_tia');
    await optIn(tia, '+14155550124');
    const muted = await moderate(tia, 'mute', { durationMinutes: 90 });
    expect(await run(muted)).toEqual({ sent: true });
    expect(twilio.messages[0]!.body).toMatch(
      /^Lounge: a moderator muted you in General Chat until \d{1,2} \w{3} \d{4}, \d\d:\d\d UTC\. Reason: Spam links$/,
    );
    expect(await run(await moderate(tia, 'warn'))).toEqual({ sent: false });
    const quiet = await createMember(db, 'sms_quiet');
    await optIn(quiet, '+14155550125', false);
    expect(await run(await moderate(quiet, 'ban'))).toEqual({ sent: false });
    expect(twilio.messages).toHaveLength(1);
  });

  it('a refused text gives the alert back, and the retry sends it', async () => {
    twilio.messages.length = 0;
    const una = await createMember(db, 'sms_una');
    await optIn(una, '+14155550126');
    const id = await moderate(una, 'ban');
    twilio.refuseNext(1);
    await expect(run(id)).rejects.toThrow(/not a valid phone number/);
    expect(await run(id)).toEqual({ sent: true });
    expect(twilio.messages.map((m) => m.to)).toEqual(['+14155550126']);
  });
});
