import { describe, expect, it } from 'vitest';
import type { Intent } from '../../../shared/sync/intents.ts';
import {
  actorsText,
  groupNotifications,
  isNotificationUnread,
  newestFirst,
  notificationText,
  pendingReads,
  type NotificationItem,
} from './notifications.ts';

type MessageNotification = Extract<NotificationItem, { kind: 'mention' | 'reply' | 'message_reply' }>;
type ModerationNotice = Extract<NotificationItem, { kind: 'moderation' }>;

const item = (id: string, over: Partial<MessageNotification> = {}): MessageNotification => ({
  id,
  kind: 'mention',
  channelId: 'room-1',
  roomId: 'room-1',
  threadId: null,
  messageId: `m-${id}`,
  seq: 10,
  actorId: 'ada',
  actorName: 'Ada',
  at: 1_000,
  read: false,
  ...over,
});
const notice = (id: string, over: Partial<ModerationNotice> = {}): ModerationNotice => ({
  id,
  kind: 'moderation',
  action: 'warn',
  reason: 'Please keep to the community guidelines.',
  until: null,
  channelId: 'room-1',
  roomId: 'room-1',
  threadId: null,
  messageId: null,
  seq: null,
  actorId: 'mod',
  actorName: 'Moe',
  at: 1_000,
  read: false,
  ...over,
});
const none = pendingReads([]);

describe('notifications on this device', () => {
  it('is unread until the server says read, the member reads its channel past it, or asks to mark it', () => {
    expect(isNotificationUnread(item('a'), 0, none)).toBe(true);
    expect(isNotificationUnread(item('a', { read: true }), 0, none)).toBe(false);
    // The room was read up to the message (here or on another device): read.
    expect(isNotificationUnread(item('a'), 10, none)).toBe(false);
    expect(isNotificationUnread(item('a'), 9, none)).toBe(true);
  });

  it('counts reads waiting in the outbox at once (offline too); "mark all" covers only what had arrived', () => {
    const outbox: Intent[] = [
      { kind: 'send', channelId: 'room-1', body: 'hi', n: 1, createdAt: 500 },
      { kind: 'read_notifications', ids: ['a'], n: 2, createdAt: 600 },
      { kind: 'read_notifications', all: true, n: 3, createdAt: 2_000 },
    ];
    const pending = pendingReads(outbox);
    expect(isNotificationUnread(item('a', { at: 3_000 }), 0, pending)).toBe(false);
    expect(isNotificationUnread(item('b', { at: 1_500 }), 0, pending)).toBe(false);
    // Arrived after the member marked all as read: still new.
    expect(isNotificationUnread(item('c', { at: 2_500 }), 0, pending)).toBe(true);
  });

  it("a moderator's notice stays unread until opened, however far the room was read", () => {
    expect(isNotificationUnread(notice('w'), 1_000, none)).toBe(true);
    expect(isNotificationUnread(notice('h', { action: 'hide', messageId: 'm1', seq: 5 }), 10, none)).toBe(true);
    expect(isNotificationUnread(notice('w', { read: true }), 0, none)).toBe(false);
  });

  it('says what a moderator did and why, without naming them', () => {
    expect(notificationText(notice('w'), 'Moe', 'General')).toBe(
      'A moderator warned you in General: Please keep to the community guidelines.',
    );
    expect(
      notificationText(notice('m', { action: 'mute', reason: 'Cool off' }), 'Moe', 'General', 'Nov 27, 10:00 AM'),
    ).toBe('A moderator muted you in General until Nov 27, 10:00 AM: Cool off');
    expect(notificationText(notice('h', { action: 'hide', reason: 'Off topic' }), 'Moe', 'Showcase')).toBe(
      'A moderator hid your message in Showcase: Off topic',
    );
    expect(notificationText(notice('d', { action: 'delete', reason: 'No sales posts' }), 'Moe', 'General')).toBe(
      'A moderator deleted your message in General: No sales posts',
    );
    expect(notificationText(notice('b', { action: 'ban', reason: 'Spam' }), 'Moe', 'General')).toBe(
      'You were banned from General: Spam',
    );
    expect(notificationText(notice('u', { action: 'unban', reason: '' }), 'Moe', 'General')).toBe(
      'Your ban from General was lifted',
    );
  });

  it('lists the newest first and says what happened', () => {
    const list = newestFirst([item('old', { at: 1 }), item('new', { at: 3 }), item('mid', { at: 2 })]);
    expect(list.map((n) => n.id)).toEqual(['new', 'mid', 'old']);
    expect(notificationText(item('a'), 'Ada', 'General')).toBe('Ada mentioned you in General');
    expect(notificationText(item('a', { threadId: 't1' }), 'Ada', 'General')).toBe(
      'Ada mentioned you in a thread in General',
    );
    expect(notificationText(item('a', { kind: 'reply', threadId: 't1' }), 'Ben', 'Coding Help')).toBe(
      'Ben replied to your thread in Coding Help',
    );
    expect(notificationText(item('a', { kind: 'reply', threadId: 't1', followed: true }), 'Ben', 'Coding Help')).toBe(
      'Ben replied to a thread you follow in Coding Help',
    );
    expect(notificationText(item('a', { kind: 'message_reply' }), 'Cy', 'General')).toBe(
      'Cy replied to your message in General',
    );
    expect(notificationText(item('a', { kind: 'message_reply', threadId: 't1' }), 'Cy', 'General')).toBe(
      'Cy replied to your message in a thread in General',
    );
  });

  it('groups the replies of one thread that share a read state into one row, placed at the newest', () => {
    const reply = (id: string, at: number, threadId: string, actorName: string) =>
      item(id, { kind: 'reply', at, threadId, channelId: threadId, actorName });
    const list = [
      reply('r1', 1, 't1', 'Ben'),
      item('m1', { at: 2 }),
      reply('r2', 3, 't1', 'Ada'),
      reply('r3', 4, 't2', 'Cy'),
      reply('r4', 5, 't1', 'Ben'),
      // A reply to the member's own message in that thread stands alone: it is about them.
      item('q1', { kind: 'message_reply', at: 6, threadId: 't1', channelId: 't1' }),
    ];
    const seen = new Set(['r1']);
    const rows = groupNotifications(list, (n) => !seen.has(n.id));
    expect(rows.map((r) => [r.key, r.items.map((n) => n.id), r.unread])).toEqual([
      ['q1', ['q1'], true],
      ['reply:t1:new', ['r4', 'r2'], true],
      ['reply:t2:new', ['r3'], true],
      ['m1', ['m1'], true],
      ['reply:t1:seen', ['r1'], false],
    ]);
    expect(actorsText(rows[1]!.items.map((n) => n.actorName ?? ''))).toBe('Ben and Ada');
  });

  it('names who did it, each once, and how many more', () => {
    expect(actorsText(['Ben'])).toBe('Ben');
    expect(actorsText(['Ben', 'Ben', 'Ada'])).toBe('Ben and Ada');
    expect(actorsText(['Ben', 'Ada', 'Cy'])).toBe('Ben, Ada and Cy');
    expect(actorsText(['Ben', 'Ada', 'Cy', 'Di', 'Ben'])).toBe('Ben, Ada and 2 others');
  });
});
