import { describe, it, expect } from 'vitest';
import { charCount, excerpt, fitsChars, isValidHandle } from './text.ts';
import { LIMITS } from './limits.ts';

describe('charCount', () => {
  it('counts code points like Postgres char_length, not UTF-16 units', () => {
    expect(charCount('')).toBe(0);
    expect(charCount('hello')).toBe(5);
    expect(charCount('👍')).toBe(1);
    expect(charCount('é👍x')).toBe(3);
    expect(charCount('\ud83d')).toBe(1); // a lone surrogate still counts once
  });

  it('accepts a 4,000-emoji message that .length would call 8,000 long', () => {
    const body = '👍'.repeat(LIMITS.text.messageBodyMaxChars);
    expect(body.length).toBe(8000);
    expect(fitsChars(body, LIMITS.text.messageBodyMaxChars)).toBe(true);
    expect(fitsChars(body + 'a', LIMITS.text.messageBodyMaxChars)).toBe(false);
  });
});

describe('isValidHandle', () => {
  it.each([
    ['ab', true],
    ['a', false],
    ['a'.repeat(32), true],
    ['a'.repeat(33), false],
    ['_x', true],
    ['9lives', true],
    ['a.b-c_d', true],
    ['.ab', false],
    ['-ab', false],
    ['a b', false],
    ['ünï', false],
    ['a@b', false],
  ])('%s → %s', (handle, ok) => {
    expect(isValidHandle(handle)).toBe(ok);
  });
});

describe('excerpt', () => {
  it('folds line breaks and cuts at code points with an ellipsis, never inside an emoji', () => {
    expect(excerpt('  line one\n\n  line two  ', 100)).toBe('line one line two');
    expect(excerpt('abcdef', 4)).toBe('abc…');
    expect(excerpt('ab🎉🎉🎉', 4)).toBe('ab🎉…');
  });
});
