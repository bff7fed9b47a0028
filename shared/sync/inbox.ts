import type { Verdict } from './intents.ts';

/**
 * Layout of a member's inbox doc (server-written): what the client needs to know about *them* rather
 * than about a channel, synced like any doc so it is there offline.
 */
export interface DmSummary {
  channelId: string;
  isGroup: boolean;
  title: string | null;
  participantIds: string[];
  /** The conversation's newest message (absent from summaries written by older servers). */
  lastSeq?: number;
  lastMessageAt?: string | null;
  lastAuthorId?: string | null;
}

/** What a moderator did that concerns the member: to them in a room, or to a message of theirs. */
export type ModerationAction = 'warn' | 'mute' | 'unmute' | 'ban' | 'unban' | 'hide' | 'delete';

interface NotificationBase {
  /** The channel it happened in: a room's main chat or a thread (for actions on a member: the room). */
  channelId: string;
  /** The room that channel belongs to. */
  roomId: string;
  /** The thread, when the message is in one. */
  threadId: string | null;
  actorId: string | null;
  /** The actor's display name when it happened (so the list reads offline). */
  actorName: string | null;
  /**
   * The room's name when it happened: a project's or a learning path's room is in no list this device keeps
   * (absent from notifications written by older servers).
   */
  roomName?: string | null;
  /** Epoch ms. */
  at: number;
  read: boolean;
}

/**
 * Something that asks for the member's attention: a mention of them, a reply in a thread they started or
 * follow, or a moderator's action on them or on their message. A message's notification names where and who, never
 * the words (a moderator's hide must be able to take words back from every replica, and an inbox would keep
 * a copy); the app shows the message itself from its channel. A moderation notice carries the moderator's
 * reason, which is addressed to the member.
 */
export type NotificationEntry =
  | (NotificationBase & {
      kind: 'mention' | 'reply' | 'message_reply';
      messageId: string;
      seq: number;
      /** A reply in a thread the member follows rather than started (absent: not that, or an older server). */
      followed?: boolean;
    })
  | (NotificationBase & {
      kind: 'moderation';
      action: ModerationAction;
      reason: string;
      /** A timed mute's end (epoch ms). */
      until: number | null;
      /** The message acted on (a hide). */
      messageId: string | null;
      seq: number | null;
    });

export interface InboxMaps {
  verdicts: Verdict;
  /** Channel id -> why access was lost; the client purges that channel from its replica. */
  revoked: { reason: string; at: number };
  /** DM conversations the member takes part in. */
  dms: DmSummary;
  /** Members this member blocked / muted (their messages and presence are hidden on this member's devices). */
  blocked: true;
  muted: true;
  /** Notification id -> the notification; the newest ones only (NOTIFICATIONS_KEPT). */
  notifications: NotificationEntry;
  /**
   * Thread id -> whether the member follows it, where that was decided (they wrote there, or said Follow or
   * Unfollow); the newest THREAD_FOLLOWS_KEPT. A thread not listed is followed by its starter only.
   */
  follows: ThreadFollow;
}

export interface ThreadFollow {
  following: boolean;
  /** Epoch ms of the decision. */
  at: number;
}

/** How many thread follows an inbox doc keeps (most recently decided first); the rest stay in PostgreSQL. */
export const THREAD_FOLLOWS_KEPT = 200;

/** How many notifications an inbox doc keeps; older ones stay in PostgreSQL. */
export const NOTIFICATIONS_KEPT = 50;

export type InboxMapName = keyof InboxMaps;
