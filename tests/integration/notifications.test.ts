import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import * as Y from 'yjs';
import type { ChannelChange, MessageView } from '../../shared/sync/channel-doc.ts';
import { NOTIFICATIONS_KEPT, type NotificationEntry } from '../../shared/sync/inbox.ts';
import type { Database } from '../../sync-server/db/database.ts';
import type { UserRow } from '../../sync-server/features/users/users-repo.ts';
import type { InboxEntry } from '../../sync-server/intents/handler-context.ts';
import {
  processBatch,
  processIntent,
  type IntentDeps,
  type IntentOutcome,
} from '../../sync-server/intents/process-intent.ts';
import { NotificationActivity } from '../../sync-server/notifications/notification-activity.ts';
import { ChannelKinds } from '../../sync-server/sync/channel-kinds.ts';
import { inboxMap, loadInboxDoc, setInboxEntry } from '../../sync-server/sync/inbox-doc.ts';
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

/**
 * "@eve" in a room, or a reply in the thread Eve started, shows up in Eve's notifications — on every device
 * of hers (her inbox doc), live after the commit and rebuilt from PostgreSQL — and goes quiet once she has
 * read it there.
 */
describe('notifications of mentions and thread replies (PostgreSQL)', () => {
  let testDb: TestDatabase;
  let db: Database;
  let deps: IntentDeps;
  let activity: NotificationActivity;
  let general: string;
  let coding: string; // a help room: each question opens a thread
  let ada: UserRow;
  let eve: UserRow;
  let max: UserRow;
  let moderator: UserRow;
  let n = 1000;

  async function outcome(user: UserRow, intent: Record<string, unknown>): Promise<IntentOutcome> {
    return processIntent(deps, user.id, randomUUID(), { n: n++, createdAt: Date.now(), ...intent });
  }
  async function accepted(user: UserRow, intent: Record<string, unknown>): Promise<IntentOutcome> {
    const out = await outcome(user, intent);
    expect(out.verdict.status, JSON.stringify(out.verdict)).toBe('accepted');
    return out;
  }
  /** The message as the channel last logged it (a help-room question is logged again with its thread). */
  const messageOf = (out: IntentOutcome, channelId: string): MessageView => {
    const change = out.changes.filter((c) => c.kind === 'message' && c.channelId === channelId).at(-1);
    if (change?.kind !== 'message') throw new Error('no message change');
    return change.message;
  };
  /** What the inboxes receive after the commit, per member. */
  async function delivered(changes: ChannelChange[]): Promise<Map<string, NotificationEntry[]>> {
    const byUser = new Map<string, NotificationEntry[]>();
    for (const entry of await activity.entriesFor(changes)) {
      if (entry.map !== 'notifications' || !entry.value) continue;
      byUser.set(entry.userId, [...(byUser.get(entry.userId) ?? []), entry.value]);
    }
    return byUser;
  }
  /** A member's notifications as their inbox doc holds them when rebuilt from PostgreSQL. */
  async function inboxOf(user: UserRow): Promise<Map<string, NotificationEntry>> {
    const doc = await loadInboxDoc(db, user.id);
    return new Map(inboxMap(doc, 'notifications').entries());
  }
  const notificationsFor = async (messageId: string) =>
    (
      await db.query<{ user_id: string; kind: string; read: boolean }>(
        'SELECT user_id, kind, read_at IS NOT NULL AS read FROM notifications WHERE message_id = $1 ORDER BY user_id',
        [messageId],
      )
    ).rows;

  beforeAll(async () => {
    ({ testDb, db } = await seededDatabase());
    deps = intentDeps(db, unlimitedRateLimiter);
    activity = new NotificationActivity(db, new ChannelKinds(db));
    general = await loungeRoomId(db, 'general');
    coding = await loungeRoomId(db, 'coding');
    ada = await createMember(db, 'ntf_ada');
    eve = await createMember(db, 'ntf_eve');
    max = await createMember(db, 'ntf_max');
    moderator = await createMember(db, 'ntf_mod');
    await setRole(db, general, moderator.id, 'moderator');
  });
  afterAll(async () => {
    await db.close();
    await testDb.drop();
  });

  it('a mention notifies the member mentioned, live and rebuilt, naming who and where but not the words', async () => {
    const out = await accepted(ada, sendIntent(general, 'thanks @ntf_eve, that fixed it'));
    const message = messageOf(out, general);
    const live = await delivered(out.changes);
    expect([...live.keys()]).toEqual([eve.id]);
    const expected: NotificationEntry = {
      kind: 'mention',
      channelId: general,
      roomId: general,
      threadId: null,
      messageId: message.id,
      seq: message.seq,
      actorId: ada.id,
      actorName: 'ntf_ada',
      // Named, so a device that lists no such room (a project's, a path's) still says where.
      roomName: 'General Chat',
      at: Date.parse(message.createdAt),
      read: false,
    };
    expect(live.get(eve.id)).toEqual([expected]);
    expect(JSON.stringify(live.get(eve.id))).not.toContain('fixed');
    // A device that loads Eve's inbox later gets the same entry.
    expect([...(await inboxOf(eve)).values()]).toContainEqual(expected);
    // The author is not notified of their own words.
    expect([...(await inboxOf(ada)).values()]).toEqual([]);
  });

  it('a reply in a thread notifies its starter once — a reply that also mentions them is one mention', async () => {
    const question = messageOf(await accepted(eve, sendIntent(coding, 'Why does my effect run twice?')), coding);
    const threadId = question.threadId!;
    expect(threadId).toBeTruthy();

    const reply = await accepted(max, sendIntent(threadId, 'Strict mode renders twice in dev.'));
    const live = await delivered(reply.changes);
    expect([...live.keys()]).toEqual([eve.id]);
    expect(live.get(eve.id)).toEqual([
      expect.objectContaining({ kind: 'reply', channelId: threadId, roomId: coding, threadId, actorId: max.id }),
    ]);

    // Max follows the thread since he replied in it (migration 0027): he is told too.
    const both = await accepted(ada, sendIntent(threadId, '@ntf_eve see the docs on effects'));
    expect(await notificationsFor(messageOf(both, threadId).id)).toEqual(
      [
        { user_id: eve.id, kind: 'mention', read: false },
        { user_id: max.id, kind: 'reply', read: false },
      ].sort((a, b) => a.user_id.localeCompare(b.user_id)),
    );

    // The starter answering in their own thread does not notify them; it does notify its followers.
    const own = await accepted(eve, sendIntent(threadId, 'Thanks both!'));
    expect((await notificationsFor(messageOf(own, threadId).id)).map((r) => r.user_id)).toEqual(
      [ada.id, max.id].sort(),
    );
    expect((await delivered(own.changes)).has(eve.id)).toBe(false);
  });

  it('a reply to a message notifies its author, live — a reply that also mentions them is one mention', async () => {
    const original = messageOf(await accepted(eve, sendIntent(general, 'Anyone tried the new eval harness?')), general);
    const reply = await accepted(max, sendIntent(general, 'Yes, it is great', { replyToId: original.id }));
    const answer = messageOf(reply, general);
    expect(await notificationsFor(answer.id)).toEqual([{ user_id: eve.id, kind: 'message_reply', read: false }]);
    const live = await delivered(reply.changes);
    expect([...live.keys()]).toEqual([eve.id]);
    expect(live.get(eve.id)).toEqual([
      expect.objectContaining({
        kind: 'message_reply',
        channelId: general,
        threadId: null,
        messageId: answer.id,
        actorId: max.id,
      }),
    ]);

    const both = await accepted(ada, sendIntent(general, '@ntf_eve same here', { replyToId: original.id }));
    expect(await notificationsFor(messageOf(both, general).id)).toEqual([
      { user_id: eve.id, kind: 'mention', read: false },
    ]);
    // Replying to your own message notifies no one.
    const own = await accepted(eve, sendIntent(general, 'Answering myself', { replyToId: original.id }));
    expect(await notificationsFor(messageOf(own, general).id)).toEqual([]);
  });

  it("a reply to a member's message in a thread says so, not merely that the thread has a reply", async () => {
    const question = messageOf(await accepted(eve, sendIntent(coding, 'How do I pin a dependency?')), coding);
    const threadId = question.threadId!;
    const hint = messageOf(await accepted(max, sendIntent(threadId, 'Use an exact version.')), threadId);
    const followUp = await accepted(ada, sendIntent(threadId, 'And commit the lockfile', { replyToId: hint.id }));
    expect(await notificationsFor(messageOf(followUp, threadId).id)).toEqual(
      [
        { user_id: eve.id, kind: 'reply', read: false },
        { user_id: max.id, kind: 'message_reply', read: false },
      ].sort((a, b) => a.user_id.localeCompare(b.user_id)),
    );
  });

  it("a thread made of another member's message notifies both its opener and the message's author", async () => {
    const message = messageOf(await accepted(max, sendIntent(general, 'Is anyone using Solid stores?')), general);
    const created = await accepted(eve, {
      kind: 'create_thread',
      roomId: general,
      title: 'Solid stores',
      body: 'Let us collect experiences here.',
      parentMessageId: message.id,
    });
    const threadId = created.verdict.status === 'accepted' ? created.verdict.channelId! : '';
    const reply = await accepted(ada, sendIntent(threadId, 'I use them for forms.'));
    const notified = await notificationsFor(messageOf(reply, threadId).id);
    expect(notified).toEqual(
      [
        { user_id: max.id, kind: 'reply', read: false },
        { user_id: eve.id, kind: 'reply', read: false },
      ].sort((a, b) => a.user_id.localeCompare(b.user_id)),
    );
  });

  it('a batch of several members mentioning the same member gives one notification per message', async () => {
    const [outcomes] = await processBatch(deps, [
      { userId: ada.id, intents: [{ intentId: randomUUID(), raw: sendIntent(general, 'batch one @ntf_max') }] },
      { userId: eve.id, intents: [{ intentId: randomUUID(), raw: sendIntent(general, 'batch two @ntf_max') }] },
    ]).then((groups) => [groups.flat()]);
    const changes = outcomes!.flatMap((o) => o.changes);
    const live = await delivered(changes);
    expect(
      live
        .get(max.id)
        ?.map((e) => e.actorId)
        .sort(),
    ).toEqual([ada.id, eve.id].sort());
    expect([...live.keys()]).toEqual([max.id]);
  });

  it('the same intent delivered again writes no second notification', async () => {
    const intentId = randomUUID();
    const intent = sendIntent(general, 'once only @ntf_max');
    const first = await processIntent(deps, ada.id, intentId, intent);
    const again = await processIntent(deps, ada.id, intentId, intent);
    expect(again.duplicate).toBe(true);
    const messageId = first.verdict.status === 'accepted' ? first.verdict.messageId! : '';
    expect(await notificationsFor(messageId)).toEqual([{ user_id: max.id, kind: 'mention', read: false }]);
  });

  it('a member who muted the author is not notified; nor is anyone in a direct message', async () => {
    await db.query('INSERT INTO user_mutes (muter_id, muted_id) VALUES ($1, $2)', [max.id, ada.id]);
    const muted = await accepted(ada, sendIntent(general, 'are you there @ntf_max?'));
    expect(await notificationsFor(messageOf(muted, general).id)).toEqual([]);
    await db.query('DELETE FROM user_mutes WHERE muter_id = $1', [max.id]);

    const dm = await accepted(ada, { kind: 'start_dm', participantIds: [eve.id] });
    const dmId = dm.verdict.status === 'accepted' ? dm.verdict.channelId! : '';
    const inDm = await accepted(ada, sendIntent(dmId, 'hey @ntf_eve'));
    expect(await notificationsFor(messageOf(inDm, dmId).id)).toEqual([]);
  });

  it('reading the channel up to the message reads its notification, on every device', async () => {
    const out = await accepted(ada, sendIntent(general, 'ping @ntf_eve about the deploy'));
    const message = messageOf(out, general);
    const read = await accepted(eve, { kind: 'mark_read', channelId: general, seq: message.seq });
    // The verdict's inbox entries: every notification of Eve's in this room up to that seq, now read.
    const entries = read.inbox.filter((e) => e.map === 'notifications');
    expect(entries.map((e) => e.value)).toContainEqual(expect.objectContaining({ messageId: message.id, read: true }));
    expect(entries.every((e) => e.userId === eve.id && (e.value as NotificationEntry).read)).toBe(true);
    expect([...(await inboxOf(eve)).values()].filter((e) => e.channelId === general && !e.read)).toEqual([]);
  });

  it('marks chosen notifications read, or all; another member’s ids are passed over', async () => {
    const a = messageOf(await accepted(ada, sendIntent(general, 'first @ntf_max')), general);
    const b = messageOf(await accepted(eve, sendIntent(general, 'second @ntf_max')), general);
    const idOf = async (messageId: string) =>
      (await db.query<{ id: string }>('SELECT id FROM notifications WHERE message_id = $1', [messageId])).rows[0]!.id;

    // Eve cannot mark Max's notification read.
    const foreign = await accepted(eve, { kind: 'read_notifications', ids: [await idOf(a.id)] });
    expect(foreign.inbox).toEqual([]);
    expect(await notificationsFor(a.id)).toEqual([{ user_id: max.id, kind: 'mention', read: false }]);

    const one = await accepted(max, { kind: 'read_notifications', ids: [await idOf(a.id)] });
    expect(one.inbox.map((e) => [e.userId, e.key, (e.value as NotificationEntry).read])).toEqual([
      [max.id, await idOf(a.id), true],
    ]);
    expect(await notificationsFor(b.id)).toEqual([{ user_id: max.id, kind: 'mention', read: false }]);

    await accepted(max, { kind: 'read_notifications', all: true });
    expect([...(await inboxOf(max)).values()].filter((e) => !e.read)).toEqual([]);

    // Bad input is refused with a reason and changes nothing.
    const bad = await outcome(max, { kind: 'read_notifications' });
    expect(bad.verdict.status).toBe('rejected');
  });

  it('a message hidden by a moderator no longer counts as unread for the member it mentioned', async () => {
    const out = await accepted(ada, sendIntent(general, 'rude thing @ntf_eve'));
    const message = messageOf(out, general);
    const hide = await accepted(moderator, { kind: 'hide', messageId: message.id, hidden: true, reason: 'rude' });
    const live = await delivered(hide.changes);
    expect(live.get(eve.id)).toEqual([expect.objectContaining({ messageId: message.id, read: true })]);
    // Eve's mention is settled; Ada, whose message it was, is told (see below).
    expect(await notificationsFor(message.id)).toEqual(
      [
        { user_id: eve.id, kind: 'mention', read: true },
        { user_id: ada.id, kind: 'moderation', read: false },
      ].sort((a, b) => a.user_id.localeCompare(b.user_id)),
    );
  });

  it("a moderator's warning, timed mute and hide reach the member with the reason, and stay until opened", async () => {
    const warn = await accepted(moderator, {
      kind: 'moderate_member',
      roomId: general,
      userId: ada.id,
      action: 'warn',
      reason: 'Keep it friendly, please.',
    });
    const [warned] = warn.inbox.filter((e) => e.map === 'notifications');
    expect(warned).toMatchObject({
      userId: ada.id,
      value: {
        kind: 'moderation',
        action: 'warn',
        reason: 'Keep it friendly, please.',
        channelId: general,
        roomId: general,
        messageId: null,
        until: null,
        // Which moderator acted is not on the member's devices: the notice says "A moderator".
        actorId: null,
        actorName: null,
        read: false,
      },
    });
    // Rebuilt the same on another device.
    expect((await inboxOf(ada)).get(warned!.key)).toEqual(warned!.value);

    const mute = await accepted(moderator, {
      kind: 'moderate_member',
      roomId: general,
      userId: ada.id,
      action: 'mute',
      durationMinutes: 30,
      reason: 'Cool off',
    });
    const muted = mute.inbox.find((e) => e.map === 'notifications')?.value;
    expect(muted).toMatchObject({ kind: 'moderation', action: 'mute', reason: 'Cool off' });
    const until = muted?.kind === 'moderation' ? muted.until : null;
    expect(until).toBeGreaterThan(Date.now() + 29 * 60_000);
    await accepted(moderator, { kind: 'moderate_member', roomId: general, userId: ada.id, action: 'unmute' });

    // Her message hidden: she is told which and why (and Eve's mention of it settles, as above).
    const message = messageOf(await accepted(ada, sendIntent(general, 'off-topic rant')), general);
    const hide = await accepted(moderator, { kind: 'hide', messageId: message.id, hidden: true, reason: 'Off topic' });
    expect(hide.inbox.filter((e) => e.map === 'notifications')).toEqual([
      expect.objectContaining({
        userId: ada.id,
        value: expect.objectContaining({
          kind: 'moderation',
          action: 'hide',
          reason: 'Off topic',
          messageId: message.id,
          seq: message.seq,
        }),
      }),
    ]);

    // Reading the room does not settle a moderator's notice; opening it does.
    const read = await accepted(ada, { kind: 'mark_read', channelId: general, seq: message.seq });
    expect(read.inbox.filter((e) => (e.value as NotificationEntry | null)?.kind === 'moderation')).toEqual([]);
    const open = await accepted(ada, { kind: 'read_notifications', ids: [warned!.key] });
    expect(open.inbox).toEqual([
      expect.objectContaining({ key: warned!.key, value: expect.objectContaining({ read: true }) }),
    ]);
    const unread = [...(await inboxOf(ada)).values()].filter((e) => e.kind === 'moderation' && !e.read);
    expect(unread.map((e) => (e.kind === 'moderation' ? e.action : null)).sort()).toEqual([
      'hide', // "rude thing", hidden in the test before
      'hide',
      'mute',
      'unmute',
    ]);
  });

  it(`an inbox keeps the newest ${NOTIFICATIONS_KEPT} notifications`, () => {
    const doc = new Y.Doc();
    const entry = (i: number): InboxEntry => ({
      userId: eve.id,
      map: 'notifications',
      key: `n${i}`,
      value: {
        kind: 'mention',
        channelId: general,
        roomId: general,
        threadId: null,
        messageId: randomUUID(),
        seq: i,
        actorId: ada.id,
        actorName: 'ntf_ada',
        at: 1_000 + i,
        read: false,
      },
    });
    for (let i = 0; i < NOTIFICATIONS_KEPT + 10; i++) setInboxEntry(doc, entry(i));
    // One older than all it keeps arrives late (another node): it is not kept either.
    setInboxEntry(doc, entry(-5));
    const keys = [...inboxMap(doc, 'notifications').keys()].sort((a, b) => Number(a.slice(1)) - Number(b.slice(1)));
    expect(keys).toHaveLength(NOTIFICATIONS_KEPT);
    expect(keys[0]).toBe('n10');
    expect(keys.at(-1)).toBe(`n${NOTIFICATIONS_KEPT + 9}`);
  });
});
