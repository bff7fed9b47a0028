import { describe, it, expect } from 'vitest';
import { aiVerdictForScore, reportsAutoHide } from './moderation.ts';

describe('aiVerdictForScore', () => {
  it.each([
    [0, 'allow'],
    [0.2999, 'allow'],
    [0.3, 'flag'],
    [0.6999, 'flag'],
    [0.7, 'hide'],
    [1, 'hide'],
    [Number.NaN, 'flag'],
  ] as const)('%f → %s', (score, verdict) => {
    expect(aiVerdictForScore(score)).toBe(verdict);
  });
});

describe('reportsAutoHide', () => {
  it('needs three distinct trusted reporters', () => {
    expect(reportsAutoHide(0)).toBe(false);
    expect(reportsAutoHide(2)).toBe(false);
    expect(reportsAutoHide(3)).toBe(true);
    expect(reportsAutoHide(4)).toBe(true);
  });
});
