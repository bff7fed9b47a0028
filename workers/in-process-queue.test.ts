import { pino } from 'pino';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { InProcessQueue } from './in-process-queue.ts';
import type { JobHandlers } from './job-handlers.ts';

const DOC = 'ch.00000000-0000-4000-8000-000000000001.meta';
const OTHER = 'ch.00000000-0000-4000-8000-000000000002.seg.0';

describe('InProcessQueue', () => {
  let runs: Array<{ doc: string; attempt: number; at: number }>;
  let behaviour: (doc: string, attempt: number) => Promise<void>;
  let queue: InProcessQueue;
  const handlers: JobHandlers = {
    'snapshot-channel-doc': async ({ docName }, ctx) => {
      runs.push({ doc: docName, attempt: ctx.attempt, at: Date.now() });
      await behaviour(docName, ctx.attempt);
    },
    'archive-idle-threads': async (_data, ctx) => {
      runs.push({ doc: 'archive', attempt: ctx.attempt, at: Date.now() });
    },
    'export-user-data': async ({ exportId }, ctx) => {
      runs.push({ doc: exportId, attempt: ctx.attempt, at: Date.now() });
    },
    'expire-data-exports': async (_data, ctx) => {
      runs.push({ doc: 'expire', attempt: ctx.attempt, at: Date.now() });
    },
    'email-notifications': async ({ userId }, ctx) => {
      runs.push({ doc: userId, attempt: ctx.attempt, at: Date.now() });
    },
    'email-digests': async (_data, ctx) => {
      runs.push({ doc: 'digests', attempt: ctx.attempt, at: Date.now() });
    },
    'push-notification': async ({ notificationId }, ctx) => {
      runs.push({ doc: notificationId, attempt: ctx.attempt, at: Date.now() });
    },
    'push-direct-message': async ({ messageId }, ctx) => {
      runs.push({ doc: messageId, attempt: ctx.attempt, at: Date.now() });
    },
    'sms-alert': async ({ notificationId }, ctx) => {
      runs.push({ doc: notificationId, attempt: ctx.attempt, at: Date.now() });
    },
    'sweep-attachments': async (_data, ctx) => {
      runs.push({ doc: 'sweep', attempt: ctx.attempt, at: Date.now() });
    },
    'moderate-message': async ({ messageId }, ctx) => {
      runs.push({ doc: messageId, attempt: ctx.attempt, at: Date.now() });
    },
    'purge-deleted-words': async (_data, ctx) => {
      runs.push({ doc: 'purge', attempt: ctx.attempt, at: Date.now() });
    },
    'unfurl-message': async ({ messageId }, ctx) => {
      runs.push({ doc: messageId, attempt: ctx.attempt, at: Date.now() });
    },
  };

  beforeEach(() => {
    vi.useFakeTimers({ now: 0 });
    runs = [];
    behaviour = async () => {};
    queue = new InProcessQueue(handlers, pino({ level: 'silent' }), {
      concurrency: 2,
      retry: { attempts: 3, backoffMs: 100 },
    });
  });
  afterEach(async () => {
    await queue.close();
    vi.useRealTimers();
  });

  it('drops a job whose key is already pending, and runs delayed jobs on time', async () => {
    await queue.enqueue('snapshot-channel-doc', { docName: DOC }, { jobId: DOC, delayMs: 500 });
    await queue.enqueue('snapshot-channel-doc', { docName: DOC }, { jobId: DOC, delayMs: 500 });
    await queue.enqueue('snapshot-channel-doc', { docName: OTHER }, { jobId: OTHER });
    await vi.advanceTimersByTimeAsync(0);
    expect(runs).toEqual([{ doc: OTHER, attempt: 1, at: 0 }]);
    await vi.advanceTimersByTimeAsync(500);
    expect(runs).toEqual([
      { doc: OTHER, attempt: 1, at: 0 },
      { doc: DOC, attempt: 1, at: 500 },
    ]);
    expect(queue.size).toBe(0);
  });

  it('a job enqueued while its key runs waits for that run, then runs once', async () => {
    let release!: () => void;
    behaviour = () => new Promise<void>((resolve) => (release = resolve));
    await queue.enqueue('snapshot-channel-doc', { docName: DOC }, { jobId: DOC });
    await vi.advanceTimersByTimeAsync(0);
    behaviour = async () => {};
    await queue.enqueue('snapshot-channel-doc', { docName: DOC }, { jobId: DOC });
    await queue.enqueue('snapshot-channel-doc', { docName: DOC }, { jobId: DOC });
    await vi.advanceTimersByTimeAsync(1000);
    expect(runs).toHaveLength(1);
    release();
    await vi.advanceTimersByTimeAsync(0);
    expect(runs).toHaveLength(2);
    expect(queue.size).toBe(0);
  });

  it('retries a failing job with exponential backoff, up to the attempt limit', async () => {
    behaviour = async () => {
      throw new Error('boom');
    };
    await queue.enqueue('snapshot-channel-doc', { docName: DOC }, { jobId: DOC });
    await vi.advanceTimersByTimeAsync(10_000);
    expect(runs).toEqual([
      { doc: DOC, attempt: 1, at: 0 },
      { doc: DOC, attempt: 2, at: 100 },
      { doc: DOC, attempt: 3, at: 300 },
    ]);
    expect(queue.size).toBe(0);
  });

  it('a job that fails once lands on its retry', async () => {
    behaviour = async (_doc, attempt) => {
      if (attempt === 1) throw new Error('transient');
    };
    await queue.enqueue('snapshot-channel-doc', { docName: DOC });
    await vi.advanceTimersByTimeAsync(1000);
    expect(runs.map((r) => r.attempt)).toEqual([1, 2]);
  });

  it('runs at most `concurrency` jobs at once', async () => {
    let active = 0;
    let peak = 0;
    behaviour = async () => {
      active += 1;
      peak = Math.max(peak, active);
      await new Promise((resolve) => setTimeout(resolve, 100));
      active -= 1;
    };
    for (let i = 0; i < 6; i += 1) {
      await queue.enqueue('snapshot-channel-doc', { docName: `ch.00000000-0000-4000-8000-00000000000${i}.meta` });
    }
    await vi.advanceTimersByTimeAsync(1000);
    expect(runs).toHaveLength(6);
    expect(peak).toBe(2);
  });

  it('refuses invalid job data at enqueue', async () => {
    await expect(queue.enqueue('snapshot-channel-doc', { docName: 'private.nope' })).rejects.toThrow(
      /channel meta or segment/,
    );
    await expect(
      queue.enqueue('snapshot-channel-doc', { docName: `inbox.00000000-0000-4000-8000-000000000001` }),
    ).rejects.toThrow();
  });

  it('repeat runs the job on its clock without stacking runs', async () => {
    await queue.repeat('archive-idle-threads', {}, 1000);
    await vi.advanceTimersByTimeAsync(3500);
    expect(runs.map((r) => r.at)).toEqual([1000, 2000, 3000]);
  });

  it('close waits for running jobs and drops pending ones', async () => {
    let finished = false;
    behaviour = async () => {
      await new Promise((resolve) => setTimeout(resolve, 200));
      finished = true;
    };
    await queue.enqueue('snapshot-channel-doc', { docName: DOC });
    await queue.enqueue('snapshot-channel-doc', { docName: OTHER }, { delayMs: 1000 });
    await vi.advanceTimersByTimeAsync(0);
    const closing = queue.close();
    await vi.advanceTimersByTimeAsync(200);
    await closing;
    expect(finished).toBe(true);
    await vi.advanceTimersByTimeAsync(5000);
    expect(runs.map((r) => r.doc)).toEqual([DOC]);
    await expect(queue.enqueue('snapshot-channel-doc', { docName: DOC })).rejects.toThrow(/closed/);
  });
});
