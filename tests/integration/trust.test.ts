import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Database } from '../../sync-server/db/database.ts';
import { createPgDatabase } from '../../sync-server/db/pg-database.ts';
import type { UserRow } from '../../sync-server/features/users/users-repo.ts';
import { createRedisRateLimiter } from '../../sync-server/rate-limit/redis-rate-limiter.ts';
import { createMember, loungeRoomId } from '../support/fixtures.ts';
import { createTestDatabase, type TestDatabase } from '../support/postgres.ts';
import { connectRedis } from '../support/redis.ts';
import { startSyncNode, type SyncNode } from '../support/sync-node.ts';
import { hostToken } from '../support/test-app.ts';

/**
 * Trust levels (spec: member after 10 messages and 3 days, trusted after 50 messages and 14 days) are
 * computed by the server from what it counts itself (`users.messages_sent`, written with each accepted
 * message) and the account's age, at the moment of each decision: a promotion counts from the very next
 * intent, a birthday promotes without any write, and nothing a client sends can claim a level.
 */
describe('trust levels follow the server’s own counters, from the next intent on', () => {
  let testDb: TestDatabase;
  let db: Database;
  let node: SyncNode;
  let general: string;
  let n = 0;
  const closers: Array<() => Promise<void>> = [];

  const intent = (user: UserRow, body: Record<string, unknown>) =>
    node.app.deps.sync.runIntent(user.id, { ...body, n: ++n, createdAt: Date.now() });
  const send = (user: UserRow, text: string) => intent(user, { kind: 'send', channelId: general, body: text });
  const standing = async (user: UserRow) => {
    const res = await node.app.inject({
      method: 'GET',
      url: `/api/rooms/${general}/me`,
      headers: { authorization: `Bearer ${await hostToken({ sub: user.host_user_id })}` },
    });
    return res.json() as { trustLevel: string; can: Record<string, { allowed: boolean; code?: string }> };
  };
  const counters = async (user: UserRow) =>
    (await db.query<{ messages_sent: number }>('SELECT messages_sent FROM users WHERE id = $1', [user.id])).rows[0]!
      .messages_sent;

  beforeAll(async () => {
    testDb = await createTestDatabase();
    db = createPgDatabase(testDb.url);
    const redis = await connectRedis();
    closers.push(async () => void redis.disconnect());
    // Rate limits in Redis as in production (keys are per member, and members here are new).
    node = await startSyncNode(db, { rateLimiter: createRedisRateLimiter(redis) });
    general = await loungeRoomId(db);
  });
  afterAll(async () => {
    await node.close();
    for (const close of closers) await close();
    await db.close();
    await testDb.drop();
  });

  it('the 10th message of a member of 3+ days makes them a member: their next message may carry a link', async () => {
    const sam = await createMember(db, 'sam', { daysAgo: 4, messagesSent: 9 });
    expect((await standing(sam)).trustLevel).toBe('new');
    const early = await send(sam, 'my portfolio: https://github.com/sam');
    expect(early.verdict).toMatchObject({
      status: 'rejected',
      reason: expect.stringMatching(/New members can't post links/),
    });
    expect(await counters(sam)).toBe(9); // a refused message counts for nothing

    expect((await send(sam, 'hello everyone, tenth message here')).verdict.status).toBe('accepted');
    expect(await counters(sam)).toBe(10);
    expect((await standing(sam)).trustLevel).toBe('member');
    const link = await send(sam, 'my portfolio: https://github.com/sam');
    expect(link.verdict.status).toBe('accepted');
  });

  it('the 50th message of a member of 14+ days makes them trusted: their next intent may pin', async () => {
    const [pia, author] = await Promise.all([
      createMember(db, 'pia', { daysAgo: 20, messagesSent: 49 }),
      createMember(db, 'author'),
    ]);
    const sent = await send(author, 'worth pinning');
    const messageId = sent.verdict.status === 'accepted' ? sent.verdict.messageId! : '';
    expect((await standing(pia)).can.pin_message).toMatchObject({ allowed: false, code: 'not_trusted' });
    const refused = await intent(pia, { kind: 'pin', messageId, pinned: true });
    expect(refused.verdict).toMatchObject({ status: 'rejected', code: 'not_trusted' });

    expect((await send(pia, 'fiftieth message')).verdict.status).toBe('accepted');
    expect((await standing(pia)).trustLevel).toBe('trusted');
    const pinned = await intent(pia, { kind: 'pin', messageId, pinned: true });
    expect(pinned.verdict.status).toBe('accepted');
  });

  it('time promotes too, with no write at all: 60 messages at 2 days is new, the same counters at 3 days a member', async () => {
    const tom = await createMember(db, 'tom', { daysAgo: 2, messagesSent: 60 });
    expect((await standing(tom)).trustLevel).toBe('new');
    expect((await send(tom, 'see https://github.com/tom')).verdict.status).toBe('rejected');
    // The account's third day comes: only the clock moved, no counter was written.
    await db.query(`UPDATE users SET joined_at = joined_at - interval '1 day' WHERE id = $1`, [tom.id]);
    expect((await standing(tom)).trustLevel).toBe('member');
    expect((await send(tom, 'see https://github.com/tom')).verdict.status).toBe('accepted');
  });

  it('a client cannot claim a level: an intent carrying one is refused as malformed, and nothing is counted', async () => {
    const eve = await createMember(db, 'eve', { daysAgo: 0, messagesSent: 0 });
    for (const extra of [{ trustLevel: 'trusted' }, { messagesSent: 500 }, { role: 'trusted' }]) {
      const res = await intent(eve, { kind: 'send', channelId: general, body: 'https://github.com/eve', ...extra });
      expect(res.verdict).toMatchObject({ status: 'rejected', code: 'invalid' });
      expect(res.verdict.status === 'rejected' ? res.verdict.reason : '').toBeTruthy();
    }
    expect(await counters(eve)).toBe(0);
    expect((await standing(eve)).trustLevel).toBe('new');
  });
});
