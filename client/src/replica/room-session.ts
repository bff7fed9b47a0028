import { batch, createSignal, type Accessor } from 'solid-js';
import * as awarenessProtocol from 'y-protocols/awareness';
import {
  messageCount,
  readMessages,
  readMeta,
  readPins,
  type MessageView,
  type PinRef,
  type ThreadState,
} from '../../../shared/sync/channel-doc.ts';
import { metaDocName, parseDocName, segmentDocName } from '../../../shared/sync/doc-names.ts';
import { LIMITS } from '../../../shared/rules/limits.ts';
import { nextSegmentPoint, wantsNextSegment } from '../../../shared/sync/segments.ts';
import { fetchChannelPage, fromHistory } from '../api/community.ts';
import type { SyncClient } from '../sync/sync-client.ts';
import type { OpenedDoc } from './doc-store.ts';
import type { MemberInfo } from './members.ts';
import type { Replica } from './replica.ts';

/** One member present in a room, as the server stamped them. */
export interface PresentMember extends MemberInfo {
  typing: boolean;
}

interface StampedState {
  user?: { id?: unknown; handle?: unknown; name?: unknown };
  typingAt?: unknown;
}

const TYPING_VISIBLE_MS = LIMITS.realtime.typingExpirySeconds * 1000;
/** Pages the REST history may walk through the head segment before it reaches older messages. */
const MAX_OVERLAP_PAGES = 4;

/**
 * A room that is open on screen: its meta doc with presence, its head segment (and any head that
 * arrives while it is open), the segment after the head once the head is partly full (so the room's
 * next message past a segment boundary arrives on a doc already held), older history paged in over
 * REST, and who is here and typing. Docs are read from IndexedDB first, so a room opened offline shows
 * what this device last saw.
 */
export class RoomSession {
  private readonly meta: OpenedDoc;
  readonly awareness: awarenessProtocol.Awareness;
  private readonly segments = new Map<number, OpenedDoc & { stop: () => void }>();
  private readonly cleanups: Array<() => void> = [];
  private closed = false;
  private typingSince = 0;
  private typingRefresh: ReturnType<typeof setTimeout> | undefined;
  private typingStop: ReturnType<typeof setTimeout> | undefined;
  /** Local time a client's typing stamp was last seen to change: clocks differ, this device's does not. */
  private readonly typingSeen = new Map<number, { typingAt: unknown; at: number }>();

  private readonly messagesSignal = createSignal<MessageView[]>([], { equals: false });
  private readonly olderSignal = createSignal<MessageView[]>([]);
  private readonly presenceSignal = createSignal<Map<number, StampedState>>(new Map(), { equals: false });
  private readonly localReady = createSignal(false);
  private readonly serverSynced = createSignal(false);
  private readonly historyState = createSignal<{ loading: boolean; error: string | null; exhausted: boolean }>({
    loading: false,
    error: null,
    exhausted: false,
  });
  private readonly purgedSignal = createSignal<string | null>(null);
  private readonly threadsSignal = createSignal<ThreadState[]>([]);
  /** The room's settings as its meta doc has them (what its admins changed, live); compared as JSON. */
  private readonly settingsSignal = createSignal<Record<string, unknown>>(
    {},
    { equals: (a, b) => JSON.stringify(a) === JSON.stringify(b) },
  );
  private readonly pinsSignal = createSignal<PinRef[]>([], {
    equals: (a, b) => a.length === b.length && a.every((p, i) => p.messageId === b[i]!.messageId),
  });
  private readonly clock = createSignal(Date.now());
  private historyCursor: string | null | undefined = undefined;
  /** A segment came out of IndexedDB: from then on the docs, not the first-paint list, say what is shown. */
  private segmentLoaded = false;
  /** The server's meta doc has arrived, so its head is the room's real head (not this device's last one). */
  private metaSynced = false;
  /** How full the head segment gets before this device takes the next one too (see nextSegmentPoint). */
  private nextPoint = nextSegmentPoint();
  /** Newest seq among the held segments. */
  private highestSeq = 0;

  constructor(
    readonly channelId: string,
    private readonly replica: Replica,
    private readonly client: SyncClient,
  ) {
    performance.mark('lounge:room-open');
    // What this device showed of the room last time, on screen at once; the docs replace it when loaded.
    const shownBefore = replica.firstPaint.read(channelId);
    if (shownBefore.length > 0) {
      performance.mark('lounge:room-first-paint');
      this.messagesSignal[1](shownBefore);
    }
    this.meta = replica.store.open(metaDocName(channelId));
    this.awareness = new awarenessProtocol.Awareness(this.meta.doc);
    // The server stamps who we are; all we say is whether we are typing.
    this.awareness.setLocalState({ typing: false });
    const onAwareness = () => this.readPresence();
    this.awareness.on('change', onAwareness);
    const tick = setInterval(() => this.clock[1](Date.now()), 1000);
    this.cleanups.push(() => {
      this.awareness.off('change', onAwareness);
      clearInterval(tick);
    });

    // The newest segment this device keeps is the head it saw last: it loads beside the meta doc instead
    // of after it (one IndexedDB round less before the room shows). The meta doc then confirms or moves it.
    const keptHead = this.keptHead();
    if (keptHead !== null) this.followHead(keptHead);

    void this.meta.loaded.then(() => {
      if (this.closed) return;
      performance.mark('lounge:room-meta-local');
      client.subscribe(this.meta.name, this.meta.doc, this.awareness);
      this.followHead();
      const readSettings = () => {
        const meta = readMeta(this.meta.doc);
        this.threadsSignal[1](meta.threads);
        const { head: _head, ...settings } = meta.fields;
        this.settingsSignal[1](settings);
      };
      readSettings();
      this.pinsSignal[1](readPins(this.meta.doc));
      const onMeta = () => {
        this.followHead();
        readSettings();
        this.pinsSignal[1](readPins(this.meta.doc));
      };
      this.meta.doc.on('update', onMeta);
      this.cleanups.push(() => this.meta.doc.off('update', onMeta));
      void client.whenSynced(this.meta.name).then(() => {
        if (this.closed) return;
        this.metaSynced = true;
        this.maybeTakeNextSegment();
        const head = readMeta(this.meta.doc).head;
        void this.whenSegmentSynced(head).then(() => !this.closed && this.serverSynced[1](true));
      });
    });
  }

  /** Reactive: the messages of the subscribed segments plus loaded history, in seq order. */
  readonly messages: Accessor<MessageView[]> = () => {
    const live = this.messagesSignal[0]();
    const older = this.olderSignal[0]();
    if (older.length === 0) return live;
    const seen = new Set(live.map((m) => m.id));
    const merged = [...older.filter((m) => !seen.has(m.id)), ...live];
    return merged.sort((a, b) => a.seq - b.seq);
  };

  /** Reactive: local data is on screen (from IndexedDB, or empty after the first load). */
  readonly ready: Accessor<boolean> = () => this.localReady[0]();
  /** Reactive: the server's state has arrived at least once since the room was opened. */
  readonly synced: Accessor<boolean> = () => this.serverSynced[0]();
  readonly history: Accessor<{ loading: boolean; error: string | null; exhausted: boolean }> = () =>
    this.historyState[0]();
  /** Reactive: the state of a room's threads (title, locked, pinned, resolved, archived), live from its meta doc. */
  readonly threads: Accessor<ThreadState[]> = () => this.threadsSignal[0]();

  /** Reactive: the room's settings from its meta doc (name, slow mode, who may post, …), as the server wrote them. */
  readonly settings: Accessor<Record<string, unknown>> = () => this.settingsSignal[0]();
  /**
   * Reactive: the channel's pinned messages (id and seq), newest pin first, live from its meta doc — so pins
   * of messages in segments this device never loaded are known too. Hidden and deleted messages are not in it.
   */
  readonly pins: Accessor<PinRef[]> = () => this.pinsSignal[0]();
  /** Reactive: set when the member lost access to this room. */
  readonly purged: Accessor<string | null> = () => this.purgedSignal[0]();

  /** Reactive: everyone here (the member included, once connected), one entry per member. */
  readonly present: Accessor<PresentMember[]> = () => {
    const states = this.presenceSignal[0]();
    const now = this.clock[0]();
    // Offline, whatever presence this device last heard is stale: show nobody rather than ghosts.
    if (this.replica.displayState() !== 'online') return [];
    const byUser = new Map<string, PresentMember>();
    const me = this.replica.userId;
    for (const [clientId, state] of states) {
      if (clientId === this.awareness.clientID) continue;
      const user = state.user;
      if (!user || typeof user.id !== 'string') continue;
      const seen = this.typingSeen.get(clientId);
      const typing = typeof state.typingAt === 'number' && seen !== undefined && now - seen.at < TYPING_VISIBLE_MS;
      const previous = byUser.get(user.id);
      byUser.set(user.id, {
        id: user.id,
        handle: typeof user.handle === 'string' ? user.handle : '',
        name: this.replica.members.nameOf(user.id),
        typing: (previous?.typing ?? false) || (typing && user.id !== me),
      });
    }
    if (this.replica.displayState() === 'online' && !byUser.has(me)) {
      const info = this.replica.members.get(me);
      byUser.set(me, { id: me, handle: info?.handle ?? '', name: info?.name ?? 'You', typing: false });
    }
    return [...byUser.values()].sort((a, b) => (a.id === me ? -1 : b.id === me ? 1 : a.name.localeCompare(b.name)));
  };

  /** Tells the room the member is typing; stops by itself a few seconds after the last keystroke. */
  typing(active: boolean): void {
    if (this.closed) return;
    clearTimeout(this.typingStop);
    if (!active) {
      clearTimeout(this.typingRefresh);
      this.typingRefresh = undefined;
      this.typingSince = 0;
      if (this.awareness.getLocalState()?.typing) this.awareness.setLocalState({ typing: false });
      return;
    }
    const now = Date.now();
    // The server stamps typingAt when it sees `typing: true`, and it expires 10 s later: say it again
    // every few seconds while the member keeps typing.
    if (!this.awareness.getLocalState()?.typing || now - this.typingSince > 4000) {
      this.typingSince = now;
      this.awareness.setLocalState({ typing: true });
    }
    this.typingStop = setTimeout(() => this.typing(false), 5000);
  }

  /** Loads the page of history before the oldest message on screen. */
  async loadOlder(token: string): Promise<void> {
    const state = this.historyState[0]();
    if (state.loading || state.exhausted) return;
    this.historyState[1]({ ...state, loading: true, error: null });
    try {
      const oldestShown = this.messages()[0]?.seq ?? Number.POSITIVE_INFINITY;
      let added: MessageView[] = [];
      let exhausted = false;
      // The cursor is opaque, so the first pages may repeat what the head segment already shows.
      for (let page = 0; page < MAX_OVERLAP_PAGES && added.length === 0; page++) {
        if (this.historyCursor === null) {
          exhausted = true;
          break;
        }
        const result = await fetchChannelPage(token, this.channelId, this.historyCursor);
        // Every page read lands in the SQL replica, so what was scrolled through is searchable offline.
        void this.replica.sql.upsertMessages(result.messages.map(fromHistory), 'history');
        if (this.closed) return;
        this.historyCursor = result.olderCursor;
        added = result.messages.filter((m) => m.seq < oldestShown).map(fromHistory);
        if (result.olderCursor === null) exhausted = true;
      }
      batch(() => {
        if (added.length > 0) this.olderSignal[1]((older) => [...added, ...older]);
        this.historyState[1]({
          loading: false,
          error: null,
          exhausted,
        });
      });
    } catch (err) {
      if (this.closed) return;
      const message = err instanceof Error ? err.message : 'Older messages could not be loaded.';
      this.historyState[1]({ loading: false, error: message, exhausted: false });
    }
  }

  /** Access was revoked: nothing of this room stays on screen or on the device. */
  purge(reason: string): void {
    this.replica.firstPaint.drop(this.channelId);
    batch(() => {
      this.purgedSignal[1](reason);
      this.messagesSignal[1]([]);
      this.olderSignal[1]([]);
      this.pinsSignal[1]([]);
    });
  }

  close(): void {
    if (this.closed) return;
    this.closed = true;
    clearTimeout(this.typingRefresh);
    clearTimeout(this.typingStop);
    // Leave presence before leaving the doc, so others see us go at once.
    this.awareness.setLocalState(null);
    for (const cleanup of this.cleanups) cleanup();
    this.client.unsubscribe(this.meta.name);
    for (const segment of this.segments.values()) {
      segment.stop();
      this.client.unsubscribe(segment.name);
      this.replica.store.release(segment.name);
    }
    this.segments.clear();
    this.awareness.destroy();
    this.replica.store.release(this.meta.name);
  }

  private whenSegmentSynced(segment: number): Promise<void> {
    const opened = this.segments.get(segment);
    if (!opened) return Promise.resolve();
    return opened.loaded.then(() => (this.closed ? undefined : this.client.whenSynced(opened.name)));
  }

  /**
   * Subscribes to the head segment named by the meta doc, and keeps the one before it while open (so
   * the messages just before a head that moved on stay in view) and the one after it once taken ahead.
   * Any older segment is let go: a device that opens a room for the first time has an empty meta doc,
   * which names segment 0 until the server's arrives; showing that segment beside the real head would
   * put the room's first messages next to its newest with a gap between.
   */
  private followHead(head: number = readMeta(this.meta.doc).head): void {
    if (this.closed) return;
    const stale = [...this.segments].filter(([segment]) => segment < head - 1);
    for (const [segment, opened] of stale) {
      this.segments.delete(segment);
      opened.stop();
      this.client.unsubscribe(opened.name);
      this.replica.store.release(opened.name);
    }
    if (stale.length > 0) this.refreshMessages();
    const held = this.segments.get(head);
    if (held) {
      // Taken ahead while it was the next segment: now it is the head this device keeps.
      this.replica.store.touch([held.name]);
      if (!this.localReady[0]())
        void held.loaded.then(() => {
          this.segmentLoaded = true;
          this.refreshMessages();
        });
    } else {
      this.openSegment(head, 'head');
    }
    this.maybeTakeNextSegment();
  }

  /**
   * Holds the segment after the head once the head is filled past this device's point. Only once the
   * server's meta doc is here (before that the head is only what this device saw last time).
   */
  private maybeTakeNextSegment(): void {
    if (this.closed || !this.metaSynced) return;
    const head = readMeta(this.meta.doc).head;
    if (this.segments.has(head + 1) || !this.segments.has(head)) return;
    if (wantsNextSegment(head, this.highestSeq, this.nextPoint)) {
      this.nextPoint = nextSegmentPoint();
      this.openSegment(head + 1, 'next');
    }
  }

  private openSegment(segment: number, role: 'head' | 'next'): void {
    const name = segmentDocName(this.channelId, segment);
    // The next segment is not recorded as kept until it holds a message: this device's newest kept
    // segment stays the one that opens first next time (see keptHead).
    const opened = this.replica.store.open(name, { touch: role === 'head' });
    let kept = role === 'head';
    const onUpdate = () => {
      if (!kept && messageCount(opened.doc) > 0) {
        kept = true;
        this.replica.store.touch([name]);
      }
      this.refreshMessages();
    };
    opened.doc.on('update', onUpdate);
    this.segments.set(segment, { ...opened, stop: () => opened.doc.off('update', onUpdate) });
    void opened.loaded.then(() => {
      if (this.closed || !this.segments.has(segment)) return;
      if (role === 'head') performance.mark('lounge:room-head-local');
      this.client.subscribe(name, opened.doc);
      this.segmentLoaded = true;
      this.refreshMessages();
      this.replica.startLocalDatabase();
      // Closed segments older than the one before the head are history now: REST serves them.
      const head = role === 'head' ? segment : segment - 1;
      for (const { name: stored, segment: old } of this.keptSegments()) {
        if (old < head - 1) void this.replica.store.forget(stored);
      }
    });
  }

  /** This room's segment docs stored on the device. */
  private keptSegments(): Array<{ name: string; segment: number }> {
    return this.replica.store.storedNames().flatMap((name) => {
      const parsed = parseDocName(name);
      return parsed?.kind === 'channel-segment' && parsed.channelId === this.channelId
        ? [{ name, segment: parsed.segment }]
        : [];
    });
  }

  /** The highest segment of this room stored on the device, if any. */
  private keptHead(): number | null {
    const segments = this.keptSegments().map((s) => s.segment);
    return segments.length > 0 ? Math.max(...segments) : null;
  }

  private refreshMessages(): void {
    // Until a segment is loaded, the docs know less than the first-paint list on screen.
    if (this.closed || !this.segmentLoaded) return;
    const all: MessageView[] = [];
    for (const segment of this.segments.values()) all.push(...readMessages(segment.doc, this.channelId));
    all.sort((a, b) => a.seq - b.seq);
    this.highestSeq = Math.max(this.highestSeq, all.at(-1)?.seq ?? 0);
    batch(() => {
      this.messagesSignal[1](all);
      this.localReady[1](true);
    });
    this.maybeTakeNextSegment();
    if (this.purgedSignal[0]() === null) this.replica.firstPaint.save(this.channelId, all);
  }

  private readPresence(): void {
    const states = new Map<number, StampedState>();
    const now = Date.now();
    for (const [clientId, raw] of this.awareness.getStates()) {
      const state = raw as StampedState;
      states.set(clientId, state);
      const user = state.user;
      if (user && typeof user.id === 'string' && typeof user.handle === 'string') {
        this.replica.members.remember({
          id: user.id,
          handle: user.handle,
          name: typeof user.name === 'string' ? user.name : user.handle,
        });
      }
      const seen = this.typingSeen.get(clientId);
      if (state.typingAt !== seen?.typingAt) this.typingSeen.set(clientId, { typingAt: state.typingAt, at: now });
    }
    for (const clientId of [...this.typingSeen.keys()]) if (!states.has(clientId)) this.typingSeen.delete(clientId);
    this.presenceSignal[1](states);
  }
}
