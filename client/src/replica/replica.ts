import { batch, createSignal, type Accessor } from 'solid-js';
import type * as Y from 'yjs';
import type { DmSummary, ModerationAction, NotificationEntry, ThreadFollow } from '../../../shared/sync/inbox.ts';
import { isFinalVerdict, type FinalVerdict, type Intent, type Verdict } from '../../../shared/sync/intents.ts';
import { inboxDocName, parseDocName, privateDocName } from '../../../shared/sync/doc-names.ts';
import { apiRequest, isUnauthorized } from '../api/http.ts';
import { enqueueIntent, privateMaps, settleVerdicts } from '../sync/outbox.ts';
import { SyncClient, type ConnectionState, type Notice } from '../sync/sync-client.ts';
import { DocStore } from './doc-store.ts';
import { newId } from './ids.ts';
import { FirstPaintCache } from './first-paint.ts';
import { MemberCache } from './members.ts';
import { groupNotifications, isNotificationUnread, pendingReads, type NotificationGroup } from './notifications.ts';
import { RoomSession } from './room-session.ts';
import { noteReconnected } from '../lib/reconnects.ts';
import { ConnectionDisplay, type DisplayState } from './connection-display.ts';
import { createBrowserSocket } from './socket.ts';
import { catchUpReplica } from './sql/catch-up.ts';
import { materializeDoc } from './sql/materialize.ts';
import { SqlReplica } from './sql/sql-replica.ts';
import { installReplicaTestHook } from './sql/test-hook.ts';
import { DeferredSends, type DeferredFile } from './deferred-sends.ts';
import type { AttachmentView } from '../../../shared/sync/channel-doc.ts';
import { uploadAttachment } from '../api/attachments.ts';

export type IntentInput = Intent extends infer I ? (I extends Intent ? Omit<I, 'n' | 'createdAt'> : never) : never;

/** What the header shows: the socket's state, with "offline" also covering a server out of reach. */
export type { DisplayState } from './connection-display.ts';

export interface FailedIntent {
  id: string;
  intent: Intent;
  verdict: Extract<Verdict, { status: 'rejected' }>;
}

export interface ReplicaOptions {
  userId: string;
  handle: string;
  name: string;
  /** The session's bearer token (read at every connect, so a renewed session is picked up). */
  token: () => string;
  /** Called when the server says the session is no longer valid. */
  onUnauthorized: () => void;
  /** Called when the server says the member's account was deleted (here or on another device). */
  onAccountDeleted?: () => void;
}

/** After this long without a connection the header says "offline" rather than "connecting". */

/** The SQL replica starts this long after the app at the latest, when no room is opened to start it. */
const SQL_START_FALLBACK_MS = 1500;

/**
 * One signed-in member's local replica: their private and inbox docs (always subscribed, persisted),
 * the rooms they have open, one multiplexed sync connection, and Solid signals for the UI. Verdicts are
 * settled against the outbox here, whichever room is on screen.
 */
export class Replica {
  readonly members: MemberCache;
  /** The newest messages of rooms shown before, painted at once on a cold open (see first-paint.ts). */
  readonly firstPaint: FirstPaintCache;
  readonly store: DocStore;
  /** The SQL replica (PGlite in a worker): messages, threads and DMs materialized from the docs, for offline search. */
  readonly sql: SqlReplica;
  readonly privateDoc: Y.Doc;
  readonly inboxDoc: Y.Doc;
  /** Resolves once the private and inbox docs hold what this device stored. */
  readonly ready: Promise<void>;

  private readonly client: SyncClient;
  private readonly rooms = new Map<string, { session: RoomSession; refs: number }>();
  /** Bumped when a channel opens or closes on screen (which refused sends the conversations show). */
  private readonly openVersion = createSignal(0);
  private readonly knownIntents = new Map<string, Intent>();
  private readonly cleanups: Array<() => void> = [];
  private stopSettling: () => void = () => {};
  private destroyed = false;
  private catchUpRunning: Promise<void> | null = null;
  /** The last few catch-ups (page clock, ms): what a reconnect brought in and how long it took. */
  readonly catchUps: Array<{ startedAt: number; endedAt: number; readAt: number; channels: number; messages: number }> =
    [];
  private catchUpAgain = false;

  private readonly rawState = createSignal<ConnectionState>('offline');
  private readonly browserOnline = createSignal(typeof navigator === 'undefined' ? true : navigator.onLine);
  private readonly connection = new ConnectionDisplay(Date.now());
  private readonly clock = createSignal(Date.now());
  private readonly outboxVersion = createSignal(0);
  private readonly failedVersion = createSignal(0);
  private readonly verdictVersion = createSignal(0);
  private readonly draftsVersion = createSignal(0);
  private readonly loadedSignal = createSignal(false);
  private readonly liveOnline = createSignal<Record<string, number>>({});
  private readonly relationsVersion = createSignal(0);

  /** Messages with files waiting to be uploaded (written offline); they reach the outbox once uploaded. */
  readonly deferred: DeferredSends;

  constructor(private readonly options: ReplicaOptions) {
    this.members = new MemberCache(options.userId, options.token);
    this.firstPaint = new FirstPaintCache(options.userId);
    this.members.remember({ id: options.userId, handle: options.handle, name: options.name });
    this.sql = new SqlReplica(options.userId);
    // The first room on screen starts the database (startLocalDatabase); a page without a room, soon.
    setTimeout(() => this.sql.start(), SQL_START_FALLBACK_MS);
    this.store = new DocStore({
      userId: options.userId,
      onOpened: (opened) =>
        materializeDoc(opened, this.sql, (channelId, at, reason) => void this.revoke(channelId, at, reason)),
    });
    const priv = this.store.open(privateDocName(options.userId));
    const inbox = this.store.open(inboxDocName(options.userId));
    void priv.loaded.then(() => performance.mark('lounge:private-local'));
    void inbox.loaded.then(() => performance.mark('lounge:inbox-local'));
    this.privateDoc = priv.doc;
    this.inboxDoc = inbox.doc;

    this.client = new SyncClient({
      url: `${location.protocol === 'https:' ? 'wss:' : 'ws:'}//${location.host}/sync`,
      getToken: () => this.connectionToken(),
      createSocket: createBrowserSocket,
      onState: (state) => {
        this.connection.changed(this.rawState[0](), state, Date.now());
        this.rawState[1](state);
        if (state === 'online') {
          noteReconnected();
          this.catchUp();
          this.deferred?.kick();
        }
      },
      onNotice: (notice) => this.onNotice(notice),
      minReconnectMs: 500,
      maxReconnectMs: 10_000,
    });

    this.deferred = new DeferredSends({
      userId: options.userId,
      upload: (blob, name) => uploadAttachment(options.token(), new File([blob], name, { type: blob.type })),
      enqueue: (intent) => void this.enqueue(intent),
      online: () => this.rawState[0]() === 'online' && navigator.onLine,
    });

    this.observePrivateMaps();
    installReplicaTestHook(this);

    this.ready = Promise.all([priv.loaded, inbox.loaded]).then(() => {
      if (this.destroyed) return;
      this.client.subscribe(priv.name, priv.doc);
      this.client.subscribe(inbox.name, inbox.doc);
      this.stopSettling = settleVerdicts(priv.doc, inbox.doc);
      this.loadedSignal[1](true);
      this.bumpAll();
      if (navigator.onLine) this.client.start();
      void this.store.evict().then(() => this.materializeStoredSegments());
    });

    const onOnline = () => {
      this.browserOnline[1](true);
      if (this.destroyed) return;
      // Reconnect now rather than at the end of the backoff.
      this.client.stop();
      this.client.start();
    };
    const onOffline = () => {
      this.browserOnline[1](false);
      this.client.stop();
    };
    window.addEventListener('online', onOnline);
    window.addEventListener('offline', onOffline);
    const tick = setInterval(() => this.clock[1](Date.now()), 1000);
    this.cleanups.push(() => {
      window.removeEventListener('online', onOnline);
      window.removeEventListener('offline', onOffline);
      clearInterval(tick);
    });
  }

  get userId(): string {
    return this.options.userId;
  }

  /** True once local data has been read from IndexedDB. */
  readonly loaded: Accessor<boolean> = () => this.loadedSignal[0]();

  /** Reactive connection state for the header. */
  readonly displayState: Accessor<DisplayState> = () =>
    this.connection.state(this.rawState[0](), this.browserOnline[0](), this.clock[0]());

  /** Reactive: whether the device itself has a network (false: the browser says it is offline). */
  readonly deviceOnline: Accessor<boolean> = () => this.browserOnline[0]();

  /** Reactive: intents the member made that the server has not answered yet (read markers aside). */
  readonly pendingCount: Accessor<number> = () => {
    const { sends, others } = this.pendingKinds();
    return sends + others;
  };

  /** Reactive: the same, as messages (and files waiting to upload) and other changes (edits, reactions, …). */
  readonly pendingKinds: Accessor<{ sends: number; others: number }> = () => {
    this.outboxVersion[0]();
    let sends = 0;
    let others = 0;
    for (const intent of privateMaps(this.privateDoc).outbox.values()) {
      if (intent.kind === 'send') sends++;
      else if (!isReadKeeping(intent)) others++;
    }
    return { sends, others };
  };

  /** Reactive: the outbox, in client order. */
  outbox(): Array<{ id: string; intent: Intent }> {
    this.outboxVersion[0]();
    return [...privateMaps(this.privateDoc).outbox.entries()]
      .map(([id, intent]) => ({ id, intent }))
      .sort((a, b) => a.intent.n - b.intent.n);
  }

  /**
   * Reactive: refused messages no conversation on screen shows — sent from a room the member was banned
   * from meanwhile, or one they have left for another page — so they are never lost without a word.
   */
  failedSendsElsewhere(): Array<FailedIntent & { intent: Extract<Intent, { kind: 'send' }> }> {
    this.openVersion[0]();
    return this.failed().filter(
      (f): f is FailedIntent & { intent: Extract<Intent, { kind: 'send' }> } =>
        f.intent.kind === 'send' && !this.rooms.has(f.intent.channelId),
    );
  }

  /** Reactive: refused intents waiting for the member to retry, edit or discard them. */
  failed(): FailedIntent[] {
    this.failedVersion[0]();
    const out: FailedIntent[] = [];
    for (const [id, entry] of privateMaps(this.privateDoc).failed.entries()) {
      if (entry.verdict.status === 'rejected') out.push({ id, intent: entry.intent, verdict: entry.verdict });
    }
    return out.sort((a, b) => a.intent.n - b.intent.n);
  }

  /**
   * Reactive: the member's notifications as the list shows them, newest first — the replies of one thread
   * that share a read state are one row — each row unread or not (see isNotificationUnread). The bell
   * counts these rows, so its number matches the list.
   */
  notificationRows(): NotificationGroup[] {
    this.relationsVersion[0]();
    this.outboxVersion[0]();
    const items = [...this.inboxDoc.getMap<NotificationEntry>('notifications').entries()].map(([id, entry]) => ({
      ...entry,
      id,
    }));
    const { read, outbox } = privateMaps(this.privateDoc);
    // Read once for the whole list, not once per notification.
    const pending = pendingReads(outbox.values());
    return groupNotifications(items, (n) => isNotificationUnread(n, read.get(n.channelId) ?? 0, pending));
  }

  /**
   * Calls `fn` with the room of each moderator's action on the member (warn, mute, ban, and their undoing)
   * that arrives while the app runs — not for old ones the device loads on start.
   */
  onModerationNotice(fn: (roomId: string, action: ModerationAction) => void): () => void {
    const notifications = this.inboxDoc.getMap<NotificationEntry>('notifications');
    const since = Date.now() - NOTICE_FRESH_MS;
    const observer = (event: Y.YMapEvent<NotificationEntry>) => {
      for (const [key, change] of event.changes.keys) {
        if (change.action !== 'add') continue;
        const entry = notifications.get(key);
        if (entry?.kind === 'moderation' && entry.at >= since && entry.action !== 'hide' && entry.action !== 'delete')
          fn(entry.roomId, entry.action);
      }
    };
    notifications.observe(observer);
    return () => notifications.unobserve(observer);
  }

  /** Marks notifications read on every device of the member: these, or all of them. */
  readNotifications(which: readonly string[] | 'all'): void {
    if (which === 'all') enqueueIntent(this.privateDoc, { kind: 'read_notifications', all: true }, newId);
    else if (which.length > 0) enqueueIntent(this.privateDoc, { kind: 'read_notifications', ids: [...which] }, newId);
  }

  /** Reactive: the server's verdict on one intent. */
  verdict(intentId: string): Verdict | undefined {
    this.verdictVersion[0]();
    return this.inboxDoc.getMap<Verdict>('verdicts').get(intentId);
  }

  /**
   * Sends this device made that were accepted but whose message has not reached a segment doc yet:
   * they stay on screen as pending until the message itself arrives, so nothing blinks out.
   */
  acceptedSends(
    channelId: string,
  ): Array<{ id: string; intent: Extract<Intent, { kind: 'send' }>; messageId: string }> {
    this.verdictVersion[0]();
    this.outboxVersion[0]();
    const verdicts = this.inboxDoc.getMap<Verdict>('verdicts');
    const out: Array<{ id: string; intent: Extract<Intent, { kind: 'send' }>; messageId: string }> = [];
    for (const [id, intent] of this.knownIntents) {
      if (intent.kind !== 'send' || intent.channelId !== channelId) continue;
      const verdict = verdicts.get(id);
      if (verdict && (verdict.status === 'accepted' || verdict.status === 'held') && verdict.messageId)
        out.push({ id, intent, messageId: verdict.messageId });
    }
    return out;
  }

  /** Forgets remembered sends once their messages are on screen. */
  settleKnown(ids: string[]): void {
    for (const id of ids) this.knownIntents.delete(id);
  }

  /** Reactive: the member's DM conversations (the server writes them into the inbox doc). */
  dms(): DmSummary[] {
    this.relationsVersion[0]();
    return [...this.inboxDoc.getMap<DmSummary>('dms').values()];
  }

  /** Reactive: whether the member blocks another member (their messages are hidden on this member's devices). */
  blocks(userId: string | null): boolean {
    this.relationsVersion[0]();
    return userId !== null && this.inboxDoc.getMap<true>('blocked').has(userId);
  }

  /**
   * Reactive: whether the member follows a thread, as the server last decided it (they wrote there, or said
   * Follow or Unfollow); undefined when it never did (then only the thread's starter follows it).
   */
  threadFollow(threadId: string): ThreadFollow | undefined {
    this.relationsVersion[0]();
    return this.inboxDoc.getMap<ThreadFollow>('follows').get(threadId);
  }

  /** Reactive: whether the member muted another member (their messages are collapsed). */
  mutes(userId: string | null): boolean {
    this.relationsVersion[0]();
    return userId !== null && this.inboxDoc.getMap<true>('muted').has(userId);
  }

  /** Resolves with the server's verdict on an intent (whenever it arrives: now, or after a reconnect). */
  whenVerdict(intentId: string): Promise<FinalVerdict> {
    const verdicts = this.inboxDoc.getMap<Verdict>('verdicts');
    // A waiting verdict is not an answer yet: the server decides again when its limit runs out.
    const final = () => {
      const verdict = verdicts.get(intentId) ?? privateMaps(this.privateDoc).failed.get(intentId)?.verdict;
      return verdict && isFinalVerdict(verdict) ? verdict : undefined;
    };
    const existing = final();
    if (existing) return Promise.resolve(existing);
    return new Promise((resolve) => {
      const check = () => {
        const verdict = final();
        if (!verdict) return;
        verdicts.unobserve(check);
        resolve(verdict);
      };
      verdicts.observe(check);
    });
  }

  /** Reactive: the member's draft for a channel (synced across their devices). */
  draft(channelId: string): string {
    this.draftsVersion[0]();
    return privateMaps(this.privateDoc).drafts.get(channelId) ?? '';
  }

  setDraft(channelId: string, text: string): void {
    const { drafts } = privateMaps(this.privateDoc);
    if ((drafts.get(channelId) ?? '') === text) return;
    if (text === '') drafts.delete(channelId);
    else drafts.set(channelId, text);
  }

  /** Calls `fn` when another device (or IndexedDB) changes a draft. */
  onRemoteDraft(fn: (channelId: string, text: string) => void): () => void {
    const { drafts } = privateMaps(this.privateDoc);
    const observer = (event: Y.YMapEvent<string>) => {
      if (event.transaction.local) return;
      for (const key of event.keysChanged) fn(key, drafts.get(key) ?? '');
    };
    drafts.observe(observer);
    return () => drafts.unobserve(observer);
  }

  /** Records an intent in the outbox (IndexedDB keeps it; the server processes it once). */
  enqueue(input: IntentInput): string {
    return enqueueIntent(this.privateDoc, input, newId);
  }

  /**
   * Reactive: the member's intents a limit holds back (verdict "waiting"), by intent id: which limit, and
   * when the server decides them again (server clock, epoch ms).
   */
  waitingIntents(): Map<string, { reason: string; retryAt: number }> {
    this.verdictVersion[0]();
    this.outboxVersion[0]();
    const verdicts = this.inboxDoc.getMap<Verdict>('verdicts');
    const out = new Map<string, { reason: string; retryAt: number }>();
    for (const id of privateMaps(this.privateDoc).outbox.keys()) {
      const verdict = verdicts.get(id);
      if (verdict?.status === 'waiting') out.set(id, { reason: verdict.reason, retryAt: verdict.retryAt });
    }
    return out;
  }

  /**
   * Takes back a message a limit holds (or one queued behind it): it leaves the outbox, so the server does
   * not send it when the limit runs out (unless it is deciding it at this very moment: then it is sent, and
   * can be deleted).
   */
  discardWaiting(intentId: string): void {
    // Held by its verdict, or behind one that is (no verdict yet): either way not sent yet.
    const verdict = this.inboxDoc.getMap<Verdict>('verdicts').get(intentId);
    if (verdict && verdict.status !== 'waiting') return;
    privateMaps(this.privateDoc).outbox.delete(intentId);
  }

  /** Reactive: this device's clock, ticking once a second (countdowns). */
  readonly now: Accessor<number> = () => this.clock[0]();

  /** A refused intent is done with: the member discarded it (or it was retried under a new id). */
  dropFailed(intentId: string): void {
    privateMaps(this.privateDoc).failed.delete(intentId);
  }

  /**
   * Sends a message with its uploaded files. It goes to the outbox, unless an earlier message of its
   * conversation still waits for its files on this device (DeferredSends): then it waits behind that one,
   * files or not — straight to the outbox it would arrive first. Every send of the app comes through here
   * (or sendLater), so no caller can skip that rule.
   */
  send(message: {
    channelId: string;
    body: string;
    replyToId: string | null;
    files?: readonly AttachmentView[];
  }): void {
    const { channelId, body, replyToId, files = [] } = message;
    if (this.deferred.waitingIn(channelId)) {
      this.deferred.add({
        channelId,
        body,
        replyToId,
        files: files.map((view) => ({ name: view.name, size: view.size, view })),
      });
      return;
    }
    this.enqueue({
      kind: 'send',
      channelId,
      body,
      replyToId,
      ...(files.length > 0 ? { attachmentIds: files.map((f) => f.id) } : {}),
    });
  }

  /** Sends a message whose files wait for a connection: kept on the device until they are uploaded. */
  sendLater(message: { channelId: string; body: string; replyToId: string | null; files: DeferredFile[] }): void {
    this.deferred.add(message);
  }

  /** Sends a refused message again, as a new intent (the refusal of the old id stands). */
  retryFailed(intentId: string): void {
    const { failed } = privateMaps(this.privateDoc);
    const entry = failed.get(intentId);
    if (!entry || entry.intent.kind !== 'send') return;
    const { channelId, body, replyToId } = entry.intent;
    this.privateDoc.transact(() => {
      failed.delete(intentId);
      this.send({ channelId, body, replyToId: replyToId ?? null });
    });
  }

  /** Moves the read marker forward (locally at once, on the server through an intent). */
  markRead(channelId: string, seq: number): void {
    const { read } = privateMaps(this.privateDoc);
    if ((read.get(channelId) ?? 0) >= seq) return;
    this.privateDoc.transact(() => {
      read.set(channelId, seq);
      enqueueIntent(this.privateDoc, { kind: 'mark_read', channelId, seq }, newId);
    });
  }

  readMarker(channelId: string): number {
    this.outboxVersion[0]();
    return privateMaps(this.privateDoc).read.get(channelId) ?? 0;
  }

  /** Reactive: how many members are in a room right now, while this device has it open. */
  onlineIn(channelId: string): number | undefined {
    return this.liveOnline[0]()[channelId];
  }

  setOnlineIn(channelId: string, count: number | undefined): void {
    const [current, set] = this.liveOnline;
    if (current()[channelId] === count) return;
    const next = { ...current() };
    if (count === undefined) delete next[channelId];
    else next[channelId] = count;
    set(next);
  }

  /** The room on screen has its messages: start the SQL replica once they are painted (see SqlReplica.start). */
  startLocalDatabase(): void {
    requestAnimationFrame(() => setTimeout(() => this.sql.start(), 0));
  }

  /** Opens a room's docs (shared by every view of it); call the returned function to close. */
  openRoom(channelId: string): { session: RoomSession; close: () => void } {
    let entry = this.rooms.get(channelId);
    if (!entry) {
      entry = { session: new RoomSession(channelId, this, this.client), refs: 0 };
      this.rooms.set(channelId, entry);
    }
    entry.refs += 1;
    if (entry.refs === 1) this.openVersion[1]((v) => v + 1);
    const opened = entry;
    let closed = false;
    return {
      session: opened.session,
      close: () => {
        if (closed) return;
        closed = true;
        opened.refs -= 1;
        if (opened.refs > 0) return;
        this.rooms.delete(channelId);
        opened.session.close();
        this.openVersion[1]((v) => v + 1);
      },
    };
  }

  /** Signs out: stops syncing; with `wipe`, deletes this member's data from the device. */
  async destroy(options: { wipe?: boolean } = {}): Promise<void> {
    if (this.destroyed) return;
    this.destroyed = true;
    for (const cleanup of this.cleanups) cleanup();
    for (const { session } of this.rooms.values()) session.close();
    this.rooms.clear();
    this.stopSettling();
    this.client.stop();
    await this.deferred.close({ wipe: options.wipe });
    const closingSql = this.sql.close({ wipe: options.wipe });
    if (options.wipe) {
      this.firstPaint.dropAll();
      await this.store.clearAll();
      for (const key of [
        `lounge.members.v1.${this.userId}`,
        `lounge.rooms.v1.${this.userId}`,
        `lounge.circles.v1.${this.userId}`,
      ]) {
        try {
          localStorage.removeItem(key);
        } catch {
          // Storage disabled: nothing was kept there.
        }
      }
    } else {
      this.firstPaint.close();
      this.store.close();
    }
    await closingSql;
  }

  private async connectionToken(): Promise<string> {
    try {
      const { token } = await apiRequest<{ token: string; expiresAt: string }>('/api/auth/connection-token', {
        method: 'POST',
        token: this.options.token(),
      });
      return token;
    } catch (err) {
      if (isUnauthorized(err)) {
        this.options.onUnauthorized();
        this.client.stop();
      }
      throw err;
    }
  }

  /**
   * Writes every segment doc stored on the device into the SQL replica once per start, so nothing the
   * device holds is missing from search when an earlier page closed before its writes were done (a room
   * opened while the database was still starting, then left by a reload). Unchanged rows are not
   * rewritten; docs are read one at a time without counting as a use for eviction.
   */
  private async materializeStoredSegments(): Promise<void> {
    if (!(await this.sql.ready)) return;
    for (const name of this.store.storedNames()) {
      if (this.destroyed) return;
      if (parseDocName(name)?.kind !== 'channel-segment') continue;
      const opened = this.store.open(name, { touch: false });
      try {
        await opened.loaded;
        await this.sql.idle();
      } finally {
        this.store.release(name);
      }
    }
  }

  /** Reactive: the members this member blocks. */
  blockedMembers(): string[] {
    this.relationsVersion[0]();
    return [...this.inboxDoc.getMap<true>('blocked').keys()];
  }

  /**
   * Reads what was missed while away into the SQL replica (after every reconnect). One at a time; a
   * reconnect during a run asks for one more run after it. Resolves when the replica is caught up.
   */
  catchUp(): Promise<void> {
    if (this.catchUpRunning) {
      this.catchUpAgain = true;
      return this.catchUpRunning;
    }
    const run = async () => {
      do {
        this.catchUpAgain = false;
        if (this.destroyed) return;
        try {
          const startedAt = performance.now();
          const result = await catchUpReplica(this.sql, this.options.token());
          this.catchUps.push({ startedAt, endedAt: performance.now(), ...result });
          if (this.catchUps.length > 10) this.catchUps.shift();
          // A channel the server refuses is one this member lost: it leaves the device like a revocation.
          for (const channelId of result.refused) await this.revoke(channelId);
        } catch (err) {
          // Offline again, or the server is busy: the next reconnect tries again.
          console.warn('Lounge could not catch up its local database', err);
        }
      } while (this.catchUpAgain);
    };
    this.catchUpRunning = run().finally(() => (this.catchUpRunning = null));
    return this.catchUpRunning;
  }

  /**
   * Access to a channel is gone (ban, kick, left a private room): its rows, its threads' rows and its
   * docs leave the device, and an open view of it is emptied. `at` is the inbox doc's revocation time:
   * a revocation seen before is not applied again (the member may have been let back in since).
   */
  async revoke(channelId: string, at?: number, reason?: string): Promise<void> {
    const threadIds = (
      await this.sql.read<{ id: string }>('SELECT id::text AS id FROM threads WHERE room_id = $1', [channelId])
    ).map((r) => r.id);
    const applied = await this.sql.purgeChannel(channelId, at);
    if (!applied || this.destroyed) return;
    for (const id of [channelId, ...threadIds]) {
      // The server's sentence ("You were banned from this room: …") when it gave one.
      this.rooms.get(id)?.session.purge(reason || 'You no longer have access to this conversation.');
      this.firstPaint.drop(id);
    }
    await this.store.forgetChannels([channelId, ...threadIds]);
  }

  private onNotice(notice: Notice): void {
    if (notice.code === 'account_deleted') {
      this.options.onAccountDeleted?.();
      return;
    }
    if (notice.code !== 'purge') return;
    // Access to this channel is gone (ban, kick, left a private room): its data leaves the device.
    const parsed = parseDocName(notice.docName);
    if (parsed?.kind !== 'channel-meta' && parsed?.kind !== 'channel-segment') return;
    this.rooms.get(parsed.channelId)?.session.purge(notice.message);
    this.firstPaint.drop(parsed.channelId);
    void this.store.forget(notice.docName);
    void this.sql.purgeChannel(parsed.channelId);
  }

  private observePrivateMaps(): void {
    const maps = privateMaps(this.privateDoc);
    const remember = () => {
      for (const [id, intent] of maps.outbox.entries()) if (intent.kind === 'send') this.knownIntents.set(id, intent);
    };
    const onOutbox = () => {
      remember();
      this.outboxVersion[1]((v) => v + 1);
    };
    const onFailed = () => {
      // A refused read marker needs no decision from the member: it is simply dropped.
      const stale = [...maps.failed.entries()].filter(([, entry]) => isReadKeeping(entry.intent)).map(([id]) => id);
      if (stale.length > 0) this.privateDoc.transact(() => stale.forEach((id) => maps.failed.delete(id)));
      this.failedVersion[1]((v) => v + 1);
    };
    const onDrafts = () => this.draftsVersion[1]((v) => v + 1);
    const onRead = () => this.outboxVersion[1]((v) => v + 1);
    const verdicts = this.inboxDoc.getMap<Verdict>('verdicts');
    const onVerdicts = () => this.verdictVersion[1]((v) => v + 1);
    const relationMaps = ['dms', 'blocked', 'muted', 'notifications', 'follows'].map((name) =>
      this.inboxDoc.getMap<unknown>(name),
    );
    const onRelations = () => this.relationsVersion[1]((v) => v + 1);
    for (const map of relationMaps) map.observe(onRelations);
    this.cleanups.push(() => relationMaps.forEach((map) => map.unobserve(onRelations)));
    maps.outbox.observe(onOutbox);
    maps.failed.observe(onFailed);
    maps.drafts.observe(onDrafts);
    maps.read.observe(onRead);
    verdicts.observe(onVerdicts);
    this.cleanups.push(() => {
      maps.outbox.unobserve(onOutbox);
      maps.failed.unobserve(onFailed);
      maps.drafts.unobserve(onDrafts);
      maps.read.unobserve(onRead);
      verdicts.unobserve(onVerdicts);
    });
  }

  private bumpAll(): void {
    const maps = privateMaps(this.privateDoc);
    for (const [id, intent] of maps.outbox.entries()) if (intent.kind === 'send') this.knownIntents.set(id, intent);
    batch(() => {
      this.outboxVersion[1]((v) => v + 1);
      this.failedVersion[1]((v) => v + 1);
      this.draftsVersion[1]((v) => v + 1);
      this.verdictVersion[1]((v) => v + 1);
      this.relationsVersion[1]((v) => v + 1);
    });
  }
}

/** A moderation notice older than this when the app starts is history, not news. */
const NOTICE_FRESH_MS = 2 * 60_000;

/**
 * Read markers and notification reads: bookkeeping the member never waits on — not counted as unsent,
 * and a refusal is dropped rather than shown.
 */
function isReadKeeping(intent: Intent): boolean {
  return intent.kind === 'mark_read' || intent.kind === 'read_notifications';
}
