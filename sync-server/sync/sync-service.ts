import * as awarenessProtocol from 'y-protocols/awareness';
import * as syncProtocol from 'y-protocols/sync';
import * as decoding from 'lib0/decoding';
import * as encoding from 'lib0/encoding';
import type { Logger } from 'pino';
import * as Y from 'yjs';
import {
  decodeAwarenessPayload,
  encodeAwarenessPayload,
  NoticeCode,
  SYNC_LIMITS,
} from '../../shared/protocol/frames.ts';
import { can } from '../../shared/rules/permissions.ts';
import { mayLink } from '../../shared/markdown/message-markdown.ts';
import {
  inboxDocName,
  isServerOwned,
  parseDocName,
  privateDocName,
  type DocName,
} from '../../shared/sync/doc-names.ts';
import type { Verdict } from '../../shared/sync/intents.ts';
import { accessKey, loadChannelAccessMany, readChannelAccess } from '../access/channel-access.ts';
import type { Database } from '../db/database.ts';
import { topics, type Fanout } from '../fanout/fanout.ts';
import type { PresenceStore } from '../presence/presence-store.ts';
import { OutboxProcessor } from '../intents/outbox-processor.ts';
import type { IntentDeps, IntentOutcome } from '../intents/process-intent.ts';
import { IntentBatcher, type ProcessedGroup } from '../intents/intent-batcher.ts';
import { randomUUID } from 'node:crypto';
import {
  encodeAwarenessEntries,
  MAX_AWARENESS_CLIENTS_PER_PEER,
  stampAwarenessUpdate,
  type PresenceState,
} from './awareness-stamp.ts';
import { ChannelSync } from './channel-sync.ts';
import { DocRegistry } from './doc-registry.ts';
import type { HostedDoc } from './hosted-doc.ts';
import { hostChannelDoc, hostInboxDoc, hostPrivateDoc, type DocHostDeps, type HostedDocLoad } from './doc-hosts.ts';
import { DmActivity } from './dm-activity.ts';
import { ChannelKinds } from './channel-kinds.ts';
import { NotificationActivity } from '../notifications/notification-activity.ts';
import { setInboxEntry, setVerdicts, setRevoked } from './inbox-doc.ts';
import type { InboxEntry } from '../intents/handler-context.ts';
import type { NotificationEntry } from '../../shared/sync/inbox.ts';
import type { SyncPeer } from './sync-peer.ts';
import type { SnapshotScheduler } from '../../workers/snapshot-scheduler.ts';

/** A notification a batch just made, unread. */
export interface NewNotification {
  id: string;
  userId: string;
  notification: NotificationEntry;
}

/** How often the node looks in PostgreSQL for held intents coming due (see wakeHeldIntents). */
const HELD_SWEEP_MS = 60_000;

export interface SyncServiceOptions {
  db: Database;
  fanout: Fanout;
  presence: PresenceStore;
  intents: IntentDeps;
  logger: Logger;
  /** How long a doc without subscribers stays loaded. */
  idleUnloadMs?: number;
  /** How often loaded channel docs are compared with Postgres. */
  catchUpIntervalMs?: number;
  /**
   * Told of the new unread notifications a batch made (mentions, replies, moderation notices), after
   * they reached the inboxes: email and SMS are scheduled from here (absent when both are off).
   */
  onNotified?: (notifications: NewNotification[]) => Promise<void>;
  /** Told of the new messages a batch wrote in direct-message conversations (for push; absent when off). */
  onDirectMessages?: (messageIds: string[]) => Promise<void>;
  /** Hands new or edited messages to Layer-2 moderation (absent when it is off). */
  moderateMessages?: (messageIds: string[]) => Promise<void>;
  /** Hands new or edited messages with a web address to the link-preview job (absent when previews are off). */
  unfurlMessages?: (messageIds: string[]) => Promise<void>;
  /** Test-only fault injection: called after an intent commits and before anything is broadcast. */
  afterCommitHook?: () => void;
  /** Snapshot scheduling (workers/): told about loads and changes of channel docs. */
  snapshots?: SnapshotScheduler;
  /** Group commit: most intents per transaction, and transactions in flight at once. */
  intentBatch?: { maxBatch: number; maxInFlight: number };
}

// How long one connection's read decision for a channel is reused: the meta doc, then its segments,
// and the next head segment when the log rolls over (every subscriber of a busy room at once). It
// widens nothing: the connection keeps its meta subscription anyway, and a revocation clears it.
const READ_GRANT_MS = 60_000;

export class AccessRefused extends Error {
  constructor(
    readonly code: NoticeCode,
    message: string,
  ) {
    super(message);
  }
}

/**
 * The sync engine of one node: who may subscribe to what, loading and unloading docs, applying what
 * clients send (private docs only), presence, and turning outbox intents into committed changes.
 */
export class SyncService {
  readonly registry: DocRegistry;
  readonly channels: ChannelSync;
  private readonly outbox: OutboxProcessor;
  private readonly heldSweep: NodeJS.Timeout;
  private readonly batcher: IntentBatcher;
  private readonly accessTopic: Promise<() => Promise<void>>;
  private readonly db: Database;
  private readonly dmActivity: DmActivity;
  private readonly notificationActivity: NotificationActivity;
  private readonly kinds: ChannelKinds;
  private readonly fanout: Fanout;
  private readonly logger: Logger;
  private readonly presence: PresenceStore;
  /** Awareness client ids each peer announced per doc, removed when the peer leaves. */
  private readonly peerAwareness = new Map<SyncPeer, Map<string, Set<number>>>();
  private readonly users = new Map<string, PresenceState['user']>();
  /** Channels where each connection's member was last reported typing. */
  private readonly typingPeers = new Map<SyncPeer, Set<string>>();
  /** Recent read decisions per connection: channel id -> when, and the room that governs it. */
  private readonly readGrants = new Map<SyncPeer, Map<string, { at: number; roomId: string | null }>>();

  constructor(private readonly options: SyncServiceOptions) {
    this.db = options.db;
    this.kinds = new ChannelKinds(options.db);
    this.dmActivity = new DmActivity(options.db, this.kinds);
    this.notificationActivity = new NotificationActivity(options.db, this.kinds);
    this.fanout = options.fanout;
    this.logger = options.logger;
    this.presence = options.presence;
    this.channels = new ChannelSync(options.db, options.fanout, options.logger, options.catchUpIntervalMs ?? 2000);
    this.registry = new DocRegistry(
      { load: (name, parsed) => this.load(name, parsed), afterLoad: (hosted) => this.afterLoad(hosted) },
      options.logger,
      options.idleUnloadMs ?? 30_000,
    );
    this.batcher = new IntentBatcher(
      options.intents,
      options.intentBatch ?? { maxBatch: 256, maxInFlight: 2 },
      options.logger,
      (processed) => this.deliverCommitted(processed),
    );
    // A member's next intents need the previous ones committed (their seqs follow), not delivered: the
    // delivery (docs, fan-out, verdicts) runs beside their transaction instead of ahead of it.
    this.outbox = new OutboxProcessor(
      (group) => this.batcher.submit(group, 'committed'),
      options.logger,
      async (userId) => {
        const name = privateDocName(userId);
        const parsed = parseDocName(name);
        if (!parsed) throw new Error(`not a private doc name: ${name}`);
        return (await this.registry.use(name, parsed)).doc;
      },
    );
    const sweepHeld = () =>
      void this.wakeHeldIntents().catch((err: unknown) =>
        options.logger.warn({ err }, 'could not read the held intents to send'),
      );
    sweepHeld();
    this.heldSweep = setInterval(sweepHeld, HELD_SWEEP_MS);
    this.heldSweep.unref();
    this.accessTopic = this.fanout.subscribe(topics.access(), (envelope) => {
      if (envelope.event.kind === 'recheck') void this.recheckLocally(envelope.event.roomId, envelope.event.reason);
    });
    this.accessTopic.catch((err: unknown) => this.logger.error({ err }, 'could not listen for access changes'));
  }

  /**
   * Everything that follows a committed batch of intents: apply and fan out its changes (once per
   * channel for the whole batch), update inboxes, revoke access, answer the verdicts, and queue Layer-2
   * moderation. Runs after the commit, never inside it.
   */
  async deliverCommitted(processed: readonly ProcessedGroup[]): Promise<void> {
    this.options.afterCommitHook?.();
    const outcomes = processed.flatMap((p) => p.outcomes);
    const changes = outcomes.flatMap((o) => o.changes);
    if (changes.length > 0) await this.channels.committed(changes);
    const notified: NewNotification[] = [];
    const noteNew = (entry: InboxEntry) => {
      if (entry.map === 'notifications' && entry.value && !entry.value.read)
        notified.push({ id: entry.key, userId: entry.userId, notification: entry.value });
    };
    for (const outcome of outcomes) {
      for (const entry of outcome.inbox) {
        await this.deliverInboxEntry(entry);
        noteNew(entry);
      }
      for (const r of outcome.revoke) await this.revokeAccess(r.userId, r.channelId, r.reason).catch(() => {});
    }
    // Conversations that moved on: each participant's inbox shows it (unread, order), on every device.
    const dmEntries = await this.dmActivity.entriesFor(changes).catch((err: unknown) => {
      this.logger.warn({ err }, 'could not read the activity of direct messages');
      return [];
    });
    for (const entry of dmEntries) await this.deliverInboxEntry(entry);
    // Mentions and thread replies: the notified members' inboxes, on every device.
    const notificationEntries = await this.notificationActivity.entriesFor(changes).catch((err: unknown) => {
      this.logger.warn({ err }, 'could not read the notifications of new messages');
      return [];
    });
    for (const entry of notificationEntries) {
      await this.deliverInboxEntry(entry);
      noteNew(entry);
    }
    if (this.options.onDirectMessages) {
      // New messages are the accepted sends (an edit or a reaction logs a message change too).
      const sent = processed.flatMap(({ group, outcomes: list }) =>
        list.flatMap((o, i) => {
          const raw = group.intents[i]?.raw as { kind?: unknown } | undefined;
          return raw?.kind === 'send' &&
            !o.duplicate &&
            o.verdict.status === 'accepted' &&
            o.verdict.messageId &&
            o.verdict.channelId
            ? [{ messageId: o.verdict.messageId, channelId: o.verdict.channelId }]
            : [];
        }),
      );
      if (sent.length > 0) {
        const kinds = await this.kinds.of([...new Set(sent.map((s) => s.channelId))]).catch(() => new Map());
        const inDms = sent.filter((s) => kinds.get(s.channelId) === 'dm').map((s) => s.messageId);
        if (inDms.length > 0)
          await this.options
            .onDirectMessages(inDms)
            .catch((err: unknown) => this.logger.warn({ err }, 'could not schedule direct-message pushes'));
      }
    }
    if (this.options.onNotified && notified.length > 0)
      await this.options
        .onNotified(notified)
        .catch((err: unknown) => this.logger.warn({ err }, 'could not schedule notification emails or texts'));
    await Promise.all(
      processed.map(({ group, outcomes: list }) =>
        this.deliverVerdicts(
          group.userId,
          list.map((o, i) => ({ intentId: group.intents[i]!.intentId, verdict: o.verdict })),
        ),
      ),
    );
    const moderate = outcomes.flatMap((o) => o.moderate);
    if (moderate.length > 0 && this.options.moderateMessages) {
      await this.options
        .moderateMessages(moderate)
        .catch((err: unknown) =>
          this.logger.warn({ err, messages: moderate.length }, 'could not queue layer-2 moderation'),
        );
    }
    if (moderate.length > 0 && this.options.unfurlMessages) {
      // Only words with an address in them: most messages have none, and a job each would be wasted.
      const written = new Set(moderate);
      const linked = outcomes
        .flatMap((o) => o.changes)
        .filter((c) => c.kind === 'message' && written.has(c.message.id) && mayLink(c.message.body))
        .map((c) => (c.kind === 'message' ? c.message.id : ''));
      if (linked.length > 0)
        await this.options
          .unfurlMessages([...new Set(linked)])
          .catch((err: unknown) => this.logger.warn({ err }, 'could not queue link previews'));
    }
  }

  /** Processes an intent that arrives over REST (moderator tools) exactly like one from an outbox. */
  async runIntent(userId: string, intent: unknown, intentId: string = randomUUID()): Promise<IntentOutcome> {
    const [outcome] = await this.batcher.submit({ userId, intents: [{ intentId, raw: intent }] });
    return outcome!;
  }

  // ---- subscriptions ----------------------------------------------------------------------------

  /** Authorizes a subscription; throws AccessRefused with a reason the client can show. */
  async authorize(peer: SyncPeer, parsed: DocName): Promise<void> {
    const userId = peer.userId;
    switch (parsed.kind) {
      case 'inbox':
      case 'private':
        if (parsed.userId !== userId) throw new AccessRefused(NoticeCode.forbidden, "That is another member's doc.");
        return;
      case 'channel-meta':
      case 'channel-segment': {
        // A room opens as its meta doc and then its head segment, and later subscribes each new head:
        // one decision serves them all. A revocation clears it (revokeLocally).
        const cached = this.readGrants.get(peer)?.get(parsed.channelId);
        if (cached && Date.now() - cached.at < READ_GRANT_MS) return;
        const access = await readChannelAccess(this.db, parsed.channelId, userId);
        if (!access) throw new AccessRefused(NoticeCode.notFound, 'That conversation does not exist.');
        const decision = can(access.actor, 'read', { room: access.room });
        if (!decision.allowed) throw new AccessRefused(NoticeCode.forbidden, decision.reason);
        let grants = this.readGrants.get(peer);
        if (!grants) this.readGrants.set(peer, (grants = new Map()));
        grants.set(parsed.channelId, { at: Date.now(), roomId: access.roomId });
        return;
      }
    }
  }

  async subscribe(peer: SyncPeer, name: string, parsed: DocName, user: PresenceState['user']): Promise<HostedDoc> {
    await this.authorize(peer, parsed);
    this.users.set(peer.userId, user);
    const hosted = await this.registry.attach(name, parsed, peer);
    // Sync step 1 from the server: the client answers with what the server lacks (private docs only
    // are taken) and asks for the rest with its own step 1.
    const encoder = encoding.createEncoder();
    syncProtocol.writeSyncStep1(encoder, hosted.doc);
    peer.sendSync(name, encoding.toUint8Array(encoder));
    if (hosted.awareness) {
      const states = [...hosted.awareness.getStates().keys()];
      if (states.length > 0)
        peer.sendAwareness(
          name,
          encodeAwarenessPayload(awarenessProtocol.encodeAwarenessUpdate(hosted.awareness, states)),
        );
    }
    if (parsed.kind === 'private') this.outbox.scan(parsed.userId, hosted.doc);
    return hosted;
  }

  unsubscribe(peer: SyncPeer, hosted: HostedDoc): void {
    const clients = this.peerAwareness.get(peer)?.get(hosted.name);
    if (clients && hosted.awareness) {
      awarenessProtocol.removeAwarenessStates(hosted.awareness, [...clients], peer);
      this.peerAwareness.get(peer)?.delete(hosted.name);
      if (hosted.parsed.kind === 'channel-meta')
        void this.presence.leave(hosted.parsed.channelId, peer.userId).catch(() => {});
    }
    this.registry.detach(hosted, peer);
  }

  peerClosed(peer: SyncPeer, docs: Iterable<HostedDoc>): void {
    for (const hosted of docs) this.unsubscribe(peer, hosted);
    this.peerAwareness.delete(peer);
    this.readGrants.delete(peer);
    this.typingPeers.delete(peer);
  }

  // ---- what peers send --------------------------------------------------------------------------

  /**
   * A y-protocols sync message from a peer. Server-owned docs answer step 1 and drop every update
   * (telling the peer when it tried to change something); private docs apply updates from their owner.
   * Throws on a malformed message: the caller closes the connection.
   */
  handleSync(peer: SyncPeer, hosted: HostedDoc, payload: Uint8Array): void {
    const decoder = decoding.createDecoder(payload);
    const type = decoding.readVarUint(decoder);
    if (type === syncProtocol.messageYjsSyncStep1) {
      const stateVector = decoding.readVarUint8Array(decoder);
      const encoder = encoding.createEncoder();
      syncProtocol.writeSyncStep2(encoder, hosted.doc, stateVector);
      peer.sendSync(hosted.name, encoding.toUint8Array(encoder));
      return;
    }
    if (type !== syncProtocol.messageYjsSyncStep2 && type !== syncProtocol.messageYjsUpdate) {
      throw new Error(`unknown sync message type ${type}`);
    }
    const update = decoding.readVarUint8Array(decoder);
    // Parses the whole update without applying it: a malformed one throws here and changes nothing.
    const decoded = Y.decodeUpdate(update);
    if (isServerOwned(hosted.parsed) || hosted.parsed.kind !== 'private' || hosted.parsed.userId !== peer.userId) {
      const missing = Y.decodeUpdate(Y.diffUpdate(update, Y.encodeStateVector(hosted.doc)));
      if (missing.structs.length > 0) {
        peer.notice(
          hosted.name,
          NoticeCode.readOnly,
          'This doc is written by the server only; your change was dropped.',
        );
      }
      return;
    }
    if (decoded.structs.length === 0 && decoded.ds.clients.size === 0) return;
    // The private doc is the one doc a client can grow; its size is capped (tracked approximately by
    // the bytes applied since the last exact measurement).
    if (hosted.approxBytes + update.byteLength > SYNC_LIMITS.maxPrivateDocBytes) {
      hosted.approxBytes = Y.encodeStateAsUpdate(hosted.doc).byteLength;
      if (hosted.approxBytes + update.byteLength > SYNC_LIMITS.maxPrivateDocBytes) {
        peer.notice(
          hosted.name,
          NoticeCode.tooLarge,
          'Your drafts and pending actions are too large to sync; clear some drafts.',
        );
        return;
      }
    }
    Y.applyUpdate(hosted.doc, update, peer);
    hosted.approxBytes += update.byteLength;
  }

  handleAwareness(peer: SyncPeer, hosted: HostedDoc, payload: Uint8Array): void {
    // Presence exists on channel meta docs only; awareness on any other doc is ignored.
    if (!hosted.awareness || hosted.parsed.kind !== 'channel-meta') return;
    const update = decodeAwarenessPayload(payload);
    const user = this.users.get(peer.userId) ?? { id: peer.userId, handle: '', name: '' };
    const entries = stampAwarenessUpdate(update, user, Date.now());
    let perDoc = this.peerAwareness.get(peer);
    if (!perDoc) this.peerAwareness.set(peer, (perDoc = new Map()));
    let clients = perDoc.get(hosted.name);
    if (!clients) perDoc.set(hosted.name, (clients = new Set()));
    const room = SYNC_LIMITS.maxAwarenessStatesPerDoc - hosted.awareness.getStates().size;
    const allowed = entries.filter(
      (e) => clients.has(e.clientId) || (clients.size < MAX_AWARENESS_CLIENTS_PER_PEER && room > 0),
    );
    for (const e of allowed) clients.add(e.clientId);
    if (allowed.length === 0) return;
    awarenessProtocol.applyAwarenessUpdate(hosted.awareness, encodeAwarenessEntries(allowed), peer);
    const channelId = hosted.parsed.channelId;
    const present = allowed.filter((e) => e.state !== null);
    if (present.length > 0) {
      void this.presence.touch(channelId, peer.userId).catch(() => {});
      // Cluster-wide typing (the spec's typing hash): members and widgets that read it over REST see
      // it on every node; the awareness update itself carries it to open rooms.
      // Written while typing (each signal renews the 10 s) and once when it stops, not on every presence
      // renewal of a member who is not typing.
      const typing = present.some((e) => e.state?.typingAt != null);
      let typingIn = this.typingPeers.get(peer);
      if (typing || typingIn?.has(channelId)) {
        if (!typingIn) this.typingPeers.set(peer, (typingIn = new Set()));
        if (typing) typingIn.add(channelId);
        else typingIn.delete(channelId);
        void this.presence.setTyping(channelId, peer.userId, typing).catch(() => {});
      }
    }
  }

  // ---- loading ----------------------------------------------------------------------------------

  /** What every doc host needs: made once (two docs are hosted per connection). */
  private hostDeps: DocHostDeps | undefined;

  private load(name: string, parsed: DocName): Promise<HostedDocLoad> {
    const deps = (this.hostDeps ??= {
      db: this.db,
      fanout: this.fanout,
      logger: this.logger,
      channels: this.channels,
      snapshots: this.options.snapshots,
      onPrivateDocChanged: (userId, doc) => this.outbox.scan(userId, doc),
      onRevoked: (userId, channelId, reason) => this.revokeLocally(userId, channelId, reason),
      onAccountDeleted: (userId, reason) => this.endSessionsLocally(userId, reason),
    });
    switch (parsed.kind) {
      case 'channel-meta':
      case 'channel-segment':
        return hostChannelDoc(deps, name, parsed);
      case 'private':
        return hostPrivateDoc(deps, name, parsed.userId);
      case 'inbox':
        return hostInboxDoc(deps, name, parsed.userId);
    }
  }

  private afterLoad(hosted: HostedDoc): void {
    const parsed = hosted.parsed;
    if (parsed.kind === 'channel-meta' || parsed.kind === 'channel-segment')
      void this.channels.catchUp(parsed.channelId);
  }

  // ---- verdicts and access -----------------------------------------------------------------------

  private async deliverVerdicts(
    userId: string,
    verdicts: Array<{ intentId: string; verdict: Verdict }>,
  ): Promise<void> {
    const inbox = this.registry.loaded(inboxDocName(userId));
    if (inbox) setVerdicts(inbox.doc, verdicts);
    await this.fanout.publish(topics.user(userId), { kind: 'verdicts', userId, verdicts }).catch(() => {});
  }

  /** Writes an inbox entry here if that inbox is loaded, and tells the other nodes. */
  async deliverInboxEntry(entry: InboxEntry): Promise<void> {
    const inbox = this.registry.loaded(inboxDocName(entry.userId));
    if (inbox) setInboxEntry(inbox.doc, entry);
    await this.fanout.publish(topics.user(entry.userId), { kind: 'inbox', entry }).catch(() => {});
  }

  /** A member lost access to a channel: every node closes their subscriptions and tells them to purge. */
  async revokeAccess(userId: string, channelId: string, reason: string): Promise<void> {
    this.revokeLocally(userId, channelId, reason);
    await this.fanout.publish(topics.user(userId), { kind: 'revoke', userId, channelId, reason });
  }

  /**
   * A member's account was deleted: on every node, each of their connections is told (their devices sign
   * out and wipe what they hold) and loses every doc it had open.
   */
  async endSessions(userId: string, reason: string): Promise<void> {
    this.endSessionsLocally(userId, reason);
    await this.fanout.publish(topics.user(userId), { kind: 'account-deleted', userId, reason }).catch(() => {});
  }

  private endSessionsLocally(userId: string, reason: string): void {
    for (const [peer] of this.readGrants) if (peer.userId === userId) this.readGrants.delete(peer);
    for (const hosted of [...this.registry.all()]) {
      for (const peer of [...hosted.peers]) {
        if (peer.userId !== userId) continue;
        peer.notice(hosted.name, NoticeCode.accountDeleted, reason);
        peer.dropDoc(hosted.name);
      }
    }
  }

  /**
   * Who may read a room changed (it turned private, its read level rose): every connection on every
   * node subscribed to the room or one of its threads is checked again, and those that may no longer
   * read it are closed and told to purge — also readers nobody else knows of (no membership, no
   * presence, no read marker).
   */
  async recheckSubscribers(roomId: string, reason: string): Promise<void> {
    await this.fanout.publish(topics.access(), { kind: 'recheck', roomId, reason }).catch(() => {});
    await this.recheckLocally(roomId, reason);
  }

  private async recheckLocally(roomId: string, reason: string): Promise<void> {
    const userIds = new Set<string>();
    for (const hosted of this.registry.all()) {
      const p = hosted.parsed;
      if (
        (p.kind !== 'channel-meta' && p.kind !== 'channel-segment') ||
        (p.channelId !== roomId && hosted.roomId !== roomId)
      )
        continue;
      for (const peer of hosted.peers) userIds.add(peer.userId);
    }
    if (userIds.size === 0) return;
    try {
      const accesses = await loadChannelAccessMany(
        this.db,
        [...userIds].map((userId) => ({ channelId: roomId, userId })),
      );
      for (const userId of userIds) {
        const access = accesses.get(accessKey(roomId, userId));
        if (!access || !can(access.actor, 'read', { room: access.room }).allowed)
          this.revokeLocally(userId, roomId, reason);
      }
    } catch (err) {
      this.logger.error({ err, roomId }, 'could not re-check the readers of a room');
    }
  }

  private revokeLocally(userId: string, channelId: string, reason: string): void {
    const inbox = this.registry.loaded(inboxDocName(userId));
    if (inbox) setRevoked(inbox.doc, channelId, reason);
    for (const [peer, grants] of this.readGrants) {
      if (peer.userId !== userId) continue;
      for (const [id, grant] of grants) if (id === channelId || grant.roomId === channelId) grants.delete(id);
    }
    for (const hosted of [...this.registry.all()]) {
      const p = hosted.parsed;
      // A ban from a room also closes that room's threads.
      if (
        (p.kind !== 'channel-meta' && p.kind !== 'channel-segment') ||
        (p.channelId !== channelId && hosted.roomId !== channelId)
      )
        continue;
      for (const peer of [...hosted.peers]) {
        if (peer.userId !== userId) continue;
        peer.notice(hosted.name, NoticeCode.purge, reason);
        peer.dropDoc(hosted.name);
      }
    }
  }

  /**
   * Held intents whose time comes soon, from PostgreSQL: a restart loses the timers that would send them,
   * and a member who has closed the app brings no doc load to find them. Run at start and every minute;
   * on several nodes each schedules its wake, and exactly once holds as for any retry.
   */
  private async wakeHeldIntents(): Promise<void> {
    const { rows } = await this.db.query<{ user_id: string; retry_at: string }>(
      `SELECT user_id, min((result ->> 'retryAt')::bigint)::text AS retry_at
         FROM client_intents
        WHERE status = 'waiting' AND (result ->> 'retryAt')::bigint < $1
        GROUP BY user_id
        LIMIT 10000`,
      [Date.now() + HELD_SWEEP_MS * 2],
    );
    for (const row of rows) this.outbox.wakeAt(row.user_id, undefined, Number(row.retry_at));
  }

  async close(): Promise<void> {
    clearInterval(this.heldSweep);
    await (
      await this.accessTopic.catch(() => undefined)
    )?.();
    this.channels.close();
    this.outbox.close();
    await this.registry.closeAll();
  }
}
