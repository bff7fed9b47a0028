import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { readMessages, readMeta, type ChannelChange, type MessageView } from '../../shared/sync/channel-doc.ts';
import { segmentOf } from '../../shared/sync/segments.ts';
import type { Database } from '../../sync-server/db/database.ts';
import type { UserRow } from '../../sync-server/features/users/users-repo.ts';
import { processBatch, processIntent, type IntentDeps } from '../../sync-server/intents/process-intent.ts';
import { loadChannelDoc } from '../../sync-server/sync/channel-doc-store.ts';
import {
  createMember,
  intentDeps,
  seededDatabase,
  loungeRoomId,
  sendIntent,
  unlimitedRateLimiter,
} from '../support/fixtures.ts';
import type { TestDatabase } from '../support/postgres.ts';

/**
 * A question's thread activity ("3 replies · 2m") travels with the question itself: every reply logs the
 * question's new view on the room, so each replica of the room (live, or catching up from the log) shows it.
 */
describe('thread activity on the message that leads to the thread (PostgreSQL)', () => {
  let testDb: TestDatabase;
  let db: Database;
  let deps: IntentDeps;
  let coding: string; // a help room: each question opens a thread
  let asker: UserRow;
  let helpers: UserRow[];

  async function accepted(user: UserRow, intent: Record<string, unknown>) {
    const outcome = await processIntent(deps, user.id, randomUUID(), intent);
    expect(outcome.verdict.status, JSON.stringify(outcome.verdict)).toBe('accepted');
    return outcome;
  }
  /** Asks in the help room; returns the question and its thread. */
  async function ask(text: string): Promise<{ question: MessageView; threadId: string }> {
    const out = await accepted(asker, sendIntent(coding, text));
    const question = out.changes.filter((c) => c.kind === 'message').at(-1);
    if (question?.kind !== 'message' || !question.message.threadId) throw new Error('the question opened no thread');
    return { question: question.message, threadId: question.message.threadId };
  }
  /** The question as the room's segment doc holds it once rebuilt from PostgreSQL (what any replica gets). */
  async function questionInRoom(question: MessageView): Promise<MessageView | undefined> {
    const loaded = await loadChannelDoc(db, {
      kind: 'channel-segment',
      channelId: coding,
      segment: segmentOf(question.seq),
    });
    return readMessages(loaded.doc, coding).find((m) => m.id === question.id);
  }
  const roomChanges = (changes: ChannelChange[]) => changes.filter((c) => c.channelId === coding);
  async function createdAtOf(messageId: string): Promise<string> {
    const { rows } = await db.query<{ created_at: Date }>('SELECT created_at FROM messages WHERE id = $1', [messageId]);
    return rows[0]!.created_at.toISOString();
  }

  beforeAll(async () => {
    ({ testDb, db } = await seededDatabase());
    deps = intentDeps(db, unlimitedRateLimiter);
    coding = await loungeRoomId(db, 'coding');
    asker = await createMember(db, 'asker');
    helpers = await Promise.all(['h1', 'h2', 'h3', 'h4'].map((h) => createMember(db, `helper_${h}`)));
  });
  afterAll(async () => {
    await db.close();
    await testDb.drop();
  });

  it('a new question shows no replies; each reply shows the count and the time of the last one, live and rebuilt', async () => {
    const { question, threadId } = await ask('How do I debounce a Solid signal?');
    expect(question).toMatchObject({ threadReplies: 0, threadLastReplyAt: null });

    const first = await accepted(helpers[0]!, sendIntent(threadId, 'Use a timer in createEffect.'));
    const live = roomChanges(first.changes);
    // What the room's subscribers receive: the question again, now with its thread's activity.
    expect(live).toHaveLength(1);
    const firstId = first.verdict.status === 'accepted' ? (first.verdict.messageId ?? '') : '';
    expect(live[0]).toMatchObject({
      kind: 'message',
      message: {
        id: question.id,
        body: question.body,
        threadId,
        threadReplies: 1,
        threadLastReplyAt: await createdAtOf(firstId),
      },
    });

    const second = await accepted(asker, sendIntent(threadId, 'Thanks, that works!'));
    const secondId = second.verdict.status === 'accepted' ? (second.verdict.messageId ?? '') : '';
    expect(await questionInRoom(question)).toMatchObject({
      threadReplies: 2,
      threadLastReplyAt: await createdAtOf(secondId),
    });
  });

  it('replies of several members in one batch count each once, with the batch’s last reply as the latest', async () => {
    const { question, threadId } = await ask('Why is my vite build slow?');
    const outcomes = await processBatch(
      deps,
      helpers.map((h, i) => ({
        userId: h.id,
        intents: [{ intentId: randomUUID(), raw: sendIntent(threadId, `Idea ${i + 1}: check the plugins.`) }],
      })),
    );
    const verdicts = outcomes.flat().map((o) => o.verdict);
    expect(verdicts.map((v) => v.status)).toEqual(['accepted', 'accepted', 'accepted', 'accepted']);
    const { rows } = await db.query<{ last: Date }>(
      'SELECT max(created_at) AS last FROM messages WHERE channel_id = $1',
      [threadId],
    );
    expect(await questionInRoom(question)).toMatchObject({
      threadReplies: 4,
      threadLastReplyAt: rows[0]!.last.toISOString(),
    });
  });

  it('a reply logs nothing about the thread’s state, but one that revives an auto-archived thread does', async () => {
    const { threadId } = await ask('Is there a linter for SQL?');
    const stateRows = async () =>
      (
        await db.query<{ n: number }>(
          `SELECT count(*)::int AS n FROM channel_changes WHERE channel_id = $1 AND kind = 'thread' AND payload->'thread'->>'id' = $2`,
          [coding, threadId],
        )
      ).rows[0]!.n;
    const before = await stateRows();
    await accepted(helpers[0]!, sendIntent(threadId, 'sqlfluff is one.'));
    expect(await stateRows()).toBe(before);

    await db.query(`UPDATE threads SET archived_at = now() WHERE id = $1`, [threadId]);
    const revived = await accepted(helpers[1]!, sendIntent(threadId, 'And pgFormatter for style.'));
    expect(roomChanges(revived.changes)).toContainEqual(
      expect.objectContaining({ kind: 'thread', thread: expect.objectContaining({ id: threadId, archived: false }) }),
    );
    expect(await stateRows()).toBe(before + 1);
    const meta = await loadChannelDoc(db, { kind: 'channel-meta', channelId: coding });
    expect(readMeta(meta.doc).threads.find((t) => t.id === threadId)).toMatchObject({ archived: false });
  });

  it('a reply to a question in an older segment marks that segment changed, so returning replicas re-sync it', async () => {
    const { question, threadId } = await ask('What is a good first open-source project?');
    // Move the room's head past the question's segment: the next message lands 256 seqs further on.
    await db.query('UPDATE channels SET last_seq = last_seq + 256 WHERE id = $1', [coding]);
    await accepted(asker, sendIntent(coding, 'Another question, much later?'));
    const metaBefore = readMeta((await loadChannelDoc(db, { kind: 'channel-meta', channelId: coding })).doc);
    expect(metaBefore.head).toBeGreaterThan(segmentOf(question.seq));

    const reply = await accepted(helpers[2]!, sendIntent(threadId, 'Try the good-first-issue label.'));
    const parentChange = roomChanges(reply.changes).find((c) => c.kind === 'message');
    const meta = readMeta((await loadChannelDoc(db, { kind: 'channel-meta', channelId: coding })).doc);
    expect(meta.segments.get(segmentOf(question.seq))).toBe(parentChange?.changeSeq);
    expect(await questionInRoom(question)).toMatchObject({ threadReplies: 1 });
  });

  it('a thread started from a message shows its first message as one reply, and the message’s words stay intact', async () => {
    const general = await loungeRoomId(db, 'general');
    const sent = await accepted(asker, sendIntent(general, 'Anyone up for a study group?'));
    const messageId = sent.verdict.status === 'accepted' ? sent.verdict.messageId : '';
    const made = await accepted(helpers[3]!, {
      kind: 'create_thread',
      roomId: general,
      title: 'Study group',
      body: 'Me! Tuesdays?',
      parentMessageId: messageId,
      n: 1,
      createdAt: Date.now(),
    });
    const parents = made.changes.filter((c) => c.kind === 'message' && c.message.id === messageId);
    // Logged once, with the thread and its first message.
    expect(parents).toHaveLength(1);
    expect(parents[0]).toMatchObject({
      channelId: general,
      message: { body: 'Anyone up for a study group?', threadReplies: 1, threadId: expect.any(String) },
    });
  });
});
