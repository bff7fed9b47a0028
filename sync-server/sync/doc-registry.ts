import type { Logger } from 'pino';
import type { DocName } from '../../shared/sync/doc-names.ts';
import { HostedDoc } from './hosted-doc.ts';
import type { SyncPeer } from './sync-peer.ts';

export interface DocLoader {
  /** Loads the doc; the returned disposer runs at unload (fan-out unsubscriptions, timers). */
  load(name: string, parsed: DocName): Promise<{ hosted: HostedDoc; dispose: () => Promise<void> | void }>;
  /** Runs once the doc is registered and visible to fan-out (e.g. catch up changes missed while loading). */
  afterLoad?(hosted: HostedDoc): void;
}

interface Entry {
  ready: Promise<HostedDoc>;
  hosted?: HostedDoc;
  dispose?: () => Promise<void> | void;
  idleTimer?: NodeJS.Timeout;
}

/**
 * The single owner of every doc held in memory. A doc is loaded on first subscription (concurrent
 * subscribers share one load), never answered before its load completes, and unloaded after `idleMs`
 * without subscribers or at once when its load fails — so memory follows live subscriptions, not history.
 */
export class DocRegistry {
  private readonly entries = new Map<string, Entry>();

  constructor(
    private readonly loader: DocLoader,
    private readonly logger: Logger,
    private readonly idleMs: number,
  ) {}

  get size(): number {
    return this.entries.size;
  }

  loaded(name: string): HostedDoc | undefined {
    return this.entries.get(name)?.hosted;
  }

  *all(): Iterable<HostedDoc> {
    for (const entry of this.entries.values()) if (entry.hosted) yield entry.hosted;
  }

  /** Loads (or reuses) the doc and subscribes the peer; the caller sends the first sync step after. */
  async attach(name: string, parsed: DocName, peer: SyncPeer): Promise<HostedDoc> {
    const entry = this.entryFor(name, parsed);
    if (entry.idleTimer) {
      clearTimeout(entry.idleTimer);
      entry.idleTimer = undefined;
    }
    const hosted = await entry.ready;
    hosted.peers.add(peer);
    return hosted;
  }

  /**
   * The doc as held now, loaded for the server's own use when no subscriber holds it (a member's outbox
   * with messages a limit holds back, after they closed the app): unloaded again after `idleMs` unless a
   * subscriber comes.
   */
  async use(name: string, parsed: DocName): Promise<HostedDoc> {
    const entry = this.entryFor(name, parsed);
    const hosted = await entry.ready;
    if (hosted.peers.size === 0 && !entry.idleTimer && this.entries.get(name) === entry) {
      entry.idleTimer = setTimeout(() => void this.unload(hosted.name), this.idleMs);
      entry.idleTimer.unref();
    }
    return hosted;
  }

  private entryFor(name: string, parsed: DocName): Entry {
    let entry = this.entries.get(name);
    if (!entry) {
      const created: Entry = { ready: Promise.resolve(undefined as unknown as HostedDoc) };
      created.ready = this.loader.load(name, parsed).then(
        ({ hosted, dispose }) => {
          created.hosted = hosted;
          created.dispose = dispose;
          this.loader.afterLoad?.(hosted);
          return hosted;
        },
        (err: unknown) => {
          this.entries.delete(name);
          throw err;
        },
      );
      this.entries.set(name, created);
      entry = created;
    }
    return entry;
  }

  detach(hosted: HostedDoc, peer: SyncPeer): void {
    hosted.peers.delete(peer);
    if (hosted.peers.size > 0) return;
    const entry = this.entries.get(hosted.name);
    if (!entry || entry.hosted !== hosted || entry.idleTimer) return;
    entry.idleTimer = setTimeout(() => void this.unload(hosted.name), this.idleMs);
    entry.idleTimer.unref();
  }

  async unload(name: string): Promise<void> {
    const entry = this.entries.get(name);
    if (!entry?.hosted || entry.hosted.peers.size > 0) return;
    this.entries.delete(name);
    clearTimeout(entry.idleTimer);
    try {
      await entry.dispose?.();
    } catch (err) {
      this.logger.warn({ err, doc: name }, 'doc dispose failed');
    }
    entry.hosted.destroy();
  }

  async closeAll(): Promise<void> {
    for (const [name, entry] of this.entries) {
      if (!entry.hosted) continue;
      entry.hosted.peers.clear();
      clearTimeout(entry.idleTimer);
      await Promise.resolve(entry.dispose?.()).catch(() => {});
      entry.hosted.destroy();
      this.entries.delete(name);
    }
  }
}
