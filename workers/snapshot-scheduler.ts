export interface SnapshotSchedulerOptions {
  /** Enqueues the snapshot job of one doc (deduplicated by doc name on the queue side). */
  schedule: (docName: string) => Promise<void>;
  onError?: (err: unknown, docName: string) => void;
  /** A doc quiet for this long gets its snapshot… */
  debounceMs?: number;
  /** …and a busy doc gets one at the latest this long after its first change not yet snapshotted. */
  maxWaitMs?: number;
  /** A load that had to replay this many logged changes snapshots at once: the next load is cheaper. */
  replayThreshold?: number;
}

/**
 * Decides when a loaded channel doc deserves a new snapshot. Snapshots only make loads cheaper
 * (Postgres rows are the truth), so this trades write load against replay length: debounced, with a
 * maximum wait, and never more than one timer per doc.
 */
export class SnapshotScheduler {
  private readonly pending = new Map<string, { firstChangeAt: number; timer: NodeJS.Timeout }>();
  private readonly debounceMs: number;
  private readonly maxWaitMs: number;
  private readonly replayThreshold: number;
  private closed = false;

  constructor(private readonly options: SnapshotSchedulerOptions) {
    this.debounceMs = options.debounceMs ?? 2000;
    this.maxWaitMs = options.maxWaitMs ?? 30_000;
    this.replayThreshold = options.replayThreshold ?? 200;
  }

  /** A doc was loaded after replaying `replayed` changes on top of its snapshot. */
  loaded(docName: string, replayed: number): void {
    if (replayed >= this.replayThreshold) this.flush(docName);
  }

  /** Changes were applied to a loaded doc. */
  changed(docName: string): void {
    if (this.closed) return;
    const now = Date.now();
    const entry = this.pending.get(docName);
    const firstChangeAt = entry?.firstChangeAt ?? now;
    if (entry) clearTimeout(entry.timer);
    const dueAt = Math.min(now + this.debounceMs, firstChangeAt + this.maxWaitMs);
    const timer = setTimeout(() => this.flush(docName), Math.max(0, dueAt - now));
    // A pending snapshot must not keep a stopping process alive; losing it only costs a longer replay.
    timer.unref();
    this.pending.set(docName, { firstChangeAt, timer });
  }

  /** Docs with a snapshot waiting to be scheduled. */
  get size(): number {
    return this.pending.size;
  }

  /** Drops every pending timer; nothing is scheduled afterwards. */
  close(): void {
    this.closed = true;
    for (const { timer } of this.pending.values()) clearTimeout(timer);
    this.pending.clear();
  }

  private flush(docName: string): void {
    const entry = this.pending.get(docName);
    if (entry) clearTimeout(entry.timer);
    this.pending.delete(docName);
    if (this.closed) return;
    Promise.resolve()
      .then(() => this.options.schedule(docName))
      .catch((err: unknown) => this.options.onError?.(err, docName));
  }
}
