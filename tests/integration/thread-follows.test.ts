import { randomUUID } from 'node:crypto';
import { buffer } from 'node:stream/consumers';
import { unzipSync } from 'fflate';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ChannelChange, MessageView } from '../../shared/sync/channel-doc.ts';
import type { NotificationEntry, ThreadFollow } from '../../shared/sync/inbox.ts';
import type { Database } from '../../sync-server/db/database.ts';
import type { UserRow } from '../../sync-server/features/users/users-repo.ts';
import { processIntent, type IntentDeps, type IntentOutcome } from '../../sync-server/intents/process-intent.ts';
import { NotificationActivity } from '../../sync-server/notifications/notification-activity.ts';
import { deleteAccount } from '../../sync-server/privacy/delete-account.ts';
import { userExportZip } from '../../sync-server/privacy/user-export.ts';
import { ChannelKinds } from '../../sync-server/sync/channel-kinds.ts';
import { inboxMap, loadInboxDoc } from '../../sync-server/sync/inbox-doc.ts';
import {
  createMember,
  intentDeps,
  loungeRoomId,
  seededDatabase,
  sendIntent,
  setRole,
  unlimitedRateLimiter,
} from '../support/fixtures.ts';
import type { TestDatabase } from '../support/postgres.ts';
import { scratchAttachmentStore } from '../support/test-app.ts';

/**
 * Following a thread (migration 0027): who writes in a thread follows it, anyone who can read it may follow
 * or unfollow it, and followers are told of new replies like its starter — until they unfollow or lose the
 * room.
 */
describe('following threads (PostgreSQL)', () => {
  let testDb: TestDatabase;
  let db: Database;
  let deps: IntentDeps;
  let activity: NotificationActivity;
  let general: string;
  let coding: string; // a help room: each question opens a thread
  let asker: UserRow;
  let helper: UserRow;
  let watcher: UserRow;
  let other: UserRow;
  let n = 1;

  async function accepted(user: UserRow, intent: Record<string, unknown>): Promise<IntentOutcome> {
    const out = await processIntent(deps, user.id, randomUUID(), { n: n++, createdAt: Date.now(), ...intent });
    expect(out.verdict.status, JSON.stringify(out.verdict)).toBe('accepted');
    return out;
  }
  const messageOf = (out: IntentOutcome, channelId: string): MessageView => {
    const change = out.changes.filter((c) => c.kind === 'message' && c.channelId === channelId).at(-1);
    if (change?.kind !== 'message') throw new Error('no message change');
    return change.message;
  };
  /** Who a message notified, and how. */
  const notified = async (messageId: string) =>
    (
      await db.query<{ user_id: string; kind: string; followed: boolean }>(
        `SELECT user_id, kind, coalesce((payload->>'followed')::boolean, false) AS followed
           FROM notifications WHERE message_id = $1 ORDER BY user_id`,
        [messageId],
      )
    ).rows;
  const expected = (...rows: Array<{ user_id: string; kind: string; followed: boolean }>) =>
    rows.sort((a, b) => a.user_id.localeCompare(b.user_id));
  async function reply(user: UserRow, threadId: string, body: string): Promise<MessageView> {
    return messageOf(await accepted(user, sendIntent(threadId, body)), threadId);
  }
  async function question(user: UserRow, body: string): Promise<string> {
    return messageOf(await accepted(user, sendIntent(coding, body)), coding).threadId!;
  }
  const follow = (user: UserRow, threadId: string, following: boolean) =>
    accepted(user, { kind: 'follow_thread', threadId, following });
  async function followsOf(user: UserRow): Promise<Map<string, ThreadFollow>> {
    return new Map(inboxMap(await loadInboxDoc(db, user.id), 'follows').entries());
  }
  async function delivered(changes: ChannelChange[]) {
    const entries = await activity.entriesFor(changes);
    return {
      notifications: entries.flatMap((e) =>
        e.map === 'notifications' && e.value ? [{ userId: e.userId, value: e.value as NotificationEntry }] : [],
      ),
      follows: entries.flatMap((e) => (e.map === 'follows' ? [{ userId: e.userId, key: e.key, value: e.value }] : [])),
    };
  }

  beforeAll(async () => {
    ({ testDb, db } = await seededDatabase());
    deps = intentDeps(db, unlimitedRateLimiter);
    activity = new NotificationActivity(db, new ChannelKinds(db));
    general = await loungeRoomId(db, 'general');
    coding = await loungeRoomId(db, 'coding');
    asker = await createMember(db, 'tf_asker');
    helper = await createMember(db, 'tf_helper');
    watcher = await createMember(db, 'tf_watcher');
    other = await createMember(db, 'tf_other');
  });
  afterAll(async () => {
    await db.close();
    await testDb.drop();
  });

  it('a member who replies follows the thread: later replies notify them, never their own', async () => {
    const threadId = await question(asker, 'Why does my build fail on CI only?');
    const first = await accepted(helper, sendIntent(threadId, 'Which Node version does CI run?'));
    // The helper's follow reaches their devices with the reply (their inbox), and is there on a rebuild.
    const live = await delivered(first.changes);
    expect(live.follows).toEqual([
      { userId: helper.id, key: threadId, value: expect.objectContaining({ following: true }) },
    ]);
    expect((await followsOf(helper)).get(threadId)?.following).toBe(true);

    const next = await reply(other, threadId, 'Check the lockfile too.');
    expect(await notified(next.id)).toEqual(
      expected(
        { user_id: asker.id, kind: 'reply', followed: false },
        { user_id: helper.id, kind: 'reply', followed: true },
      ),
    );
    const nextLive = await delivered([
      { kind: 'message', channelId: threadId, message: next } as unknown as ChannelChange,
    ]);
    expect(nextLive.notifications.find((x) => x.userId === helper.id)?.value).toEqual(
      expect.objectContaining({ kind: 'reply', threadId, followed: true, actorId: other.id }),
    );
    // The starter's own entry does not say "followed": it is their thread.
    expect(nextLive.notifications.find((x) => x.userId === asker.id)?.value).not.toHaveProperty('followed');
    // A second reply of the helper's starts nothing new: no follow entry to send again.
    const again = await accepted(helper, sendIntent(threadId, 'Node 22 changed that.'));
    expect((await delivered(again.changes)).follows).toEqual([]);
    expect(await notified(messageOf(again, threadId).id)).toEqual(
      expected(
        { user_id: asker.id, kind: 'reply', followed: false },
        { user_id: other.id, kind: 'reply', followed: true },
      ),
    );
  });

  it('Follow makes a reader a follower; Unfollow stops it, on every device', async () => {
    const threadId = await question(asker, 'How do I profile a slow query?');
    const before = await reply(helper, threadId, 'EXPLAIN ANALYZE first.');
    expect((await notified(before.id)).map((r) => r.user_id)).toEqual([asker.id]);

    const followed = await follow(watcher, threadId, true);
    expect(followed.inbox).toEqual([
      { userId: watcher.id, map: 'follows', key: threadId, value: expect.objectContaining({ following: true }) },
    ]);
    const during = await reply(helper, threadId, 'Then look at the buffers.');
    expect(await notified(during.id)).toEqual(
      expected(
        { user_id: asker.id, kind: 'reply', followed: false },
        { user_id: watcher.id, kind: 'reply', followed: true },
      ),
    );

    await follow(watcher, threadId, false);
    expect((await followsOf(watcher)).get(threadId)?.following).toBe(false);
    const after = await reply(helper, threadId, 'And the planner settings.');
    expect((await notified(after.id)).map((r) => r.user_id)).toEqual([asker.id]);
    // Following twice is one row; an intent resent is answered once.
    await follow(watcher, threadId, true);
    await follow(watcher, threadId, true);
    const { rows } = await db.query('SELECT 1 FROM thread_follows WHERE thread_id = $1 AND user_id = $2', [
      threadId,
      watcher.id,
    ]);
    expect(rows).toHaveLength(1);
  });

  it("the thread's starter may unfollow it; writing there again follows it again", async () => {
    const threadId = await question(asker, 'Is there a way to cache Docker layers?');
    await follow(asker, threadId, false);
    const quiet = await reply(helper, threadId, 'Use BuildKit cache mounts.');
    expect(await notified(quiet.id)).toEqual([]);

    await reply(asker, threadId, 'Thanks, trying it.');
    const loud = await reply(helper, threadId, 'Also order your COPY lines.');
    expect((await notified(loud.id)).map((r) => r.user_id)).toEqual([asker.id]);
  });

  it('a follower who loses the room (banned, or out of a private room) is told nothing', async () => {
    const threadId = await question(asker, 'What is a good first issue?');
    const banned = await createMember(db, 'tf_banned');
    await follow(banned, threadId, true);
    await setRole(db, coding, banned.id, 'banned');
    const reply1 = await reply(helper, threadId, 'Look for the label.');
    expect((await notified(reply1.id)).map((r) => r.user_id)).not.toContain(banned.id);

    // A private room's thread: a follower whose membership ends hears nothing more.
    const channel = await db.query<{ id: string }>(`INSERT INTO channels (kind) VALUES ('room') RETURNING id`);
    const circle = channel.rows[0]!.id;
    await db.query(
      `INSERT INTO rooms (id, slug, name, room_type, is_private) VALUES ($1, 'tf-circle', 'Circle', 'circle', true)`,
      [circle],
    );
    for (const member of [asker, helper, watcher]) await setRole(db, circle, member.id, 'member');
    const created = await accepted(asker, { kind: 'create_thread', roomId: circle, title: 'Week 1', body: 'Hello' });
    const circleThread = created.verdict.status === 'accepted' ? created.verdict.channelId! : '';
    await follow(watcher, circleThread, true);
    await db.query('DELETE FROM room_memberships WHERE room_id = $1 AND user_id = $2', [circle, watcher.id]);
    const inCircle = await reply(helper, circleThread, 'Hi all');
    expect((await notified(inCircle.id)).map((r) => r.user_id)).toEqual([asker.id]);
    // Nor may somebody who cannot read it follow it.
    const refused = await processIntent(deps, other.id, randomUUID(), {
      kind: 'follow_thread',
      threadId: circleThread,
      following: true,
      n: n++,
      createdAt: Date.now(),
    });
    expect(refused.verdict.status).toBe('rejected');
  });

  it('a room message (no thread) follows nothing and costs no follow', async () => {
    const out = await accepted(helper, sendIntent(general, 'Good morning'));
    const { rows } = await db.query('SELECT 1 FROM thread_follows WHERE thread_id = $1', [messageOf(out, general).id]);
    expect(rows).toEqual([]);
    expect((await delivered(out.changes)).follows).toEqual([]);
  });

  it('followed threads are in the member’s data export and go with their account', async () => {
    const member = await createMember(db, 'tf_leaving');
    const threadId = await question(asker, 'Which editor plugin for Markdown?');
    await follow(member, threadId, true);
    const zip = unzipSync(new Uint8Array(await buffer(userExportZip(db, scratchAttachmentStore(), member.id))));
    const data = JSON.parse(new TextDecoder().decode(zip['lounge-export/data.json'])) as {
      threadsYouFollow: Array<{ threadId: string; title: string; room: string; following: boolean }>;
    };
    expect(data.threadsYouFollow).toEqual([
      expect.objectContaining({ threadId, title: 'Which editor plugin for Markdown?', following: true }),
    ]);

    await deleteAccount(db, member.id);
    const { rows } = await db.query('SELECT 1 FROM thread_follows WHERE user_id = $1', [member.id]);
    expect(rows).toEqual([]);
  });
});
