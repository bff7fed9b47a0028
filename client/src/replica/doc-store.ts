import { clearDocument, IndexeddbPersistence, storeState } from 'y-indexeddb';
import * as Y from 'yjs';
import { parseDocName } from '../../../shared/sync/doc-names.ts';

/**
 * The member's locally persisted Yjs docs (y-indexeddb, one IndexedDB database per doc), kept bounded:
 * every doc but the member's own `private` and `inbox` is evicted when it has not been opened for
 * `maxIdleMs`, and the least recently opened go first when there are more than `maxChannelDocs`.
 * (y-indexeddb grows with every instantiation of a rarely written doc and never forgets a doc, so
 * nothing else would stop thousands of old rooms' segments from piling up on the device.)
 *
 * Databases are named per member (`lounge:<userId>:<docName>`), so two people sharing a browser never
 * read each other's replica, and signing out can delete exactly one member's data.
 */
export interface DocStoreOptions {
  userId: string;
  maxChannelDocs?: number;
  maxIdleMs?: number;
  /**
   * Called when a doc is opened (not again while it stays open): the SQL replica watches it from then
   * on. The function it answers is called when the doc is closed or forgotten.
   */
  onOpened?: (opened: OpenedDoc) => () => void;
}

export interface OpenedDoc {
  name: string;
  doc: Y.Doc;
  /** Resolves once what IndexedDB held is in the doc (or right away when IndexedDB is unavailable). */
  loaded: Promise<void>;
}

interface Entry extends OpenedDoc {
  persistence: IndexeddbPersistence | undefined;
  refs: number;
  detach: () => void;
}

const DEFAULT_MAX_CHANNEL_DOCS = 48;
const DEFAULT_MAX_IDLE_MS = 14 * 24 * 3600 * 1000;
/** Past this many stored updates a doc is compacted into one on open (see y-indexeddb#31). */
const COMPACT_AFTER_UPDATES = 64;
/** IndexedDB can hang (some private modes): the app goes on without local data after this long. */
const LOAD_TIMEOUT_MS = 4000;

const indexKey = (userId: string) => `lounge.replica.v1.${userId}`;

export class DocStore {
  private readonly entries = new Map<string, Entry>();
  private readonly maxChannelDocs: number;
  private readonly maxIdleMs: number;
  private readonly available = typeof indexedDB !== 'undefined';

  constructor(private readonly options: DocStoreOptions) {
    this.maxChannelDocs = options.maxChannelDocs ?? DEFAULT_MAX_CHANNEL_DOCS;
    this.maxIdleMs = options.maxIdleMs ?? DEFAULT_MAX_IDLE_MS;
  }

  private dbName(docName: string): string {
    return `lounge:${this.options.userId}:${docName}`;
  }

  /**
   * Opens (or shares) a persisted doc; every open must be paired with a `release`. With `touch: false`
   * the open does not count as a use for eviction (a background read, not the member opening a room).
   */
  open(name: string, options: { touch?: boolean } = {}): OpenedDoc {
    const touch = options.touch ?? true;
    const existing = this.entries.get(name);
    if (existing) {
      existing.refs += 1;
      if (touch) this.touch([name]);
      return existing;
    }
    const doc = new Y.Doc();
    let persistence: IndexeddbPersistence | undefined;
    let loaded: Promise<void> = Promise.resolve();
    if (this.available) {
      try {
        const p = new IndexeddbPersistence(this.dbName(name), doc);
        persistence = p;
        const synced = p.whenSynced.then(() => {
          if (p._dbsize > COMPACT_AFTER_UPDATES) void storeState(p, true);
        });
        loaded = Promise.race([synced, new Promise<void>((resolve) => setTimeout(resolve, LOAD_TIMEOUT_MS))]);
      } catch {
        persistence = undefined;
      }
    }
    const entry: Entry = { name, doc, loaded, persistence, refs: 1, detach: () => {} };
    entry.detach = this.options.onOpened?.(entry) ?? (() => {});
    this.entries.set(name, entry);
    if (touch) this.touch([name]);
    return entry;
  }

  /** Drops one reference; the last one closes the database (the data stays on the device). */
  release(name: string): void {
    const entry = this.entries.get(name);
    if (!entry) return;
    entry.refs -= 1;
    if (entry.refs > 0) return;
    this.entries.delete(name);
    entry.detach();
    void entry.persistence?.destroy();
    entry.doc.destroy();
  }

  /** Records that these docs were just used, so eviction keeps them. */
  touch(names: string[]): void {
    const index = this.readIndex();
    const now = Date.now();
    for (const name of names) index[name] = now;
    this.writeIndex(index);
  }

  /** Deletes one doc from the device (access lost, or a closed segment nobody needs). */
  async forget(name: string): Promise<void> {
    const entry = this.entries.get(name);
    if (entry) {
      this.entries.delete(name);
      entry.detach();
      await entry.persistence?.destroy();
      entry.doc.destroy();
    }
    const index = this.readIndex();
    delete index[name];
    this.writeIndex(index);
    if (this.available) await clearDocument(this.dbName(name)).catch(() => {});
  }

  /** Names of stored docs, most recently used first. */
  storedNames(): string[] {
    return Object.entries(this.readIndex())
      .sort((a, b) => b[1] - a[1])
      .map(([name]) => name);
  }

  /** Deletes every stored doc of these channels (meta and segments): access to them was lost. */
  async forgetChannels(channelIds: readonly string[]): Promise<void> {
    const ids = new Set(channelIds);
    const names = new Set([...this.storedNames(), ...this.entries.keys()]);
    for (const name of names) {
      const parsed = parseDocName(name);
      if ((parsed?.kind === 'channel-meta' || parsed?.kind === 'channel-segment') && ids.has(parsed.channelId)) {
        await this.forget(name);
      }
    }
  }

  /** Applies the retention policy; docs that are open right now are never evicted. */
  async evict(): Promise<string[]> {
    const index = this.readIndex();
    const now = Date.now();
    const channelDocs = Object.entries(index)
      .filter(([name]) => {
        const parsed = parseDocName(name);
        return parsed?.kind === 'channel-meta' || parsed?.kind === 'channel-segment';
      })
      .sort((a, b) => b[1] - a[1]);
    const doomed = channelDocs
      .filter(([, usedAt], position) => position >= this.maxChannelDocs || now - usedAt > this.maxIdleMs)
      .map(([name]) => name)
      .filter((name) => !this.entries.has(name));
    for (const name of doomed) await this.forget(name);
    return doomed;
  }

  /** Deletes everything this member has on the device (signing out on a shared computer). */
  async clearAll(): Promise<void> {
    const names = new Set([...this.storedNames(), ...this.entries.keys()]);
    for (const name of names) await this.forget(name);
    try {
      localStorage.removeItem(indexKey(this.options.userId));
    } catch {
      // Storage disabled: nothing was indexed either.
    }
  }

  /** Closes every open database without deleting anything. */
  close(): void {
    for (const name of [...this.entries.keys()]) {
      const entry = this.entries.get(name)!;
      this.entries.delete(name);
      entry.detach();
      void entry.persistence?.destroy();
      entry.doc.destroy();
    }
  }

  private readIndex(): Record<string, number> {
    try {
      const raw = localStorage.getItem(indexKey(this.options.userId));
      const parsed: unknown = raw ? JSON.parse(raw) : {};
      if (typeof parsed !== 'object' || parsed === null) return {};
      const index: Record<string, number> = {};
      for (const [name, usedAt] of Object.entries(parsed)) {
        if (typeof usedAt === 'number' && parseDocName(name)) index[name] = usedAt;
      }
      return index;
    } catch {
      return {};
    }
  }

  private writeIndex(index: Record<string, number>): void {
    try {
      localStorage.setItem(indexKey(this.options.userId), JSON.stringify(index));
    } catch {
      // Without storage the index lives only as long as the tab; eviction then starts over next time.
    }
  }
}
