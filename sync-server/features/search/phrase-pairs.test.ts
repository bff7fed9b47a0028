import { describe, expect, it } from 'vitest';
import { requiredPhrases } from './phrase-pairs.ts';

describe('requiredPhrases: the quoted phrases every match of a web-search query must contain', () => {
  it('takes each quoted phrase of an all-AND query, trimmed', () => {
    expect(requiredPhrases('"red fox" dog " lazy  brown "')).toEqual(['red fox', 'lazy  brown']);
  });

  it('runs an unclosed quote to the end, as PostgreSQL does', () => {
    expect(requiredPhrases('dog "red fox')).toEqual(['red fox']);
  });

  it('leaves out a phrase excluded with "-", with or without a space after the minus', () => {
    expect(requiredPhrases('-"red fox" "lazy dog"')).toEqual(['lazy dog']);
    expect(requiredPhrases('cat - "red fox"')).toEqual([]);
  });

  it('has no required phrase once "or" appears outside quotes, whatever its case or neighbours', () => {
    expect(requiredPhrases('"red fox" or dog')).toEqual([]);
    expect(requiredPhrases('dog OR "red fox"')).toEqual([]);
    expect(requiredPhrases('dog or"red fox"')).toEqual([]);
    expect(requiredPhrases('"red fox"or dog')).toEqual([]);
  });

  it('keeps "or" inside a phrase as part of it, and words that merely contain "or"', () => {
    expect(requiredPhrases('"red or fox" order')).toEqual(['red or fox']);
  });

  it('finds nothing without quotes or in empty quotes', () => {
    expect(requiredPhrases('red fox')).toEqual([]);
    expect(requiredPhrases('"" dog "  "')).toEqual([]);
  });
});
