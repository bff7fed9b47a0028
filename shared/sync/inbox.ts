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

/**
 * Something that asks for the member's attention: a mention of them, a reply in a thread they started.
 * It names where and who, never the words (a moderator's hide must be able to take words back from every
 * replica, and an inbox would keep a copy); the app shows the message itself from its channel.
 */
export interface NotificationEntry {
  kind: 'mention' | 'reply';
  /** The channel the message is in: a room's main chat or a thread. */
  channelId: string;
  /** The room that channel belongs to. */
  roomId: string;
  /** The thread, when the message is in one. */
  threadId: string | null;
  messageId: string;
  seq: number;
  actorId: string | null;
  /** The author's display name when it was written (so the list reads offline). */
  actorName: string | null;
  /** Epoch ms of the message. */
  at: number;
  read: boolean;
}

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
}

/** How many notifications an inbox doc keeps; older ones stay in PostgreSQL. */
export const NOTIFICATIONS_KEPT = 50;

export type InboxMapName = keyof InboxMaps;
