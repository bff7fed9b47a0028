import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import type { Database } from '../../sync-server/db/database.ts';
import { migrate } from '../../sync-server/db/migrate.ts';
import { createPgDatabase } from '../../sync-server/db/pg-database.ts';
import { seedLounge } from '../../sync-server/features/lounge/seed-lounge.ts';
import { processBatch, type IntentDeps, type IntentGroup } from '../../sync-server/intents/process-intent.ts';
import { createMember, intentDeps, loungeRoomId, sendIntent } from '../support/fixtures.ts';
import { createTestDatabase, type TestDatabase } from '../support/postgres.ts';

// A fault of the program (a bug) on one kind of message: resolving a mention of "@kaboom" throws a
// TypeError, on every path a send can take (the one-statement path, the set-wise path, one by one).
vi.mock('../../sync-server/intents/message-writes.ts', async (importOriginal) => {
  const original = await importOriginal<typeof import('../../sync-server/intents/message-writes.ts')>();
  return {
    ...original,
    resolveMentions: (...args: Parameters<typeof original.resolveMentions>) => {
      if (args[3].includes('@kaboom')) throw new TypeError("Cannot read properties of undefined (reading 'id')");
      return original.resolveMentions(...args);
    },
  };
});

/**
 * A bug that hits one intent must not hold a member's outbox for good (a fault taken for a passing one is
 * retried every few seconds, with every later intent queued behind it): that intent is refused with a
 * reason, the fault is reported, and everything else goes through.
 */
describe('an intent that hits a fault of the program', () => {
  let testDb: TestDatabase;
  let db: Database;
  let deps: IntentDeps;
  let general: string;
  const faults: unknown[] = [];
  const group = (userId: string, bodies: string[]): IntentGroup => ({
    userId,
    intents: bodies.map((body) => ({ intentId: randomUUID(), raw: sendIntent(general, body) })),
  });
  const bodiesOf = async (userId: string) =>
    (
      await db.query<{ body: string }>('SELECT body FROM messages WHERE author_id = $1 ORDER BY seq', [userId])
    ).rows.map((r) => r.body);

  beforeAll(async () => {
    testDb = await createTestDatabase();
    db = createPgDatabase(testDb.url);
    await migrate(db);
    await seedLounge(db);
    deps = { ...intentDeps(db), onFault: (err) => faults.push(err) };
    general = await loungeRoomId(db);
  });
  afterAll(async () => {
    await db.close();
    await testDb.drop();
  });

  it('is refused alone with a reason; the member’s later intents and other members’ go through, and a retry is answered alike', async () => {
    const ada = await createMember(db, 'fault-ada');
    const bo = await createMember(db, 'fault-bo');
    const adas = group(ada.id, ['before it', 'hey @kaboom look', 'after it']);
    const bos = group(bo.id, ['hi from bo']);

    const [adaOutcomes, boOutcomes] = await processBatch(deps, [adas, bos]);
    expect(adaOutcomes!.map((o) => o.verdict.status)).toEqual(['accepted', 'rejected', 'accepted']);
    expect(adaOutcomes![1]!.verdict).toMatchObject({
      status: 'rejected',
      code: 'internal',
      reason: expect.stringMatching(/fault on its side.*nothing was changed/),
    });
    expect(boOutcomes!.map((o) => o.verdict.status)).toEqual(['accepted']);
    expect(await bodiesOf(ada.id)).toEqual(['before it', 'after it']);
    expect(await bodiesOf(bo.id)).toEqual(['hi from bo']);
    expect(faults.length).toBeGreaterThan(0);
    expect(faults.every((f) => f instanceof TypeError)).toBe(true);

    // The outbox sends the same intents again (a reconnect): the same answers, nothing written twice.
    const [again] = await processBatch(deps, [adas]);
    expect(again!.map((o) => o.verdict.status)).toEqual(['accepted', 'rejected', 'accepted']);
    expect(again!.every((o) => o.duplicate)).toBe(true);
    expect(await bodiesOf(ada.id)).toEqual(['before it', 'after it']);
  });

  it('a lone message that hits it is refused too (the one-statement path falls back, then decides it alone)', async () => {
    const cy = await createMember(db, 'fault-cy');
    const [outcomes] = await processBatch(deps, [group(cy.id, ['@kaboom'])]);
    expect(outcomes![0]!.verdict).toMatchObject({ status: 'rejected', code: 'internal' });
    expect(await bodiesOf(cy.id)).toEqual([]);
    const [next] = await processBatch(deps, [group(cy.id, ['and on we go'])]);
    expect(next![0]!.verdict.status).toBe('accepted');
  });
});
