import { randomUUID } from 'node:crypto';
import pino from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Database } from '../../sync-server/db/database.ts';
import { migrate } from '../../sync-server/db/migrate.ts';
import { createPgDatabase } from '../../sync-server/db/pg-database.ts';
import { seedLounge } from '../../sync-server/features/lounge/seed-lounge.ts';
import { IntentBatcher } from '../../sync-server/intents/intent-batcher.ts';
import { processBatch, type IntentDeps, type IntentGroup } from '../../sync-server/intents/process-intent.ts';
import { loadMessageView } from '../../sync-server/intents/message-view.ts';
import { loadSendReads, type PendingSend } from '../../sync-server/intents/send-batch.ts';
import { sendInOneStatement } from '../../sync-server/intents/send-statement.ts';
import type { SendIntent } from '../../sync-server/intents/send-batch.ts';
import { createMember, intentDeps, loungeRoomId, sendIntent } from '../support/fixtures.ts';
import { createTestDatabase, type TestDatabase } from '../support/postgres.ts';

/**
 * Group commit: many members' intents in one transaction must give exactly what processing them one
 * at a time gives — the same seqs, order, refusals and exactly-once answers.
 */
describe('intents of many members in one transaction', () => {
  let testDb: TestDatabase;
  let db: Database;
  let deps: IntentDeps;
  let general: string;
  const group = (userId: string, intents: unknown[]): IntentGroup => ({
    userId,
    intents: intents.map((raw) => ({ intentId: randomUUID(), raw })),
  });
  /** A batcher with one transaction slot that notes how many members each delivered batch held. */
  const countingBatcher = () => {
    const batches: number[] = [];
    const batcher = new IntentBatcher(deps, { maxBatch: 256, maxInFlight: 1 }, pino({ level: 'silent' }), async (p) => {
      batches.push(p.length);
    });
    return { batcher, batches };
  };
  const statuses = (outcomes: Array<{ verdict: { status: string } }>) => outcomes.map((o) => o.verdict.status);
  const bodiesIn = async (channelId: string) =>
    (
      await db.query<{ body: string; seq: string }>(
        'SELECT body, seq FROM messages WHERE channel_id = $1 ORDER BY seq',
        [channelId],
      )
    ).rows.map((r) => `${r.seq}:${r.body}`);

  beforeAll(async () => {
    testDb = await createTestDatabase();
    db = createPgDatabase(testDb.url);
    await migrate(db);
    await seedLounge(db);
    deps = intentDeps(db);
    general = await loungeRoomId(db);
    // A body the database refuses (bad data no handler foresaw) and one that fails like a crash.
    await db.exec(`
      CREATE FUNCTION test_refuse_poison() RETURNS trigger LANGUAGE plpgsql AS $$
      BEGIN
        IF NEW.body = 'poison' THEN RAISE EXCEPTION 'poison' USING ERRCODE = '23514'; END IF;
        IF NEW.body = 'crash' THEN RAISE EXCEPTION 'crash' USING ERRCODE = 'XX000'; END IF;
        RETURN NEW;
      END $$;
      CREATE TRIGGER test_refuse_poison BEFORE INSERT ON messages FOR EACH ROW EXECUTE FUNCTION test_refuse_poison();`);
  });
  afterAll(async () => {
    await db.close();
    await testDb.drop();
  });

  it('sends of several members share one transaction: gapless seqs, each member in their order, one change per message', async () => {
    const members = await Promise.all(['ba1', 'ba2', 'ba3'].map((h) => createMember(db, h)));
    const before = (await bodiesIn(general)).length;
    const groups = members.map((m) =>
      group(
        m.id,
        [1, 2, 3].map((i) => sendIntent(general, `${m.handle} #${i}`)),
      ),
    );
    const outcomes = await processBatch(deps, groups);
    for (const list of outcomes) expect(statuses(list)).toEqual(['accepted', 'accepted', 'accepted']);
    const seqs = outcomes.flat().map((o) => (o.verdict.status === 'accepted' ? o.verdict.seq : undefined));
    expect(new Set(seqs).size).toBe(9);
    const rows = (await bodiesIn(general)).slice(before);
    expect(rows.map((r) => Number(r.split(':')[0]))).toEqual(Array.from({ length: 9 }, (_, i) => before + i + 1));
    for (const m of members) {
      const mine = rows.filter((r) => r.includes(m.handle)).map((r) => r.split(':')[1]);
      expect(mine).toEqual([`${m.handle} #1`, `${m.handle} #2`, `${m.handle} #3`]);
    }
    const changes = outcomes.flat().flatMap((o) => o.changes);
    expect(changes).toHaveLength(9);
    expect(new Set(changes.map((c) => c.changeSeq)).size).toBe(9);
    for (const o of outcomes.flat()) {
      const change = o.changes[0]!;
      expect(change.kind === 'message' && change.message.id).toBe(
        o.verdict.status === 'accepted' && o.verdict.messageId,
      );
    }
  });

  it('a member’s later intents see their earlier ones: a reaction to a message sent before, rate limits and slow mode within the batch', async () => {
    const [kai, lu] = await Promise.all([
      createMember(db, 'kai'),
      createMember(db, 'lu', { daysAgo: 0, messagesSent: 0 }),
    ]);
    const first = await processBatch(deps, [group(kai.id, [sendIntent(general, 'react to me')])]);
    const messageId = first[0]![0]!.verdict.status === 'accepted' ? first[0]![0]!.verdict.messageId! : '';
    const slow = await loungeRoomId(db, 'newcomers');
    await db.query('UPDATE rooms SET slow_mode_seconds = 30 WHERE id = $1', [slow]);
    const kaiIntents = [
      ...Array.from({ length: 9 }, (_, i) => sendIntent(general, `kai burst ${i}`)),
      { kind: 'react', messageId, emoji: '🎉', n: 1, createdAt: Date.now() },
      sendIntent(general, 'kai eleventh'),
    ];
    const luGroup = group(lu.id, [sendIntent(slow, 'first in slow mode'), sendIntent(slow, 'second, too soon')]);
    const [kaiOut, luOut] = await processBatch(deps, [group(kai.id, kaiIntents), luGroup]);
    // 1 earlier + 9 = the 10 a minute allows; the reaction goes through; the 11th message waits for the limit.
    expect(statuses(kaiOut!)).toEqual([...Array(10).fill('accepted'), 'waiting']);
    expect(kaiOut![10]!.verdict).toMatchObject({ code: 'rate_limited' });
    const slowVerdict = luOut![1]!.verdict;
    expect(slowVerdict).toMatchObject({
      status: 'waiting',
      code: 'slow_mode',
      reason: 'Slow mode is on in this room.',
    });
    // A new member waits twice the room's 30 s.
    const retryAt = slowVerdict.status === 'waiting' ? slowVerdict.retryAt : 0;
    expect(retryAt - Date.now()).toBeGreaterThan(50_000);
    expect(retryAt - Date.now()).toBeLessThanOrEqual(60_000);
    const reactions = await db.query('SELECT 1 FROM reactions WHERE message_id = $1', [messageId]);
    expect(reactions.rows).toHaveLength(1);

    // Asked too soon (the outbox changed meanwhile), it waits on; once slow mode allows it, the same intent
    // is decided again and posted, once.
    const later = (ms: number) => ({ ...deps, now: () => new Date(Date.now() + ms) });
    const retry = { userId: lu.id, intents: [luGroup.intents[1]!] };
    const tooSoon = (await processBatch(later(10_000), [retry]))[0]![0];
    expect(tooSoon!.verdict.status).toBe('waiting');
    const posted = (await processBatch(later(61_000), [retry]))[0]![0];
    expect(posted!.verdict.status).toBe('accepted');
    expect(posted!.duplicate).toBe(false);
    const resent = (await processBatch(later(62_000), [retry]))[0]![0];
    expect(resent!.duplicate).toBe(true);
    expect((await bodiesIn(slow)).filter((b) => b.endsWith('second, too soon'))).toHaveLength(1);
  });

  it('the message that earns a promotion lifts the next one of the same batch (a new member may not post links)', async () => {
    const [vi, wu] = await Promise.all([
      createMember(db, 'vi', { daysAgo: 5, messagesSent: 9 }),
      createMember(db, 'wu', { daysAgo: 5, messagesSent: 8 }),
    ]);
    const link = 'see https://example.com/guide for the answer';
    const [viOut, wuOut] = await processBatch(deps, [
      group(vi.id, [sendIntent(general, 'my tenth message'), sendIntent(general, link)]),
      group(wu.id, [sendIntent(general, 'my ninth message'), sendIntent(general, link)]),
    ]);
    expect(statuses(viOut!)).toEqual(['accepted', 'accepted']);
    expect(statuses(wuOut!)).toEqual(['accepted', 'rejected']);
  });

  it('the same intent in one batch, and again in a later one, is written once and answered alike', async () => {
    const mo = await createMember(db, 'mo');
    const intentId = randomUUID();
    const raw = sendIntent(general, 'only once please');
    const twice: IntentGroup = {
      userId: mo.id,
      intents: [
        { intentId, raw },
        { intentId, raw },
      ],
    };
    const [out] = await processBatch(deps, [twice]);
    expect(out!.map((o) => o.duplicate)).toEqual([false, true]);
    expect(out![1]!.verdict).toEqual(out![0]!.verdict);
    const [again] = await processBatch(deps, [{ userId: mo.id, intents: [{ intentId, raw }] }]);
    expect(again![0]).toMatchObject({ duplicate: true, verdict: out![0]!.verdict });
    const rows = await db.query('SELECT 1 FROM messages WHERE body = $1', ['only once please']);
    expect(rows.rows).toHaveLength(1);
  });

  it('an outbox sent again after a reconnect: the intents already answered are answered alike, the new ones are posted', async () => {
    const pia = await createMember(db, 'pia');
    const other = await loungeRoomId(db, 'prompt-engineering');
    const sent = { intentId: randomUUID(), raw: sendIntent(general, 'answer me') };
    const [first] = await processBatch(deps, [{ userId: pia.id, intents: [sent] }]);
    const messageId = (first![0]!.verdict as { messageId: string }).messageId;
    const reaction = {
      intentId: randomUUID(),
      raw: { kind: 'react', messageId, emoji: '👍', n: 50, createdAt: Date.now() },
    };
    await processBatch(deps, [{ userId: pia.id, intents: [reaction] }]);
    // Their outbox entries were not cleared yet when the member wrote again, in another room and as a reply.
    const [again] = await processBatch(deps, [
      {
        userId: pia.id,
        intents: [
          sent,
          reaction,
          { intentId: randomUUID(), raw: sendIntent(other, 'over here now') },
          { intentId: randomUUID(), raw: sendIntent(general, 'replying', { replyToId: messageId }) },
        ],
      },
    ]);
    expect(again!.map((o) => o.duplicate)).toEqual([true, true, false, false]);
    expect(statuses(again!)).toEqual(['accepted', 'accepted', 'accepted', 'accepted']);
    expect(await bodiesIn(other)).toContainEqual(expect.stringMatching(/:over here now$/));
  });

  it('what the checks read: a repeat of a stored message, a reply into another conversation or to nothing are refused; a fair reply goes', async () => {
    const [qi, ru] = await Promise.all([createMember(db, 'qi'), createMember(db, 'ru')]);
    const other = await loungeRoomId(db, 'prompt-engineering');
    const [first] = await processBatch(deps, [
      group(qi.id, [sendIntent(general, 'the same long question about prompts')]),
    ]);
    const elsewhere = (first![0]!.verdict as { messageId: string }).messageId;
    const [ruFirst] = await processBatch(deps, [group(ru.id, [sendIntent(general, 'ru asks something in general')])]);
    const here = (ruFirst![0]!.verdict as { messageId: string }).messageId;
    const [qiOut, ruOut] = await processBatch(deps, [
      {
        userId: qi.id,
        intents: [
          { intentId: randomUUID(), raw: sendIntent(general, 'the same long question about prompts') },
          { intentId: randomUUID(), raw: sendIntent(other, 'replying across rooms', { replyToId: here }) },
          { intentId: randomUUID(), raw: sendIntent(general, 'replying to nothing', { replyToId: randomUUID() }) },
        ],
      },
      {
        userId: ru.id,
        intents: [{ intentId: randomUUID(), raw: sendIntent(general, 'a fair reply', { replyToId: elsewhere }) }],
      },
    ]);
    expect(qiOut!.map((o) => (o.verdict as { code?: string }).code ?? o.verdict.status)).toEqual([
      'spam.repeat',
      'bad_reply',
      'bad_reply',
    ]);
    // qi's first message went to general too: a reply to it from general is fair.
    expect(statuses(ruOut!)).toEqual(['accepted']);
  });

  it('a message the database refuses is refused alone; the rest of the batch is posted', async () => {
    const [ny, ox] = await Promise.all([createMember(db, 'ny'), createMember(db, 'ox')]);
    const [nyOut, oxOut] = await processBatch(deps, [
      group(ny.id, [
        sendIntent(general, 'fine words'),
        sendIntent(general, 'poison'),
        sendIntent(general, 'more fine words'),
      ]),
      group(ox.id, [sendIntent(general, 'ox is here')]),
    ]);
    expect(statuses(nyOut!)).toEqual(['accepted', 'rejected', 'accepted']);
    expect(nyOut![1]!.verdict).toMatchObject({ code: 'invalid' });
    expect(statuses(oxOut!)).toEqual(['accepted']);
    const rows = await db.query<{ body: string }>(
      'SELECT body FROM messages WHERE author_id = ANY($1::uuid[]) ORDER BY seq',
      [[ny.id, ox.id]],
    );
    expect(rows.rows.map((r) => r.body).sort()).toEqual(['fine words', 'more fine words', 'ox is here']);
  });

  it('the batcher groups waiting members into one transaction, and a member whose intents keep failing fails alone', async () => {
    const members = await Promise.all(Array.from({ length: 12 }, (_, i) => createMember(db, `q${i}`)));
    const { batcher, batches } = countingBatcher();
    const crashing = await createMember(db, 'qcrash');
    const submits = [
      ...members.map((m) => batcher.submit(group(m.id, [sendIntent(general, `${m.handle} says hi`)]))),
      batcher.submit(group(crashing.id, [sendIntent(general, 'crash')])),
    ];
    const settled = await Promise.allSettled(submits);
    expect(settled.slice(0, 12).map((s) => s.status)).toEqual(Array(12).fill('fulfilled'));
    expect(settled[12]!.status).toBe('rejected');
    // The first member went alone (nothing was waiting); everyone else queued behind it and shared one
    // transaction, which failed on the crashing member, so each was retried on their own.
    expect(batches[0]).toBe(1);
    expect(batches.length).toBe(12);
    const posted = await db.query('SELECT 1 FROM messages WHERE author_id = ANY($1::uuid[])', [
      members.map((m) => m.id),
    ]);
    expect(posted.rows).toHaveLength(12);
    const crashed = await db.query('SELECT 1 FROM client_intents WHERE user_id = $1', [crashing.id]);
    expect(crashed.rows).toHaveLength(0);
  });

  it('under no failure, waiting members share one transaction and one delivery', async () => {
    const members = await Promise.all(Array.from({ length: 20 }, (_, i) => createMember(db, `w${i}`)));
    const { batcher, batches } = countingBatcher();
    const outcomes = await Promise.all(
      members.map((m) => batcher.submit(group(m.id, [sendIntent(general, `${m.handle} waits`)]))),
    );
    expect(outcomes.flat().every((o) => o.verdict.status === 'accepted')).toBe(true);
    expect(batches).toEqual([1, 19]);
  });

  it('plain sends go in one statement that writes what the general path writes: views, change log, counters, read markers, answers', async () => {
    const [ada, bo] = await Promise.all([createMember(db, 'ada1'), createMember(db, 'bo1')]);
    const dmOut = await processBatch(deps, [
      group(ada.id, [{ kind: 'start_dm', participantIds: [bo.id], n: 1, createdAt: Date.now() }]),
    ]);
    const dm = (dmOut[0]![0]!.verdict as { channelId: string }).channelId;
    const counters = async () => {
      const users = await db.query<{ messages_sent: number }>('SELECT messages_sent FROM users WHERE id = $1', [
        ada.id,
      ]);
      const room = await db.query<{ message_count: number }>('SELECT message_count FROM rooms WHERE id = $1', [
        general,
      ]);
      return { sent: Number(users.rows[0]!.messages_sent), roomCount: Number(room.rows[0]!.message_count) };
    };
    const before = await counters();
    const sends: PendingSend[] = [
      sendIntent(general, 'one statement, first'),
      sendIntent(dm, 'a quiet word'),
      sendIntent(general, 'one statement, second'),
      sendIntent(general, 'ping @bo1 and @nobody_here'),
    ].map((raw) => ({ userId: ada.id, intentId: randomUUID(), intent: raw as SendIntent }));
    const now = new Date();
    const ctx = { now, rateLimiter: deps.rateLimiter, moderation: deps.moderation };
    const out = await sendInOneStatement(db, ctx, sends, await loadSendReads(db, sends, now));
    expect(out).toHaveLength(4);
    for (const o of out!) {
      expect(o.row.status).toBe('accepted');
      const view = await loadMessageView(db, o.accepted!.messageId);
      // What every replica applies is exactly what a later read of the message gives.
      expect(o.accepted!.change).toMatchObject({ kind: 'message', channelId: view.channelId, message: view });
      const logged = await db.query<{ payload: unknown; segment: number }>(
        'SELECT payload, segment FROM channel_changes WHERE channel_id = $1 AND change_seq = $2',
        [view.channelId, o.accepted!.change.changeSeq],
      );
      expect(logged.rows[0]!.payload).toEqual({ kind: 'message', message: view });
      expect(o.row.result).toEqual({ messageId: view.id, channelId: view.channelId, seq: view.seq });
    }
    const [first, , second, third] = out!.map((o) => o.row.result.seq!);
    expect([second, third]).toEqual([first! + 1, first! + 2]);
    // A known handle becomes a mention; an unknown one stays text.
    expect((out![3]!.accepted!.change as { message: { mentions: string[] } }).message.mentions).toEqual([bo.id]);
    expect(await counters()).toEqual({ sent: before.sent + 4, roomCount: before.roomCount + 3 });
    const marker = await db.query<{ last_read_seq: number }>(
      'SELECT last_read_seq FROM read_markers WHERE user_id = $1 AND channel_id = $2',
      [ada.id, general],
    );
    expect(Number(marker.rows[0]!.last_read_seq)).toBe(third);
    // Sent again (a retry): the statement declines, the general path answers the stored verdicts.
    expect(await sendInOneStatement(db, ctx, sends, await loadSendReads(db, sends, now))).toBeUndefined();
    const [again] = await processBatch(deps, [
      { userId: ada.id, intents: sends.map((s) => ({ intentId: s.intentId, raw: s.intent })) },
    ]);
    expect(again!.map((o) => o.duplicate)).toEqual([true, true, true, true]);
    expect(again!.map((o) => (o.verdict as { seq: number }).seq)).toEqual(out!.map((o) => o.row.result.seq));
    expect(await counters()).toEqual({ sent: before.sent + 4, roomCount: before.roomCount + 3 });
  });

  it('a thread reply or a help-room question is left to the general path', async () => {
    const [cy, di] = await Promise.all([createMember(db, 'cy1'), createMember(db, 'di1')]);
    const coding = await loungeRoomId(db, 'coding');
    const now = new Date();
    const ctx = { now, rateLimiter: deps.rateLimiter, moderation: deps.moderation };
    const asked = await processBatch(deps, [group(di.id, [sendIntent(coding, 'Where are the docs?')])]);
    const asker = (asked[0]![0]!.verdict as { messageId: string }).messageId;
    const thread = await db.query<{ id: string }>('SELECT id FROM threads WHERE parent_message_id = $1', [asker]);
    for (const raw of [sendIntent(coding, 'How do I start?'), sendIntent(thread.rows[0]!.id, 'In the wiki.')]) {
      const sends: PendingSend[] = [{ userId: cy.id, intentId: randomUUID(), intent: raw as SendIntent }];
      expect(await sendInOneStatement(db, ctx, sends, await loadSendReads(db, sends, now))).toBeUndefined();
      const [out] = await processBatch(deps, [{ userId: cy.id, intents: [{ intentId: sends[0]!.intentId, raw }] }]);
      expect(out![0]!.verdict.status).toBe('accepted');
    }
  });
});
