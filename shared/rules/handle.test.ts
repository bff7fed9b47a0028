import { describe, expect, it } from 'vitest';
import { handleProblem } from './handle.ts';

describe('what a handle may be', () => {
  it('takes letters, digits, _ . - within 2–32 characters, and says in words what is wrong otherwise', () => {
    for (const ok of ['ada', 'ada_l', 'a.b-c', '_x', '42', 'x'.repeat(32)]) expect(handleProblem(ok), ok).toBeNull();
    expect(handleProblem('')).toMatch(/Pick a handle/);
    expect(handleProblem('a')).toBe('A handle needs at least 2 characters.');
    expect(handleProblem('x'.repeat(33))).toBe('A handle can have at most 32 characters.');
    expect(handleProblem('.ada')).toMatch(/cannot start with/);
    expect(handleProblem('-ada')).toMatch(/cannot start with/);
    expect(handleProblem('ada lovelace')).toMatch(/no spaces/);
    expect(handleProblem('ada!')).toMatch(/only letters, digits/);
  });
});
