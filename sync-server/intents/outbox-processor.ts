import type { Logger } from 'pino';
import type * as Y from 'yjs';
import { z } from 'zod';
import { processIntent, type IntentDeps, type IntentOutcome } from './process-intent.ts';

const intentIdSchema = z.uuid();
const orderSchema = z.object({ n: z.number() }).loose();

// Intent ids answered recently per member: a still-listed outbox entry is not processed twice here
// (the database would refuse it anyway; this saves the round trip).
const REMEMBERED_PER_USER = 2000;
const RETRY_AFTER_ERROR_MS = 3000;

/**
 * Turns a member's outbox (in their private doc) into processed intents: one member at a time in
 * client order `n`, each exactly once. A transient failure (database down) leaves the entry in the
 * outbox and retries it later; nothing is dropped.
 */
export class OutboxProcessor {
  private readonly running = new Map<string, Promise<void>>();
  private readonly pendingScan = new Map<string, Y.Doc>();
  private readonly answered = new Map<string, Set<string>>();
  private readonly retryTimers = new Map<string, NodeJS.Timeout>();
  private closed = false;

  constructor(
    private readonly deps: IntentDeps,
    private readonly logger: Logger,
    private readonly hooks: { onOutcome(userId: string, intentId: string, outcome: IntentOutcome): Promise<void> },
  ) {}

  /** Looks for unprocessed intents; cheap to call on every update of the doc. */
  scan(userId: string, doc: Y.Doc): void {
    if (this.closed) return;
    if (this.running.has(userId)) {
      this.pendingScan.set(userId, doc);
      return;
    }
    const run = this.drain(userId, doc).finally(() => {
      this.running.delete(userId);
      const again = this.pendingScan.get(userId);
      this.pendingScan.delete(userId);
      if (again) this.scan(userId, again);
    });
    this.running.set(userId, run);
  }

  private async drain(userId: string, doc: Y.Doc): Promise<void> {
    const outbox = doc.getMap<unknown>('outbox');
    let answered = this.answered.get(userId);
    if (!answered) this.answered.set(userId, (answered = new Set()));
    const todo = [...outbox.entries()]
      .filter(([id]) => !answered.has(id))
      .map(([id, value]) => ({ id, value, n: orderSchema.safeParse(value).data?.n ?? Number.MAX_SAFE_INTEGER }))
      .sort((a, b) => a.n - b.n);
    for (const { id, value } of todo) {
      if (this.closed) return;
      if (!intentIdSchema.safeParse(id).success) {
        // Not a uuid: cannot be recorded, so it is answered once and ignored.
        answered.add(id);
        this.logger.warn({ userId, intentId: id }, 'outbox entry with an invalid id ignored');
        continue;
      }
      let outcome: IntentOutcome;
      try {
        outcome = await processIntent(this.deps, userId, id, value);
      } catch (err) {
        this.logger.warn({ err, userId, intentId: id }, 'intent processing failed; will retry');
        this.scheduleRetry(userId, doc);
        return; // keep client order: later intents wait for this one
      }
      answered.add(id);
      if (answered.size > REMEMBERED_PER_USER) answered.delete(answered.values().next().value as string);
      try {
        await this.hooks.onOutcome(userId, id, outcome);
      } catch (err) {
        this.logger.error({ err, userId, intentId: id }, 'delivering an intent outcome failed');
      }
    }
  }

  private scheduleRetry(userId: string, doc: Y.Doc): void {
    if (this.retryTimers.has(userId)) return;
    const timer = setTimeout(() => {
      this.retryTimers.delete(userId);
      this.scan(userId, doc);
    }, RETRY_AFTER_ERROR_MS);
    timer.unref();
    this.retryTimers.set(userId, timer);
  }

  close(): void {
    this.closed = true;
    for (const timer of this.retryTimers.values()) clearTimeout(timer);
    this.retryTimers.clear();
  }
}
