import { gemoji } from 'gemoji';
import { describe, expect, it } from 'vitest';
import { completedShortcode, emojiQueryAt, insertEmoji, searchEmoji } from './emoji-search.ts';

const byName = new Map(gemoji.flatMap((e) => e.names.map((n) => [n, e] as const)));

describe('emoji shortcodes in the composer', () => {
  it('finds the `:name` being typed, not times, addresses or smileys', () => {
    expect(emojiQueryAt('great :tad', 10)).toEqual({ start: 6, end: 10, query: 'tad' });
    expect(emojiQueryAt(':+1', 3)).toEqual({ start: 0, end: 3, query: '+1' });
    expect(emojiQueryAt('(:sm', 4)).toEqual({ start: 1, end: 4, query: 'sm' });
    // The caret in the middle of the name: the whole word (and its closing colon) is replaced.
    expect(emojiQueryAt('a :tada: b', 5)).toEqual({ start: 2, end: 8, query: 'ta' });
    expect(emojiQueryAt('meet at 10:30', 13)).toBeNull();
    expect(emojiQueryAt('see https://x', 10)).toBeNull();
    expect(emojiQueryAt('ok :)', 5)).toBeNull();
    expect(emojiQueryAt('ok :D', 5)).toBeNull();
  });

  it('inserts the emoji with one space after it', () => {
    expect(insertEmoji('great :tad', { start: 6, end: 10, query: 'tad' }, '🎉')).toEqual({
      text: 'great 🎉 ',
      caret: 9,
    });
    expect(insertEmoji('a :ta b', { start: 2, end: 5, query: 'ta' }, '🎉')).toEqual({ text: 'a 🎉 b', caret: 5 });
  });

  it('turns a complete known `:name:` into its emoji as the closing colon is typed; unknown names stay text', () => {
    expect(completedShortcode('ship it :rocket:', 16, byName)).toEqual({ text: 'ship it 🚀', caret: 10 });
    expect(completedShortcode(':+1:', 4, byName)).toEqual({ text: '👍', caret: 2 });
    expect(completedShortcode('see :not_an_emoji:', 18, byName)).toBeNull();
    expect(completedShortcode('at 10:30:', 9, byName)).toBeNull();
  });

  it('ranks the exact name first, then names starting with the query, then parts, keywords and descriptions', () => {
    expect(searchEmoji(gemoji, 'tada', 3)[0]!.emoji).toBe('🎉');
    expect(searchEmoji(gemoji, ':+1:', 1)[0]!.emoji).toBe('👍');
    const heart = searchEmoji(gemoji, 'heart', 5);
    expect(heart[0]!.emoji).toBe('❤️');
    expect(heart.every((e) => e.names.some((n) => n.includes('heart')))).toBe(true);
    // "party" is a keyword of 🎉 (its name is tada).
    expect(searchEmoji(gemoji, 'party', 10).map((e) => e.emoji)).toContain('🎉');
    expect(searchEmoji(gemoji, 'thumbs', 4).map((e) => e.emoji)).toEqual(expect.arrayContaining(['👍', '👎']));
    expect(searchEmoji(gemoji, 'zzzqqq', 5)).toEqual([]);
    expect(searchEmoji(gemoji, 'face', 8)).toHaveLength(8);
    // A part of a name: "eyes" finds 😍 (heart_eyes).
    expect(searchEmoji(gemoji, 'eyes', 20).map((e) => e.emoji)).toContain('😍');
  });
});
