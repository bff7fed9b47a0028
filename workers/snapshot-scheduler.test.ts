import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { SnapshotScheduler } from './snapshot-scheduler.ts';

describe('SnapshotScheduler', () => {
  let scheduled: Array<{ doc: string; at: number }>;
  let scheduler: SnapshotScheduler;
  const make = (options: { schedule?: (doc: string) => Promise<void>; onError?: (err: unknown) => void } = {}) =>
    new SnapshotScheduler({
      schedule:
        options.schedule ??
        (async (doc) => {
          scheduled.push({ doc, at: Date.now() });
        }),
      onError: options.onError,
      debounceMs: 2000,
      maxWaitMs: 30_000,
      replayThreshold: 200,
    });

  beforeEach(() => {
    vi.useFakeTimers({ now: 0 });
    scheduled = [];
    scheduler = make();
  });
  afterEach(() => {
    scheduler.close();
    vi.useRealTimers();
  });

  it('schedules one snapshot 2 s after the last change of a burst', async () => {
    scheduler.changed('a');
    await vi.advanceTimersByTimeAsync(1500);
    scheduler.changed('a');
    await vi.advanceTimersByTimeAsync(1500);
    expect(scheduled).toEqual([]);
    await vi.advanceTimersByTimeAsync(500);
    expect(scheduled).toEqual([{ doc: 'a', at: 3500 }]);
    await vi.advanceTimersByTimeAsync(60_000);
    expect(scheduled).toHaveLength(1);
    expect(scheduler.size).toBe(0);
  });

  it('a doc that never goes quiet still gets a snapshot every 30 s', async () => {
    for (let t = 0; t < 65_000; t += 1000) {
      scheduler.changed('busy');
      await vi.advanceTimersByTimeAsync(1000);
    }
    expect(scheduled.map((s) => s.at)).toEqual([30_000, 60_000]);
  });

  it('keeps docs independent', async () => {
    scheduler.changed('a');
    await vi.advanceTimersByTimeAsync(1000);
    scheduler.changed('b');
    await vi.advanceTimersByTimeAsync(5000);
    expect(scheduled).toEqual([
      { doc: 'a', at: 2000 },
      { doc: 'b', at: 3000 },
    ]);
  });

  it('a load that replayed many changes snapshots at once and clears the pending timer', async () => {
    scheduler.loaded('small', 199);
    scheduler.changed('big');
    scheduler.loaded('big', 200);
    await vi.advanceTimersByTimeAsync(0);
    expect(scheduled).toEqual([{ doc: 'big', at: 0 }]);
    await vi.advanceTimersByTimeAsync(60_000);
    expect(scheduled).toEqual([{ doc: 'big', at: 0 }]);
  });

  it('reports a failed schedule and tries again on the next change', async () => {
    const errors: unknown[] = [];
    let fail = true;
    scheduler.close();
    scheduler = make({
      schedule: async (doc) => {
        if (fail) throw new Error('redis down');
        scheduled.push({ doc, at: Date.now() });
      },
      onError: (err) => errors.push(err),
    });
    scheduler.changed('a');
    await vi.advanceTimersByTimeAsync(2000);
    expect(errors).toHaveLength(1);
    fail = false;
    scheduler.changed('a');
    await vi.advanceTimersByTimeAsync(2000);
    expect(scheduled).toEqual([{ doc: 'a', at: 4000 }]);
  });

  it('schedules nothing after close', async () => {
    scheduler.changed('a');
    scheduler.close();
    scheduler.changed('b');
    scheduler.loaded('c', 1000);
    await vi.advanceTimersByTimeAsync(60_000);
    expect(scheduled).toEqual([]);
  });
});
