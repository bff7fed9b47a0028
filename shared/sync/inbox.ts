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

export interface InboxMaps {
  verdicts: Verdict;
  /** Channel id -> why access was lost; the client purges that channel from its replica. */
  revoked: { reason: string; at: number };
  /** DM conversations the member takes part in. */
  dms: DmSummary;
  /** Members this member blocked / muted (their messages and presence are hidden on this member's devices). */
  blocked: true;
  muted: true;
}

export type InboxMapName = keyof InboxMaps;
