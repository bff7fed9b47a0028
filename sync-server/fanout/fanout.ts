import type { ChannelChange } from '../../shared/sync/channel-doc.ts';
import type { Verdict } from '../../shared/sync/intents.ts';
import type { InboxEntry } from '../intents/handler-context.ts';

/**
 * Cross-node fan-out. A node publishes what it committed; every node that holds the topic's docs
 * applies it. Topics are per channel, per doc and per user, and a node subscribes only to the topics of
 * docs it has loaded, so traffic goes only to nodes with subscribers.
 * Delivery is best effort: a lost message is repaired by the change_seq catch-up against Postgres.
 */
export type FanoutEvent =
  | { kind: 'changes'; changes: ChannelChange[] }
  /** A raw Yjs update of a multi-writer doc (private docs). Base64. */
  | { kind: 'doc-update'; docName: string; update: string }
  /** A raw y-protocols awareness update of a channel meta doc. Base64. */
  | { kind: 'awareness'; docName: string; update: string }
  /** Verdicts of a member's intents, in the order they were decided. */
  | { kind: 'verdicts'; userId: string; verdicts: Array<{ intentId: string; verdict: Verdict }> }
  /** An entry of a member's inbox doc changed (a new DM, a block). */
  | { kind: 'inbox'; entry: InboxEntry }
  /** The user lost access to a channel: close those docs and tell the client to purge them. */
  | { kind: 'revoke'; userId: string; channelId: string; reason: string }
  /** The user's account was deleted: every node ends their connections and tells their devices. */
  | { kind: 'account-deleted'; userId: string; reason: string }
  /** Who may read this room changed: every node re-checks the connections subscribed to it or its threads. */
  | { kind: 'recheck'; roomId: string; reason: string }
  /** A node started holding this multi-writer doc: nodes that hold it too answer with their state. */
  | { kind: 'doc-hello'; docName: string };

export interface FanoutEnvelope {
  origin: string;
  event: FanoutEvent;
}

export type FanoutHandler = (envelope: FanoutEnvelope) => void;

export interface Fanout {
  readonly nodeId: string;
  /** Resolves to how many other nodes were subscribed to the topic when it was published. */
  publish(topic: string, event: FanoutEvent): Promise<number>;
  /** Returns a function that removes this handler (and the topic subscription when it was the last). */
  subscribe(topic: string, handler: FanoutHandler): Promise<() => Promise<void>>;
  close(): Promise<void>;
}

export const topics = {
  channel: (channelId: string) => `lounge:ch:${channelId}`,
  doc: (docName: string) => `lounge:doc:${docName}`,
  user: (userId: string) => `lounge:user:${userId}`,
  /** Rare, room-wide access changes; every node listens. */
  access: () => 'lounge:access',
};
