import { describe, it, expect } from 'vitest';
import { describeTimeLeft } from './time-left.ts';

const MIN = 60_000;

describe('describeTimeLeft', () => {
  it.each([
    [1, '1 more minute'],
    [MIN, '1 more minute'],
    [MIN + 1, '2 more minutes'],
    [12 * MIN, '12 more minutes'],
    [119 * MIN, '119 more minutes'],
    [120 * MIN, 'about 2 more hours'],
    [47 * 60 * MIN, 'about 47 more hours'],
    [48 * 60 * MIN, 'about 2 more days'],
    [30 * 24 * 60 * MIN, 'about 30 more days'],
  ])('%i ms → %s', (ms, text) => {
    expect(describeTimeLeft(ms)).toBe(text);
  });
});
