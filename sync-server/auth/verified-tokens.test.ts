import { describe, expect, it } from 'vitest';
import { VerifiedTokens } from './verified-tokens.ts';

describe('recently verified member tokens', () => {
  it('are known until the token expires or the time to live ends, whichever is first', () => {
    const tokens = new VerifiedTokens<string>(60_000);
    const now = 1_000_000_000;
    tokens.remember('expires-soon', 'ada', now / 1000 + 5, now);
    tokens.remember('expires-late', 'grace', now / 1000 + 3600, now);
    expect(tokens.get('expires-soon', now + 4_999)).toBe('ada');
    expect(tokens.get('expires-soon', now + 5_000)).toBeUndefined();
    expect(tokens.get('expires-late', now + 59_999)).toBe('grace');
    expect(tokens.get('expires-late', now + 60_000)).toBeUndefined();
  });

  it('never hold a token that has already expired', () => {
    const tokens = new VerifiedTokens<string>();
    tokens.remember('old', 'ada', 100, 200_000);
    expect(tokens.get('old', 200_000)).toBeUndefined();
  });

  it('forget the oldest past their capacity', () => {
    const tokens = new VerifiedTokens<number>(60_000, 3);
    for (let i = 0; i < 5; i++) tokens.remember(`t${i}`, i, 10_000, 0);
    expect([0, 1, 2, 3, 4].map((i) => tokens.get(`t${i}`, 1))).toEqual([undefined, undefined, 2, 3, 4]);
  });
});
