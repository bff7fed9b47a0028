import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Database } from '../../sync-server/db/database.ts';
import { createPgDatabase } from '../../sync-server/db/pg-database.ts';
import { migrate } from '../../sync-server/db/migrate.ts';
import { seedLounge } from '../../sync-server/features/lounge/seed-lounge.ts';
import { processBatch, processIntent, type IntentDeps } from '../../sync-server/intents/process-intent.ts';
import { createMemoryRateLimiter } from '../../sync-server/rate-limit/memory-rate-limiter.ts';
import { createRedisRateLimiter } from '../../sync-server/rate-limit/redis-rate-limiter.ts';
import { intentDeps, createMember, loungeRoomId, sendIntent } from '../support/fixtures.ts';
import { createTestDatabase, type TestDatabase } from '../support/postgres.ts';
import { connectRedis } from '../support/redis.ts';

describe('rate limits and slow mode', () => {
  let testDb: TestDatabase;
  let db: Database;
  let node1: IntentDeps;
  let node2: IntentDeps;
  let general: string;
  const cleanup: Array<() => void> = [];

  beforeAll(async () => {
    testDb = await createTestDatabase();
    db = createPgDatabase(testDb.url);
    await migrate(db);
    await seedLounge(db);
    // Two nodes: each its own Redis connection, sharing the limits through Redis.
    const [r1, r2] = await Promise.all([connectRedis(), connectRedis()]);
    cleanup.push(
      () => r1.disconnect(),
      () => r2.disconnect(),
    );
    node1 = intentDeps(db, createRedisRateLimiter(r1));
    node2 = intentDeps(db, createRedisRateLimiter(r2));
    general = await loungeRoomId(db, 'general');
  });
  afterAll(async () => {
    for (const c of cleanup) c();
    await db.close();
    await testDb.drop();
  });

  it('the 11th message in a minute waits until the window allows it, counted across two nodes', async () => {
    const m = await createMember(db, `rl${randomUUID().slice(0, 8)}`);
    const t0 = Date.now();
    const verdicts = [];
    for (let i = 0; i < 11; i++) {
      const deps = i % 2 === 0 ? node1 : node2;
      verdicts.push(
        (
          await processIntent(
            { ...deps, now: () => new Date(t0 + i * 1000) },
            m.id,
            randomUUID(),
            sendIntent(general, `m${i}`),
          )
        ).verdict,
      );
    }
    expect(verdicts.slice(0, 10).map((v) => v.status)).toEqual(Array(10).fill('accepted'));
    expect(verdicts[10]).toMatchObject({
      status: 'waiting',
      code: 'rate_limited',
      reason: 'The community allows 10 messages a minute and 100 an hour.',
    });
    // The first message leaves the window 60 s after it was sent; the 11th came 10 s later.
    expect(verdicts[10]!.status === 'waiting' && verdicts[10]!.retryAt).toBe(t0 + 60_000);
    // Once the window has moved on, the member can send again.
    const later = await processIntent(
      { ...node1, now: () => new Date(t0 + 61_000) },
      m.id,
      randomUUID(),
      sendIntent(general, 'later'),
    );
    expect(later.verdict.status).toBe('accepted');
  });

  it('messages refused for another reason do not use up the allowance, though the limiter is asked beside the reads', async () => {
    const m = await createMember(db, `rr${randomUUID().slice(0, 8)}`);
    const t0 = Date.now();
    // Five sends to a conversation that does not exist: refused, each asked of the limiter in advance.
    for (let i = 0; i < 5; i++) {
      const { verdict } = await processIntent(
        { ...node1, now: () => new Date(t0 + i * 100) },
        m.id,
        randomUUID(),
        sendIntent(randomUUID(), `lost ${i}`),
      );
      expect(verdict).toMatchObject({ status: 'rejected', code: 'not_found' });
    }
    // The member still has all ten messages of the minute.
    const verdicts = [];
    for (let i = 0; i < 11; i++) {
      const deps = i % 2 === 0 ? node1 : node2;
      const { verdict } = await processIntent(
        { ...deps, now: () => new Date(t0 + 1000 + i * 100) },
        m.id,
        randomUUID(),
        sendIntent(general, `kept ${i}`),
      );
      verdicts.push(verdict.status === 'waiting' ? verdict.code : verdict.status);
    }
    expect(verdicts).toEqual([...Array(10).fill('accepted'), 'rate_limited']);
  });

  it('an intent checked twice (a retry, or a second path) counts once against the limit, in Redis and in memory', async () => {
    const [r] = [await connectRedis()];
    cleanup.push(() => r.disconnect());
    const windows = [{ windowSeconds: 60, max: 3 }];
    for (const limiter of [createRedisRateLimiter(r), createMemoryRateLimiter()]) {
      const key = `test:${randomUUID()}`;
      const t0 = Date.now();
      const answers = [];
      for (const [i, id] of ['a', 'a', 'b', 'a', 'c', 'd'].entries())
        answers.push(await limiter.consume(key, windows, id, t0 + i));
      expect(answers.map((a) => a.allowed)).toEqual([true, true, true, true, true, false]);
    }
  });

  it('a message answered over an hour ago and sent again after a reconnect does not count again', async () => {
    const m = await createMember(db, `rr${randomUUID().slice(0, 8)}`);
    const t0 = Date.now();
    const old = { intentId: randomUUID(), raw: sendIntent(general, 'before the tunnel') };
    await processBatch({ ...node1, now: () => new Date(t0) }, [{ userId: m.id, intents: [old] }]);
    // An hour later the member writes three messages from another device (every window has moved past the
    // first one, and it is no longer among their latest), then this device's outbox, which still lists it,
    // comes back with a new message.
    const t1 = t0 + 3_601_000;
    for (let i = 0; i < 3; i++) {
      const phone = await processIntent(
        { ...node2, now: () => new Date(t1 + i) },
        m.id,
        randomUUID(),
        sendIntent(general, `phone ${i}`),
      );
      expect(phone.verdict.status).toBe('accepted');
    }
    const [again] = await processBatch({ ...node1, now: () => new Date(t1 + 3) }, [
      { userId: m.id, intents: [old, { intentId: randomUUID(), raw: sendIntent(general, 'after the tunnel') }] },
    ]);
    expect(again!.map((o) => [o.duplicate, o.verdict.status])).toEqual([
      [true, 'accepted'],
      [false, 'accepted'],
    ]);
    // The phone's three and the new one count in this minute, not the old one again: six more fit.
    const verdicts = [];
    for (let i = 0; i < 10; i++) {
      const deps = i % 2 === 0 ? node1 : node2;
      const out = await processIntent(
        { ...deps, now: () => new Date(t1 + 1000 + i) },
        m.id,
        randomUUID(),
        sendIntent(general, `n${i}`),
      );
      verdicts.push(out.verdict.status);
    }
    expect(verdicts).toEqual([...Array(6).fill('accepted'), ...Array(4).fill('waiting')]);
  });

  it('a help room: the 6th question in an hour waits for the hour (each question is a thread)', async () => {
    const m = await createMember(db, `hq${randomUUID().slice(0, 8)}`);
    const coding = await loungeRoomId(db, 'coding');
    const t0 = Date.now();
    const verdicts = [];
    for (let i = 0; i < 6; i++)
      verdicts.push(
        (
          await processIntent(
            { ...node1, now: () => new Date(t0 + i * 70_000) },
            m.id,
            randomUUID(),
            sendIntent(coding, `How do I do thing ${i}?`),
          )
        ).verdict,
      );
    expect(verdicts.slice(0, 5).map((v) => v.status)).toEqual(Array(5).fill('accepted'));
    expect(verdicts[5]).toMatchObject({ status: 'waiting', code: 'rate_limited' });
    expect(verdicts[5]!.status === 'waiting' && verdicts[5]!.reason).toMatch(/5 questions .* an hour\.$/);
    // The first question leaves the hour's window 3,600 s after it was asked.
    expect(verdicts[5]!.status === 'waiting' && verdicts[5]!.retryAt).toBe(t0 + 3_600_000);
    // Answers in the room's threads are replies, not questions: not limited by it.
    const thread = await db.query<{ id: string }>('SELECT id FROM threads WHERE creator_id = $1 LIMIT 1', [m.id]);
    const answer = await processIntent(
      { ...node1, now: () => new Date(t0 + 6 * 70_000) },
      m.id,
      randomUUID(),
      sendIntent(thread.rows[0]!.id, 'never mind, solved it'),
    );
    expect(answer.verdict.status).toBe('accepted');
  });

  it('30 reactions a minute, the 31st refused', async () => {
    const m = await createMember(db, `rx${randomUUID().slice(0, 8)}`);
    const sent = await processIntent(node1, m.id, randomUUID(), sendIntent(general, 'react to me'));
    const messageId = sent.verdict.status === 'accepted' ? sent.verdict.messageId! : '';
    const emojis = ['👍', '🎉', '❤️', '😂', '🔥', '👀'];
    const statuses: string[] = [];
    for (let i = 0; i < 31; i++) {
      const kind = i % 2 === 0 ? 'react' : 'unreact';
      const emoji = emojis[Math.floor(i / 2) % emojis.length]!;
      const out = await processIntent(i % 2 ? node1 : node2, m.id, randomUUID(), {
        kind,
        messageId,
        emoji,
        n: i,
        createdAt: Date.now(),
      });
      if (kind === 'react') statuses.push(out.verdict.status === 'rejected' ? out.verdict.code : out.verdict.status);
    }
    // 16 reacts among the 31 intents (unreacts are not rate-limited): all within the 30/min budget.
    expect(statuses.every((s) => s === 'accepted')).toBe(true);
    const burst: string[] = [];
    for (let i = 0; i < 16; i++) {
      const out = await processIntent(node1, m.id, randomUUID(), {
        kind: 'react',
        messageId,
        emoji: '✨',
        n: i,
        createdAt: Date.now(),
      });
      burst.push(out.verdict.status === 'rejected' ? out.verdict.code : out.verdict.status);
    }
    expect(burst.slice(0, 14)).toEqual(Array(14).fill('accepted'));
    expect(burst.slice(14)).toEqual(['rate_limited', 'rate_limited']);
  });

  it('slow mode: a new member waits twice as long, a member once, a trusted member not at all', async () => {
    const slow = await loungeRoomId(db, 'newcomers');
    await db.query('UPDATE rooms SET slow_mode_seconds = 30 WHERE id = $1', [slow]);
    const deps = intentDeps(db);
    const t0 = Date.now();
    const at = (s: number) => ({ ...deps, now: () => new Date(t0 + s * 1000) });
    const newbie = await createMember(db, `nw${randomUUID().slice(0, 6)}`, { daysAgo: 0, messagesSent: 0 });
    const regular = await createMember(db, `rg${randomUUID().slice(0, 6)}`, { daysAgo: 5, messagesSent: 20 });
    const trusted = await createMember(db, `tr${randomUUID().slice(0, 6)}`, { daysAgo: 30, messagesSent: 80 });
    for (const m of [newbie, regular, trusted]) {
      expect((await processIntent(at(0), m.id, randomUUID(), sendIntent(slow, 'first'))).verdict.status).toBe(
        'accepted',
      );
    }
    const second = async (memberId: string, s: number) =>
      (await processIntent(at(s), memberId, randomUUID(), sendIntent(slow, `at ${s}`))).verdict;
    // created_at comes from the database clock; slow mode compares with it, so leave a margin.
    expect(await second(trusted.id, 1)).toMatchObject({ status: 'accepted' });
    expect(await second(regular.id, 10)).toMatchObject({ status: 'waiting', code: 'slow_mode' });
    expect(await second(regular.id, 32)).toMatchObject({ status: 'accepted' });
    const early = await second(newbie.id, 40);
    expect(early).toMatchObject({ status: 'waiting', code: 'slow_mode', reason: 'Slow mode is on in this room.' });
    expect(await second(newbie.id, 62)).toMatchObject({ status: 'accepted' });
  });
});
