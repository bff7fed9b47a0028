import { describe, expect, it } from 'vitest';
import { matchesThreadFilter, threadFilterCounts, titleMatcher, type FilterableThread } from './thread-filter.ts';

const thread = (over: Partial<FilterableThread>): FilterableThread => ({
  title: 'A question',
  locked: false,
  resolved: false,
  archived: false,
  creatorId: 'ann',
  parentMessageId: null,
  messageCount: 3,
  ...over,
});

describe('thread list filters', () => {
  it('"No replies" counts a question’s replies, and a standalone thread’s messages after its first', () => {
    expect(matchesThreadFilter(thread({ parentMessageId: 'm1', messageCount: 0 }), 'unanswered', 'me')).toBe(true);
    expect(matchesThreadFilter(thread({ parentMessageId: 'm1', messageCount: 1 }), 'unanswered', 'me')).toBe(false);
    expect(matchesThreadFilter(thread({ messageCount: 1 }), 'unanswered', 'me')).toBe(true);
    expect(matchesThreadFilter(thread({ messageCount: 2 }), 'unanswered', 'me')).toBe(false);
    // Not known yet is not "nobody answered"; a resolved or archived thread needs no helper.
    expect(matchesThreadFilter(thread({ messageCount: null }), 'unanswered', 'me')).toBe(false);
    expect(matchesThreadFilter(thread({ messageCount: 1, resolved: true }), 'unanswered', 'me')).toBe(false);
  });

  it('"Open" leaves out resolved, locked and archived threads; "Started by me" only mine', () => {
    expect(matchesThreadFilter(thread({}), 'open', 'me')).toBe(true);
    for (const closed of [{ resolved: true }, { locked: true }, { archived: true }]) {
      expect(matchesThreadFilter(thread(closed), 'open', 'me')).toBe(false);
    }
    expect(matchesThreadFilter(thread({ creatorId: 'me' }), 'mine', 'me')).toBe(true);
    expect(matchesThreadFilter(thread({ creatorId: null }), 'mine', 'me')).toBe(false);
  });

  it('counts every filter at once', () => {
    const threads = [
      thread({ creatorId: 'me', messageCount: 1 }),
      thread({ resolved: true }),
      thread({ archived: true }),
    ];
    expect(threadFilterCounts(threads, 'me')).toEqual({ all: 3, open: 1, unanswered: 1, resolved: 1, mine: 1 });
  });

  it('finds titles by every word typed, in any order, without case or accents', () => {
    const match = titleMatcher('  Cafe  ERROR ');
    expect(match('Error 500 at the café')).toBe(true);
    expect(match('Café opening hours')).toBe(false);
    expect(titleMatcher('')('anything')).toBe(true);
  });
});
