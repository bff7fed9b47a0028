import type { ChannelChange } from '../../shared/sync/channel-doc.ts';
import type { InboxMapName, InboxMaps } from '../../shared/sync/inbox.ts';
import type { Queryable } from '../db/database.ts';
import type { ModerationDeps } from '../moderation/moderation-deps.ts';
import type { RateLimiter } from '../rate-limit/rate-limiter.ts';

/** What every intent handler gets: the transaction, the member, and the services it may consult. */
export interface HandlerContext {
  tx: Queryable;
  userId: string;
  intentId: string;
  now: Date;
  rateLimiter: RateLimiter;
  moderation: ModerationDeps;
}

export interface HandlerResult {
  status: 'accepted' | 'held';
  /** For held intents: why, in words the author reads. */
  reason?: string;
  messageId?: string;
  channelId?: string;
  seq?: number;
  /** The channel changes this intent committed, in order; applied to docs and fanned out after commit. */
  changes: ChannelChange[];
  /** Entries of members' inbox docs this intent changed (a new DM shows up in every participant's list). */
  inbox?: InboxEntry[];
  /** Members who lost access to a room (ban): their subscriptions close and their replicas purge it. */
  revoke?: Revocation[];
  /** Messages whose words changed, for Layer-2 (AI) moderation after commit. */
  moderate?: string[];
}

export interface Revocation {
  userId: string;
  channelId: string;
  reason: string;
}

export type InboxEntry = {
  [M in InboxMapName]: { userId: string; map: M; key: string; value: InboxMaps[M] | null };
}[InboxMapName];
