import type { Logger } from 'pino';
import type * as Y from 'yjs';
import { z } from 'zod';
import type { IntentGroup, IntentOutcome } from './process-intent.ts';

const intentIdSchema = z.uuid();
/** The conversation an outbox entry sends a message to (null for other intents). */
function sendChannel(value: unknown): string | null {
  const v = value as { kind?: unknown; channelId?: unknown } | null;
  return v?.kind === 'send' && typeof v.channelId === 'string' ? v.channelId : null;
}
const orderSchema = z.object({ n: z.number() }).loose();

// Intent ids answered recently per member: a still-listed outbox entry is not processed twice here
// (the database would refuse it anyway; this saves the round trip).
const REMEMBERED_PER_USER = 2000;
const RETRY_AFTER_ERROR_MS = 3000;
/** A limit's window is reckoned on another clock (Redis): a moment later than its end, it has surely passed. */
const WAKE_SLACK_MS = 50;

/**
 * Turns a member's outbox (in their private doc) into processed intents: everything waiting in the
 * outbox goes out as one group in client order `n`, each intent exactly once; a member has one group
 * in flight at a time. A transient failure (database down) leaves the entries in the outbox and retries
 * them later; nothing is dropped. An intent a limit holds back (verdict "waiting": twelve messages
 * written on a train, ten a minute allowed) stays in the outbox and goes again when the limit allows,
 * still in the member's order.
 */
export class OutboxProcessor {
  private readonly running = new Map<string, Promise<void>>();
  private readonly pendingScan = new Map<string, Y.Doc>();
  private readonly answered = new Map<string, Set<string>>();
  private readonly retryTimers = new Map<string, NodeJS.Timeout>();
  /** Per member: intents a limit holds back, and when the server decides them again (epoch ms). */
  private readonly waiting = new Map<string, Map<string, number>>();
  private readonly wakeTimers = new Map<string, { at: number; timer: NodeJS.Timeout }>();
  private closed = false;

  constructor(
    /** Processes a member's intents in order (the intent batcher); settles once they are committed. */
    private readonly submit: (group: IntentGroup) => Promise<IntentOutcome[]>,
    private readonly logger: Logger,
    /**
     * The member's private doc as held now, loaded if need be: a held intent's time can come after the
     * member closed the app and the doc they wrote it in was unloaded (the outbox is kept with the doc).
     */
    private readonly currentDoc?: (userId: string) => Promise<Y.Doc>,
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
    // Held back by a limit until its time: not asked again on every change of the doc (a draft being typed).
    const waits = this.waiting.get(userId);
    const now = Date.now();
    if (waits) for (const id of waits.keys()) if (!outbox.has(id)) waits.delete(id); // discarded meanwhile
    const todo = [...outbox.entries()]
      .filter(([id]) => !answered.has(id))
      .map(([id, value]) => ({ id, value, n: orderSchema.safeParse(value).data?.n ?? Number.MAX_SAFE_INTEGER }))
      .sort((a, b) => a.n - b.n);
    const intents: Array<{ intentId: string; raw: unknown }> = [];
    // A conversation keeps the member's order: behind a send still held back, their later sends to the same
    // conversation wait too (their own time may come first: slow mode's wait is counted in whole seconds
    // from when each was decided). Other conversations are not held up by it.
    const heldIn = new Set<string>();
    for (const { id, value } of todo) {
      const channel = sendChannel(value);
      if ((waits?.get(id) ?? 0) > now) {
        if (channel) heldIn.add(channel);
        continue;
      }
      if (channel && heldIn.has(channel)) continue;
      if (!intentIdSchema.safeParse(id).success) {
        // Not a uuid: cannot be recorded, so it is answered once and ignored.
        answered.add(id);
        this.logger.warn({ userId, intentId: id }, 'outbox entry with an invalid id ignored');
        continue;
      }
      intents.push({ intentId: id, raw: value });
    }
    if (intents.length === 0 || this.closed) return;
    let outcomes: IntentOutcome[];
    try {
      outcomes = await this.submit({ userId, intents });
    } catch (err) {
      this.logger.warn({ err, userId, intents: intents.length }, 'intent processing failed; will retry');
      this.scheduleRetry(userId, doc);
      return;
    }
    intents.forEach(({ intentId }, i) => {
      const verdict = outcomes[i]?.verdict;
      if (verdict?.status === 'waiting') {
        let held = this.waiting.get(userId);
        if (!held) this.waiting.set(userId, (held = new Map()));
        held.set(intentId, verdict.retryAt);
        return;
      }
      this.waiting.get(userId)?.delete(intentId);
      answered.add(intentId);
    });
    while (answered.size > REMEMBERED_PER_USER) answered.delete(answered.values().next().value as string);
    const held = this.waiting.get(userId);
    if (held && held.size === 0) this.waiting.delete(userId);
    else if (held) this.wakeAt(userId, doc, Math.min(...held.values()));
  }

  /**
   * Looks at the member's outbox again at `at`, when the first intent a limit holds back may go. Also told
   * of held intents this process has not seen decided (it restarted, or another node decided them): see
   * SyncService's sweep of waiting rows.
   */
  wakeAt(userId: string, doc: Y.Doc | undefined, at: number): void {
    if (this.closed) return;
    const current = this.wakeTimers.get(userId);
    if (current && current.at <= at) return;
    if (current) clearTimeout(current.timer);
    const timer = setTimeout(
      () => {
        this.wakeTimers.delete(userId);
        if (!this.currentDoc) {
          if (doc) this.scan(userId, doc);
          return;
        }
        this.currentDoc(userId).then(
          (current) => this.scan(userId, current),
          (err: unknown) => {
            this.logger.warn({ err, userId }, 'could not load a private doc for its held intents; will retry');
            this.wakeAt(userId, doc, Date.now() + RETRY_AFTER_ERROR_MS);
          },
        );
      },
      Math.max(0, at - Date.now()) + WAKE_SLACK_MS,
    );
    timer.unref();
    this.wakeTimers.set(userId, { at, timer });
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
    for (const { timer } of this.wakeTimers.values()) clearTimeout(timer);
    this.wakeTimers.clear();
  }
}
