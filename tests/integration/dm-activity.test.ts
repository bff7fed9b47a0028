import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import * as Y from 'yjs';
import type { ChannelChange } from '../../shared/sync/channel-doc.ts';
import type { DmSummary } from '../../shared/sync/inbox.ts';
import type { Database } from '../../sync-server/db/database.ts';
import type { UserRow } from '../../sync-server/features/users/users-repo.ts';
import { processBatch, processIntent, type IntentDeps } from '../../sync-server/intents/process-intent.ts';
import { DmActivity } from '../../sync-server/sync/dm-activity.ts';
import { ChannelKinds } from '../../sync-server/sync/channel-kinds.ts';
import { inboxMap, loadInboxDoc, setInboxEntry } from '../../sync-server/sync/inbox-doc.ts';
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
 * A member learns of a new direct message without the conversation open: every participant's inbox keeps
 * the conversation's newest message (seq, time, author — never its words), live after each commit and as
 * rebuilt from PostgreSQL.
 */
describe('direct-message activity in the participants’ inboxes (PostgreSQL)', () => {
  let testDb: TestDatabase;
  let db: Database;
  let deps: IntentDeps;
  let ada: UserRow;
  let bob: UserRow;
  let cy: UserRow;

  async function accepted(user: UserRow, intent: Record<string, unknown>) {
    const outcome = await processIntent(deps, user.id, randomUUID(), intent);
    expect(outcome.verdict.status, JSON.stringify(outcome.verdict)).toBe('accepted');
    return outcome;
  }
  async function startDm(from: UserRow, to: UserRow[]): Promise<string> {
    const out = await accepted(from, {
      kind: 'start_dm',
      participantIds: to.map((u) => u.id),
      n: 1,
      createdAt: Date.now(),
    });
    return out.verdict.status === 'accepted' ? out.verdict.channelId! : '';
  }
  const dmsOf = async (user: UserRow) => inboxMap(await loadInboxDoc(db, user.id), 'dms');

  beforeAll(async () => {
    ({ testDb, db } = await seededDatabase());
    deps = intentDeps(db, unlimitedRateLimiter);
    ada = await createMember(db, 'dma_ada');
    bob = await createMember(db, 'dma_bob');
    cy = await createMember(db, 'dma_cy');
  });
  afterAll(async () => {
    await db.close();
    await testDb.drop();
  });

  it('a message in a conversation gives every participant its newest seq, time and author', async () => {
    const channelId = await startDm(ada, [bob]);
    // A new conversation, before anyone wrote: nothing to read yet.
    expect((await dmsOf(bob)).get(channelId)).toMatchObject({ lastSeq: 0, lastMessageAt: null, lastAuthorId: null });

    const first = await accepted(ada, sendIntent(channelId, 'Hi Bob!'));
    const second = await accepted(ada, sendIntent(channelId, 'Are you around?'));
    const activity = new DmActivity(db, new ChannelKinds(db));
    const entries = await activity.entriesFor([...first.changes, ...second.changes]);
    const { rows } = await db.query<{ created_at: Date }>(
      'SELECT created_at FROM messages WHERE channel_id = $1 ORDER BY seq DESC LIMIT 1',
      [channelId],
    );
    const expected = {
      channelId,
      isGroup: false,
      lastSeq: 2,
      lastMessageAt: rows[0]!.created_at.toISOString(),
      lastAuthorId: ada.id,
    };
    expect(entries.map((e) => e.userId).sort()).toEqual([ada.id, bob.id].sort());
    for (const entry of entries) expect(entry).toMatchObject({ map: 'dms', key: channelId, value: expected });
    // The words stay out of the inbox: a moderator's hide could not take them back from there.
    expect(JSON.stringify(entries)).not.toContain('Are you around');

    // Rebuilt from PostgreSQL (a node that loads Bob's inbox later), the same summary.
    expect((await dmsOf(bob)).get(channelId)).toMatchObject(expected);
  });

  it('room messages and batches of several conversations: only the conversations, each once per participant', async () => {
    const withBob = await startDm(cy, [bob]);
    const group = await startDm(cy, [ada, bob]);
    const general = await loungeRoomId(db);
    const outcomes = await processBatch(deps, [
      {
        userId: cy.id,
        intents: [withBob, group, withBob, general].map((channelId, i) => ({
          intentId: randomUUID(),
          raw: sendIntent(channelId, `message ${i}`),
        })),
      },
    ]);
    const changes: ChannelChange[] = outcomes.flat().flatMap((o) => o.changes);
    const entries = await new DmActivity(db, new ChannelKinds(db)).entriesFor(changes);
    const seen = entries.map((e) => `${e.key}:${e.userId}`).sort();
    expect(seen).toEqual(
      [
        `${withBob}:${cy.id}`,
        `${withBob}:${bob.id}`,
        `${group}:${cy.id}`,
        `${group}:${ada.id}`,
        `${group}:${bob.id}`,
      ].sort(),
    );
    expect(entries.find((e) => e.key === withBob)?.value).toMatchObject({ lastSeq: 2, lastAuthorId: cy.id });
  });

  it('an inbox never goes back to an older summary, and does not rewrite the one it holds', () => {
    const doc = new Y.Doc();
    const summary = (lastSeq: number): DmSummary => ({
      channelId: 'c1',
      isGroup: false,
      title: null,
      participantIds: ['a', 'b'],
      lastSeq,
      lastMessageAt: new Date(1_795_000_000_000 + lastSeq).toISOString(),
      lastAuthorId: 'a',
    });
    const write = (s: DmSummary) => setInboxEntry(doc, { userId: 'b', map: 'dms', key: 'c1', value: s });
    write(summary(5));
    const size = Y.encodeStateAsUpdate(doc).byteLength;
    write(summary(5));
    expect(Y.encodeStateAsUpdate(doc).byteLength).toBe(size);
    // Another node's delivery of an earlier message arrives late.
    write(summary(4));
    expect(inboxMap(doc, 'dms').get('c1')?.lastSeq).toBe(5);
    write(summary(6));
    expect(inboxMap(doc, 'dms').get('c1')?.lastSeq).toBe(6);
  });

  it('a member leaves a group: the others see it without them, the leaver loses it everywhere; two-person conversations cannot be left', async () => {
    const dee = await createMember(db, 'dma_dee');
    const group = await startDm(ada, [bob, dee]);
    await accepted(bob, sendIntent(group, 'see you all there'));
    const out = await accepted(dee, { kind: 'leave_dm', channelId: group, n: 1, createdAt: Date.now() });
    // Live: the others' summaries without Dee, Dee's entry removed, and her access revoked on every node.
    expect(out.inbox).toEqual(
      expect.arrayContaining([
        { userId: dee.id, map: 'dms', key: group, value: null },
        expect.objectContaining({
          userId: ada.id,
          value: expect.objectContaining({ participantIds: expect.arrayContaining([ada.id, bob.id]) }),
        }),
      ]),
    );
    expect(out.revoke).toEqual([{ userId: dee.id, channelId: group, reason: 'You left this conversation.' }]);
    // Rebuilt from PostgreSQL the same way.
    expect([...((await dmsOf(ada)).get(group)?.participantIds ?? [])].sort()).toEqual([ada.id, bob.id].sort());
    expect((await dmsOf(dee)).has(group)).toBe(false);
    // Her words stay for the others; she no longer writes there, nor leaves twice.
    const again = await processIntent(deps, dee.id, randomUUID(), sendIntent(group, 'one more thing'));
    expect(again.verdict.status).toBe('rejected');
    const twice = await processIntent(deps, dee.id, randomUUID(), {
      kind: 'leave_dm',
      channelId: group,
      n: 2,
      createdAt: Date.now(),
    });
    expect(twice.verdict).toMatchObject({ status: 'rejected', code: 'not_participant' });
    const pair = await startDm(ada, [cy]);
    const alone = await processIntent(deps, ada.id, randomUUID(), {
      kind: 'leave_dm',
      channelId: pair,
      n: 3,
      createdAt: Date.now(),
    });
    expect(alone.verdict).toMatchObject({ status: 'rejected', code: 'not_group' });
  });

  it('a conversation everyone else has gone from takes no message: nobody would read it', async () => {
    const eve = await createMember(db, 'dma_eve');
    const group = await startDm(eve, [bob, cy]);
    await accepted(bob, { kind: 'leave_dm', channelId: group, n: 1, createdAt: Date.now() });
    await accepted(eve, sendIntent(group, 'cy, still here?'));
    await accepted(cy, { kind: 'leave_dm', channelId: group, n: 1, createdAt: Date.now() });
    const unread = await processIntent(deps, eve.id, randomUUID(), sendIntent(group, 'hello?'));
    expect(unread.verdict).toMatchObject({
      status: 'rejected',
      code: 'nobody_there',
      reason: 'Everyone else left this conversation: there is nobody to write to.',
    });
    // A 1:1 whose other member deleted their account (deletion ends their part in every conversation).
    const pair = await startDm(eve, [ada]);
    await db.query('UPDATE dm_participants SET left_at = now() WHERE dm_thread_id = $1 AND user_id = $2', [
      pair,
      ada.id,
    ]);
    const gone = await processIntent(deps, eve.id, randomUUID(), sendIntent(pair, 'are you there?'));
    expect(gone.verdict).toMatchObject({ status: 'rejected', code: 'nobody_there' });
    const { rows } = await db.query<{ n: number }>(
      'SELECT count(*)::int AS n FROM messages WHERE channel_id = ANY($1::uuid[])',
      [[group, pair]],
    );
    expect(rows[0]!.n).toBe(1);
  });

  it('any member names a group for everyone in it, or unnames it; a conversation of two has no name', async () => {
    const group = await startDm(ada, [bob, cy]);
    const named = await accepted(bob, {
      kind: 'rename_dm',
      channelId: group,
      title: '  Hack night ',
      n: 1,
      createdAt: Date.now(),
    });
    expect(named.inbox.map((e) => e.userId).sort()).toEqual([ada.id, bob.id, cy.id].sort());
    expect((await dmsOf(cy)).get(group)?.title).toBe('Hack night');
    await accepted(ada, { kind: 'rename_dm', channelId: group, title: '', n: 2, createdAt: Date.now() });
    expect((await dmsOf(bob)).get(group)?.title).toBeNull();
    const outsider = await createMember(db, 'dma_out');
    const refused = await processIntent(deps, outsider.id, randomUUID(), {
      kind: 'rename_dm',
      channelId: group,
      title: 'mine now',
      n: 1,
      createdAt: Date.now(),
    });
    expect(refused.verdict).toMatchObject({ status: 'rejected', code: 'not_participant' });
    const pair = await startDm(bob, [cy]);
    const pairName = await processIntent(deps, bob.id, randomUUID(), {
      kind: 'rename_dm',
      channelId: pair,
      title: 'us',
      n: 3,
      createdAt: Date.now(),
    });
    expect(pairName.verdict).toMatchObject({ status: 'rejected', code: 'not_group' });
  });
});
