import type { NotificationEntry } from '../../../shared/sync/inbox.ts';
import type { Intent } from '../../../shared/sync/intents.ts';

/** A notification with its id (the key of the inbox map). */
export type NotificationItem = NotificationEntry & { id: string };

/**
 * Reads this device has asked for and the server has not answered yet: they count at once, also offline.
 * `allUpTo` is the time of the newest "mark all as read" (it covers what had arrived by then only).
 */
export interface PendingReads {
  ids: ReadonlySet<string>;
  allUpTo: number | null;
}

/** The reads waiting in the member's outbox. */
export function pendingReads(outbox: Iterable<Intent>): PendingReads {
  const ids = new Set<string>();
  let allUpTo: number | null = null;
  for (const intent of outbox) {
    if (intent.kind !== 'read_notifications') continue;
    if (intent.all) allUpTo = Math.max(allUpTo ?? 0, intent.createdAt);
    for (const id of intent.ids ?? []) ids.add(id);
  }
  return { ids, allUpTo };
}

/**
 * A notification still asks for the member's attention: the server has not marked it read, this device has
 * not asked to, and the member has not read its channel past the message (reading it where it was written
 * is reading the notification, as the server also records; not for a moderator's notice).
 */
export function isNotificationUnread(n: NotificationItem, channelReadSeq: number, pending: PendingReads): boolean {
  if (n.read || pending.ids.has(n.id)) return false;
  if (pending.allUpTo !== null && n.at <= pending.allUpTo) return false;
  // A moderator's notice is read when the member opens it, not by scrolling past the message.
  if (n.kind === 'moderation') return true;
  return n.seq > channelReadSeq;
}

/**
 * One row of the list: a notification, or the replies in one of the member's threads (started or followed) that share a read
 * state ("Ben and Ada replied to your thread…" instead of a row per reply in a busy help thread).
 */
export interface NotificationGroup {
  key: string;
  /** Newest first. */
  items: NotificationItem[];
  unread: boolean;
}

/** The list's rows, newest first (a group where its newest reply is). */
export function groupNotifications(
  items: readonly NotificationItem[],
  isUnread: (n: NotificationItem) => boolean,
): NotificationGroup[] {
  const rows: NotificationGroup[] = [];
  const replies = new Map<string, NotificationGroup>();
  for (const n of newestFirst(items)) {
    const unread = isUnread(n);
    if (n.kind !== 'reply') {
      rows.push({ key: n.id, items: [n], unread });
      continue;
    }
    const key = `reply:${n.threadId ?? n.channelId}:${unread ? 'new' : 'seen'}`;
    const group = replies.get(key);
    if (group) {
      group.items.push(n);
    } else {
      const created = { key, items: [n], unread };
      replies.set(key, created);
      rows.push(created);
    }
  }
  return rows;
}

/** "Ben", "Ben and Ada", "Ben, Ada and Cy", "Ben, Ada and 2 others": who, newest first, each once. */
export function actorsText(names: readonly string[]): string {
  const distinct = [...new Set(names)];
  if (distinct.length <= 1) return distinct[0] ?? 'Someone';
  if (distinct.length === 2) return `${distinct[0]} and ${distinct[1]}`;
  if (distinct.length === 3) return `${distinct[0]}, ${distinct[1]} and ${distinct[2]}`;
  return `${distinct[0]}, ${distinct[1]} and ${distinct.length - 2} others`;
}

/** Newest first; the same moment by id, so the order never jumps. */
export function newestFirst(items: readonly NotificationItem[]): NotificationItem[] {
  return [...items].sort((a, b) => b.at - a.at || a.id.localeCompare(b.id));
}

/**
 * What happened, in words: "Ada mentioned you in General", "Ada mentioned you in a thread in General",
 * "Ben replied to your thread in Coding Help", "Ben replied to a thread you follow in Coding Help", "Cy replied to your message in General", "A moderator hid your message in General: Off topic".
 * A moderator is not named: the notice speaks for the room's moderators.
 */
export function notificationText(n: NotificationItem, who: string, room: string, until?: string): string {
  switch (n.kind) {
    case 'reply':
      return n.followed
        ? `${who} replied to a thread you follow in ${room}`
        : `${who} replied to your thread in ${room}`;
    case 'message_reply':
      return n.threadId
        ? `${who} replied to your message in a thread in ${room}`
        : `${who} replied to your message in ${room}`;
    case 'mention':
      return n.threadId ? `${who} mentioned you in a thread in ${room}` : `${who} mentioned you in ${room}`;
    case 'moderation': {
      const why = n.reason ? `: ${n.reason}` : '';
      switch (n.action) {
        case 'warn':
          return `A moderator warned you in ${room}${why}`;
        case 'mute':
          return `A moderator muted you in ${room}${until ? ` until ${until}` : ''}${why}`;
        case 'unmute':
          return `You can write in ${room} again`;
        case 'ban':
          return `You were banned from ${room}${why}`;
        case 'unban':
          return `Your ban from ${room} was lifted`;
        case 'hide':
          return `A moderator hid your message in ${room}${why}`;
        case 'delete':
          return `A moderator deleted your message in ${room}${why}`;
      }
    }
  }
}

/** "2 unread notifications": the name of the header's link while some wait. */
export function notificationsLabel(unread: number): string {
  if (unread === 0) return 'Notifications';
  return `Notifications, ${unread} unread`;
}
