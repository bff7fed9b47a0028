import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Database } from '../../sync-server/db/database.ts';
import { migrate } from '../../sync-server/db/migrate.ts';
import { createPgDatabase } from '../../sync-server/db/pg-database.ts';
import { seedLounge } from '../../sync-server/features/lounge/seed-lounge.ts';
import { processIntent, type IntentDeps } from '../../sync-server/intents/process-intent.ts';
import { intentDeps, createMember, loungeRoomId, sendIntent, setRole } from '../support/fixtures.ts';
import { createTestDatabase, type TestDatabase } from '../support/postgres.ts';

describe('intent processing against PostgreSQL', () => {
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
    general = await loungeRoomId(db);
  });
  afterAll(async () => {
    await db.close();
    await testDb.drop();
  });

  it('a sent message gets the next seq, and the same intent three times gives one message', async () => {
    const ada = await createMember(db, 'ada');
    const intentId = randomUUID();
    const intent = sendIntent(general, '  hello lounge  ');
    const outcomes = await Promise.all([1, 2, 3].map(() => processIntent(deps, ada.id, intentId, intent)));
    const fresh = outcomes.filter((o) => !o.duplicate);
    expect(fresh).toHaveLength(1);
    for (const o of outcomes) expect(o.verdict).toMatchObject({ status: 'accepted', channelId: general, seq: 1 });
    const { rows } = await db.query<{ body: string; seq: number }>(
      'SELECT body, seq FROM messages WHERE channel_id = $1',
      [general],
    );
    expect(rows).toEqual([{ body: 'hello lounge', seq: 1 }]);
    expect(fresh[0]!.changes).toHaveLength(1);
    expect(fresh[0]!.changes[0]).toMatchObject({
      kind: 'message',
      changeSeq: 1,
      message: { seq: 1, body: 'hello lounge' },
    });
  });

  it('concurrent senders get gapless, unique seqs', async () => {
    const members = await Promise.all(['bo', 'cy', 'di', 'ed'].map((h) => createMember(db, h)));
    await Promise.all(
      members.flatMap((m) =>
        [1, 2, 3].map((i) => processIntent(deps, m.id, randomUUID(), sendIntent(general, `${m.handle} ${i}`))),
      ),
    );
    const { rows } = await db.query<{ seq: number }>('SELECT seq FROM messages WHERE channel_id = $1 ORDER BY seq', [
      general,
    ]);
    expect(rows.map((r) => r.seq)).toEqual(Array.from({ length: 13 }, (_, i) => i + 1));
    const changes = await db.query<{ change_seq: number }>(
      'SELECT change_seq FROM channel_changes WHERE channel_id = $1 ORDER BY change_seq',
      [general],
    );
    expect(changes.rows.map((r) => r.change_seq)).toEqual(Array.from({ length: 13 }, (_, i) => i + 1));
  });

  it('a refusal is recorded with a readable reason, writes nothing, and stays the answer on retry', async () => {
    const fay = await createMember(db, 'fay');
    const before = await db.query<{ n: number }>('SELECT count(*)::int AS n FROM messages');
    const intentId = randomUUID();
    const first = await processIntent(deps, fay.id, intentId, sendIntent(general, 'x'.repeat(4001)));
    expect(first.verdict).toMatchObject({ status: 'rejected', code: 'too_long' });
    expect(first.verdict.status === 'rejected' && first.verdict.reason).toMatch(/at most 4,000 characters/);
    const again = await processIntent(deps, fay.id, intentId, sendIntent(general, 'short now'));
    expect(again.duplicate).toBe(true);
    expect(again.verdict).toMatchObject({ status: 'rejected', code: 'too_long' });
    const after = await db.query<{ n: number }>('SELECT count(*)::int AS n FROM messages');
    expect(after.rows[0]!.n).toBe(before.rows[0]!.n);
  });

  it('a malformed intent and an unknown channel are refused with reasons', async () => {
    const gus = await createMember(db, 'gus');
    const bad = await processIntent(deps, gus.id, randomUUID(), { kind: 'send', channelId: 'nope', body: 1 });
    expect(bad.verdict).toMatchObject({ status: 'rejected', code: 'invalid' });
    const unknown = await processIntent(deps, gus.id, randomUUID(), sendIntent(randomUUID(), 'hi'));
    expect(unknown.verdict).toMatchObject({ status: 'rejected', code: 'not_found' });
  });

  it('a body with a NUL character is refused with a reason, instead of failing forever on retry', async () => {
    const nul = await createMember(db, 'nully');
    const out = await processIntent(deps, nul.id, randomUUID(), sendIntent(general, 'before\u0000after'));
    expect(out.verdict).toMatchObject({ status: 'rejected', code: 'invalid' });
    expect(out.verdict.status === 'rejected' && out.verdict.reason).toMatch(/NUL/);
  });

  it('a muted member is told how long the mute lasts; a banned member cannot post', async () => {
    const hal = await createMember(db, 'hal');
    const ivy = await createMember(db, 'ivy');
    await setRole(db, general, hal.id, 'member', new Date(Date.now() + 12 * 60_000));
    await setRole(db, general, ivy.id, 'banned');
    const muted = await processIntent(deps, hal.id, randomUUID(), sendIntent(general, 'hello?'));
    expect(muted.verdict).toMatchObject({ status: 'rejected', code: 'muted' });
    expect(muted.verdict.status === 'rejected' && muted.verdict.reason).toMatch(/muted .*12 more minutes/);
    const banned = await processIntent(deps, ivy.id, randomUUID(), sendIntent(general, 'hello?'));
    expect(banned.verdict).toMatchObject({ status: 'rejected', code: 'banned' });
  });

  it('the 11th message in a minute waits, saying until when', async () => {
    const jo = await createMember(db, 'jo');
    const verdicts = [];
    for (let i = 0; i < 11; i++)
      verdicts.push((await processIntent(deps, jo.id, randomUUID(), sendIntent(general, `m${i}`))).verdict);
    expect(verdicts.slice(0, 10).every((v) => v.status === 'accepted')).toBe(true);
    expect(verdicts[10]).toMatchObject({ status: 'waiting', code: 'rate_limited' });
    const retry = verdicts[10]!.status === 'waiting' ? verdicts[10]!.retryAt - Date.now() : 0;
    expect(retry).toBeGreaterThan(50_000);
    expect(retry).toBeLessThanOrEqual(60_000);
  });

  it('edit, react, pin and delete each log a change with the full public view', async () => {
    const kai = await createMember(db, 'kai');
    const sent = await processIntent(deps, kai.id, randomUUID(), sendIntent(general, 'first draft'));
    const messageId = sent.verdict.status === 'accepted' ? sent.verdict.messageId! : '';
    const common = { n: 1, createdAt: Date.now() };
    const edit = await processIntent(deps, kai.id, randomUUID(), {
      kind: 'edit',
      messageId,
      body: 'final text',
      ...common,
    });
    expect(edit.changes[0]).toMatchObject({ message: { body: 'final text', edited: true } });
    const reactOut = await processIntent(deps, kai.id, randomUUID(), {
      kind: 'react',
      messageId,
      emoji: '🎉',
      ...common,
    });
    expect(reactOut.changes[0]).toMatchObject({ message: { reactions: { '🎉': [kai.id] } } });
    const pin = await processIntent(deps, kai.id, randomUUID(), { kind: 'pin', messageId, pinned: true, ...common });
    expect(pin.changes[0]).toMatchObject({ message: { pinned: true } });
    const del = await processIntent(deps, kai.id, randomUUID(), { kind: 'delete', messageId, ...common });
    expect(del.changes[0]).toMatchObject({ message: { deleted: true, body: '', type: 'deleted' } });
    const edits = await db.query<{ old_body: string }>('SELECT old_body FROM message_edits WHERE message_id = $1', [
      messageId,
    ]);
    expect(edits.rows).toEqual([{ old_body: 'first draft' }]);
  });

  it('a thread is its own channel with its own seq and shows up in its room', async () => {
    const lu = await createMember(db, 'lu');
    const out = await processIntent(deps, lu.id, randomUUID(), {
      kind: 'create_thread',
      roomId: general,
      title: 'How do I start?',
      body: 'Where should a newcomer begin?',
      n: 1,
      createdAt: Date.now(),
    });
    expect(out.verdict).toMatchObject({ status: 'accepted', seq: 1 });
    const threadId = out.verdict.status === 'accepted' ? out.verdict.channelId! : '';
    expect(threadId).not.toBe(general);
    expect(out.changes.map((c) => [c.channelId === general ? 'room' : 'thread', c.kind])).toEqual([
      ['thread', 'message'],
      ['room', 'thread'],
    ]);
  });

  it('an @handle followed by sentence punctuation mentions its member; an unknown handle stays text', async () => {
    const [men, tio] = await Promise.all([createMember(db, 'men_a'), createMember(db, 'tio_b')]);
    const body = `thanks @${tio.handle}. and @nobody_at_all, see @${men.handle}-`;
    const outcome = await processIntent(deps, men.id, randomUUID(), sendIntent(general, body));
    expect(outcome.verdict.status).toBe('accepted');
    const { rows } = await db.query<{ mentions: string[] }>('SELECT mentions FROM messages WHERE id = $1', [
      outcome.verdict.status === 'accepted' ? outcome.verdict.messageId : '',
    ]);
    // The author is never mentioned by their own message.
    expect(rows[0]!.mentions).toEqual([tio.id]);
  });
});
