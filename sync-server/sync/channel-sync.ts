import type { Logger } from 'pino';
import type { ChannelChange } from '../../shared/sync/channel-doc.ts';
import type { Database } from '../db/database.ts';
import type { Fanout } from '../fanout/fanout.ts';
import { topics } from '../fanout/fanout.ts';
import { currentChangeSeqs, readChanges } from './change-log.ts';
import { applyChange, type ChannelDocName } from './channel-doc-store.ts';
import type { HostedDoc } from './hosted-doc.ts';

/**
 * Keeps every loaded doc of a channel at the channel's change_seq. Changes arrive three ways — this
 * node's own commits, the fan-out from other nodes, and a periodic catch-up against Postgres — and are
 * applied strictly in change_seq order per channel, fetching any gap from the change log first. The
 * catch-up is what repairs a commit whose broadcast was lost (a node killed in between, Redis down).
 */
export class ChannelSync {
  private readonly docsByChannel = new Map<string, Set<HostedDoc>>();
  private readonly unsubscribers = new Map<string, Promise<() => Promise<void>>>();
  private readonly queues = new Map<string, Promise<void>>();
  private timer: NodeJS.Timeout | undefined;

  constructor(
    private readonly db: Database,
    private readonly fanout: Fanout,
    private readonly logger: Logger,
    catchUpIntervalMs: number,
  ) {
    if (catchUpIntervalMs > 0) {
      this.timer = setInterval(() => void this.catchUpAll(), catchUpIntervalMs);
      this.timer.unref();
    }
  }

  /** A loaded channel doc joins its channel: fan-out subscription on the first one. */
  track(channelId: string, hosted: HostedDoc): void {
    let docs = this.docsByChannel.get(channelId);
    if (!docs) {
      this.docsByChannel.set(channelId, (docs = new Set()));
      this.unsubscribers.set(
        channelId,
        this.fanout.subscribe(topics.channel(channelId), (envelope) => {
          if (envelope.event.kind === 'changes') this.enqueue(channelId, envelope.event.changes);
        }),
      );
    }
    docs.add(hosted);
  }

  async untrack(channelId: string, hosted: HostedDoc): Promise<void> {
    const docs = this.docsByChannel.get(channelId);
    if (!docs) return;
    docs.delete(hosted);
    if (docs.size > 0) return;
    this.docsByChannel.delete(channelId);
    const unsubscribe = this.unsubscribers.get(channelId);
    this.unsubscribers.delete(channelId);
    await (await unsubscribe)?.();
  }

  /** This node committed these changes: apply them here, then tell the other nodes. */
  async committed(changes: readonly ChannelChange[]): Promise<void> {
    const byChannel = new Map<string, ChannelChange[]>();
    for (const change of changes) {
      const list = byChannel.get(change.channelId) ?? [];
      list.push(change);
      byChannel.set(change.channelId, list);
    }
    await Promise.all(
      [...byChannel].map(async ([channelId, list]) => {
        await this.enqueue(channelId, list);
        await this.fanout
          .publish(topics.channel(channelId), { kind: 'changes', changes: list })
          .catch((err: unknown) => this.logger.warn({ err, channelId }, 'fan-out publish failed; catch-up will repair'));
      }),
    );
  }

  /** Brings one channel's loaded docs up to Postgres (after a load, and on the timer). */
  catchUp(channelId: string): Promise<void> {
    return this.enqueue(channelId, []);
  }

  async catchUpAll(): Promise<void> {
    const channelIds = [...this.docsByChannel.keys()];
    if (channelIds.length === 0) return;
    let current: Map<string, number>;
    try {
      current = await currentChangeSeqs(this.db, channelIds);
    } catch (err) {
      this.logger.warn({ err }, 'catch-up could not read change_seq');
      return;
    }
    await Promise.all(
      channelIds.map((id) => {
        const docs = this.docsByChannel.get(id);
        const behind = docs && [...docs].some((d) => d.changeSeq < (current.get(id) ?? 0));
        return behind ? this.enqueue(id, []) : undefined;
      }),
    );
  }

  close(): void {
    clearInterval(this.timer);
  }

  private enqueue(channelId: string, incoming: readonly ChannelChange[]): Promise<void> {
    const previous = this.queues.get(channelId) ?? Promise.resolve();
    const next = previous
      .then(() => this.apply(channelId, incoming))
      .catch((err: unknown) => this.logger.warn({ err, channelId }, 'applying channel changes failed; catch-up will retry'));
    this.queues.set(channelId, next);
    void next.then(() => {
      if (this.queues.get(channelId) === next) this.queues.delete(channelId);
    });
    return next;
  }

  private async apply(channelId: string, incoming: readonly ChannelChange[]): Promise<void> {
    const docs = this.docsByChannel.get(channelId);
    if (!docs || docs.size === 0) return;
    const lowest = Math.min(...[...docs].map((d) => d.changeSeq));
    const sorted = [...incoming].sort((a, b) => a.changeSeq - b.changeSeq);
    let changes: ChannelChange[];
    if (sorted.length > 0 && sorted[0]!.changeSeq <= lowest + 1 && isContiguous(sorted)) {
      changes = sorted;
    } else {
      // A gap (lost publish, or a catch-up tick): the change log has everything, in order.
      changes = await readChanges(this.db, channelId, { afterSeq: lowest });
    }
    for (const hosted of docs) {
      for (const change of changes) {
        if (change.changeSeq !== hosted.changeSeq + 1) continue;
        applyChange(hosted.doc, hosted.parsed as ChannelDocName, change);
        hosted.changeSeq = change.changeSeq;
      }
    }
  }
}

function isContiguous(changes: readonly ChannelChange[]): boolean {
  return changes.every((c, i) => i === 0 || c.changeSeq === changes[i - 1]!.changeSeq + 1);
}
