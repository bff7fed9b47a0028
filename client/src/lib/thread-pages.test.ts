import { describe, expect, it } from 'vitest';
import { listedThreads, nextThreadCursor, threadTotalLabel, type ThreadPages } from './thread-pages.ts';

interface T {
  id: string;
  replies: number;
}
const t = (id: string, replies = 0): T => ({ id, replies });

describe('a room’s thread list across pages', () => {
  it('older pages continue the first, each thread once; the re-read first page has the fresh copy', () => {
    const pages: ThreadPages<T> = {
      // Read again after "b" got a reply: it moved up from the older page.
      first: { threads: [t('b', 5), t('a')], nextCursor: 'c1', total: 4 },
      older: [t('b', 4), t('c'), t('d')],
      olderCursor: null,
    };
    expect(listedThreads(pages)).toEqual([t('b', 5), t('a'), t('c'), t('d')]);
  });

  it('the next page starts after the deepest page loaded, and there is none once the last came', () => {
    const first = { threads: [t('a')], nextCursor: 'after-a' };
    expect(nextThreadCursor({ first: undefined, older: [], olderCursor: undefined })).toBeNull();
    expect(nextThreadCursor({ first, older: [], olderCursor: undefined })).toBe('after-a');
    // The first page read again keeps the older pages' place.
    expect(nextThreadCursor({ first, older: [t('b')], olderCursor: 'after-b' })).toBe('after-b');
    expect(nextThreadCursor({ first, older: [t('b')], olderCursor: null })).toBeNull();
  });

  it('the header counts every thread of the room, not the 50 loaded', () => {
    expect(threadTotalLabel(50, true, 60)).toBe('60');
    // A thread started since the count: never fewer than shown.
    expect(threadTotalLabel(61, true, 60)).toBe('61');
    expect(threadTotalLabel(50, true, undefined)).toBe('50+');
    expect(threadTotalLabel(12, false, undefined)).toBe('12');
    expect(threadTotalLabel(0, false, 0)).toBeNull();
  });
});
