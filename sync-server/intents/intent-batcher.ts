import type { Logger } from 'pino';
import { processBatch, type IntentDeps, type IntentGroup, type IntentOutcome } from './process-intent.ts';

export interface BatcherOptions {
  /** Most intents in one transaction (a bigger backlog is split). */
  maxBatch: number;
  /** Transactions in flight at once (each holds one connection of the pool). */
  maxInFlight: number;
}

/**
 * When a submitted group's promise settles: once its transaction committed, or once its changes and
 * verdicts were also delivered (applied to this node's docs, published, answered).
 */
export type SettleAt = 'committed' | 'delivered';

interface Waiting {
  group: IntentGroup;
  settleAt: SettleAt;
  resolve(outcomes: IntentOutcome[]): void;
  reject(err: unknown): void;
}

export interface ProcessedGroup {
  group: IntentGroup;
  outcomes: IntentOutcome[];
}

/**
 * Group commit for intents. Members' intents queue here; whenever a transaction slot is free, everything
 * waiting (up to maxBatch) goes into one transaction. At low load a batch is a single intent and nothing
 * waits; under load the batches grow by themselves, which is what keeps the cost per message falling
 * as the rate rises instead of the queue growing.
 *
 * A group (one member's intents, in order) is never split, and a member has at most one group in
 * flight (the outbox processor drains one member at a time), so order per member holds.
 *
 * A batch that fails is retried group by group in transactions of their own: a transient fault then
 * costs a retry, and a group that keeps failing (a bug, bad data the handlers did not foresee) fails
 * alone instead of holding every member behind it.
 */
export class IntentBatcher {
  private readonly queue: Waiting[] = [];
  private inFlight = 0;

  private readonly deps: IntentDeps;

  constructor(
    deps: IntentDeps,
    private readonly options: BatcherOptions,
    private readonly logger: Logger,
    /** Runs after each commit, before the groups' promises settle: applies and fans out what committed. */
    private readonly afterCommit: (processed: ProcessedGroup[]) => Promise<void>,
  ) {
    this.deps = {
      ...deps,
      onFault:
        deps.onFault ?? ((err) => logger.error({ err }, 'an intent was refused because of a fault of this program')),
    };
  }

  submit(group: IntentGroup, settleAt: SettleAt = 'delivered'): Promise<IntentOutcome[]> {
    if (group.intents.length === 0) return Promise.resolve([]);
    return new Promise((resolve, reject) => {
      this.queue.push({ group, settleAt, resolve, reject });
      this.pump();
    });
  }

  private pump(): void {
    while (this.inFlight < this.options.maxInFlight && this.queue.length > 0) {
      const batch: Waiting[] = [];
      let size = 0;
      while (
        this.queue.length > 0 &&
        (batch.length === 0 || size + this.queue[0]!.group.intents.length <= this.options.maxBatch)
      ) {
        const next = this.queue.shift()!;
        size += next.group.intents.length;
        batch.push(next);
      }
      this.inFlight++;
      let released = false;
      const release = () => {
        if (released) return;
        released = true;
        this.inFlight--;
        this.pump();
      };
      void this.run(batch, release).finally(release);
    }
  }

  /**
   * Processes a batch; `committed` frees its transaction slot as soon as the commit is done, so the next
   * batch's transaction overlaps this one's delivery (publishing, doc updates, verdicts) instead of
   * waiting for it. Deliveries still start in commit order: each batch's delivery begins synchronously
   * after its commit, and channel docs apply changes in change_seq order whatever arrives first.
   */
  private async run(batch: Waiting[], committed: () => void = () => {}): Promise<void> {
    let outcomes: IntentOutcome[][];
    try {
      outcomes = await processBatch(
        this.deps,
        batch.map((w) => w.group),
      );
    } catch (err) {
      if (batch.length === 1) {
        batch[0]!.reject(err);
        return;
      }
      this.logger.warn({ err, groups: batch.length }, 'intent batch failed; retrying each member on their own');
      await Promise.all(batch.map((w) => this.run([w])));
      committed();
      return;
    }
    const processed = batch.map((w, i) => ({ group: w.group, outcomes: outcomes[i]! }));
    committed();
    batch.forEach((w, i) => {
      if (w.settleAt === 'committed') w.resolve(outcomes[i]!);
    });
    try {
      await this.afterCommit(processed);
    } catch (err) {
      // Committed is committed: the catch-up repairs docs that missed it; the verdicts still go out.
      this.logger.error({ err }, 'delivering committed intents failed');
    }
    batch.forEach((w, i) => {
      if (w.settleAt === 'delivered') w.resolve(outcomes[i]!);
    });
  }
}
