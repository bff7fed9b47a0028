import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Database } from '../../sync-server/db/database.ts';
import { createPgDatabase } from '../../sync-server/db/pg-database.ts';
import { migrate } from '../../sync-server/db/migrate.ts';
import { seedLounge } from '../../sync-server/features/lounge/seed-lounge.ts';
import { processIntent, type IntentDeps } from '../../sync-server/intents/process-intent.ts';
import { createMember, intentDeps, loungeRoomId, sendIntent } from '../support/fixtures.ts';
import { createTestDatabase, type TestDatabase } from '../support/postgres.ts';

const report = (messageId: string) => ({ kind: 'report' as const, messageId, reason: 'spam' as const, details: 'ads', n: 1, createdAt: Date.now() });

describe('community reports', () => {
  let testDb: TestDatabase;
  let db: Database;
  let deps: IntentDeps;
  let general: string;

  beforeAll(async () => {
    testDb = await createTestDatabase();
    db = createPgDatabase(testDb.url);
    await migrate(db);
    await seedLounge(db);
    deps = intentDeps(db);
    general = await loungeRoomId(db, 'general');
  });
  afterAll(async () => {
    await db.close();
    await testDb.drop();
  });

  async function postedMessage(): Promise<string> {
    const author = await createMember(db, `a${randomUUID().slice(0, 8)}`);
    const out = await processIntent(deps, author.id, randomUUID(), sendIntent(general, 'totally normal message'));
    return out.verdict.status === 'accepted' ? out.verdict.messageId! : '';
  }
  const hidden = async (id: string) =>
    (await db.query<{ is_hidden: boolean }>('SELECT is_hidden FROM messages WHERE id = $1', [id])).rows[0]!.is_hidden;

  it('three distinct trusted members hide a message pending review; the author is told why', async () => {
    const messageId = await postedMessage();
    const trusted = await Promise.all([1, 2, 3].map((i) => createMember(db, `t${i}${randomUUID().slice(0, 6)}`, { daysAgo: 30, messagesSent: 80 })));
    for (const [i, t] of trusted.entries()) {
      const out = await processIntent(deps, t.id, randomUUID(), report(messageId));
      expect(out.verdict.status).toBe('accepted');
      expect(await hidden(messageId)).toBe(i === 2);
      if (i === 2) expect(out.changes[0]).toMatchObject({ kind: 'message', message: { hidden: true, body: '', hiddenReason: expect.stringMatching(/reports from the community/) } });
    }
    const queue = await db.query<{ source: string; report_count: number; status: string }>(
      'SELECT source, report_count, status FROM moderation_queue WHERE message_id = $1',
      [messageId],
    );
    expect(queue.rows).toEqual([{ source: 'community', report_count: 3, status: 'pending' }]);
    const action = await db.query<{ source: string; action: string }>('SELECT source, action FROM moderation_actions WHERE message_id = $1', [messageId]);
    expect(action.rows).toEqual([{ source: 'community', action: 'hide' }]);
  });

  it('reports from new members queue the message but do not hide it; one member reporting twice counts once', async () => {
    const messageId = await postedMessage();
    const newbies = await Promise.all([1, 2, 3, 4].map((i) => createMember(db, `n${i}${randomUUID().slice(0, 6)}`, { daysAgo: 0, messagesSent: 0 })));
    for (const n of newbies) expect((await processIntent(deps, n.id, randomUUID(), report(messageId))).verdict.status).toBe('accepted');
    const again = await processIntent(deps, newbies[0]!.id, randomUUID(), report(messageId));
    expect(again.verdict.status).toBe('accepted');
    expect(await hidden(messageId)).toBe(false);
    const count = await db.query<{ n: number }>('SELECT count(*)::int AS n FROM reports WHERE message_id = $1', [messageId]);
    expect(count.rows[0]!.n).toBe(4);
  });

  it('a member cannot report their own message, and reports are rate limited', async () => {
    const author = await createMember(db, `self${randomUUID().slice(0, 6)}`);
    const mine = await processIntent(deps, author.id, randomUUID(), sendIntent(general, 'my own words'));
    const own = await processIntent(deps, author.id, randomUUID(), report(mine.verdict.status === 'accepted' ? mine.verdict.messageId! : ''));
    expect(own.verdict).toMatchObject({ status: 'rejected', code: 'own_message' });
    const reporter = await createMember(db, `rep${randomUUID().slice(0, 6)}`);
    const verdicts: string[] = [];
    for (let i = 0; i < 11; i++) {
      const out = await processIntent(deps, reporter.id, randomUUID(), report(await postedMessage()));
      verdicts.push(out.verdict.status === 'rejected' ? out.verdict.code : out.verdict.status);
    }
    expect(verdicts.slice(0, 10)).toEqual(Array(10).fill('accepted'));
    expect(verdicts[10]).toBe('rate_limited');
  });
});
