import { describe, expect, it } from 'vitest';
import { roomWordsProblem, slugFromName } from './room-form.ts';

describe('a new room’s address from its name', () => {
  it('is the name in lowercase letters, digits and dashes', () => {
    expect(slugFromName('AI Art & Design')).toBe('ai-art-design');
    expect(slugFromName('  Café Crème 2025! ')).toBe('cafe-creme-2025');
    expect(slugFromName('日本語')).toBe('');
  });

  it('fits the 64 characters an address may have, without a trailing dash', () => {
    const slug = slugFromName(`${'a'.repeat(63)} b`);
    expect(slug).toBe('a'.repeat(63));
  });
});

describe('what the server would refuse in a room’s words', () => {
  const ok = { name: 'Career Help', emoji: '🧭', description: 'Portfolios and interviews.', slug: 'career-help' };

  it('takes a room the server takes', () => {
    expect(roomWordsProblem(ok)).toBeNull();
    // 80 emoji are 160 UTF-16 units but 80 characters, as the database counts them.
    expect(roomWordsProblem({ ...ok, name: '🎉'.repeat(80) })).toBeNull();
  });

  it('says in a sentence what is wrong', () => {
    expect(roomWordsProblem({ ...ok, name: '   ' })).toBe('A room needs a name.');
    expect(roomWordsProblem({ ...ok, name: 'n'.repeat(81) })).toBe('A room name can be at most 80 characters.');
    expect(roomWordsProblem({ ...ok, emoji: '🎉'.repeat(17) })).toBe('The emoji can be at most 16 characters.');
    expect(roomWordsProblem({ ...ok, description: 'd'.repeat(1001) })).toBe(
      'A description can be at most 1,000 characters.',
    );
    expect(roomWordsProblem({ ...ok, slug: 'Bad Slug!' })).toMatch(/^For the address, use 1–64 lowercase letters/);
    expect(roomWordsProblem({ ...ok, slug: '' })).toMatch(/^For the address/);
  });

  it('does not ask an existing room for an address', () => {
    expect(roomWordsProblem({ name: 'General', emoji: '', description: '' })).toBeNull();
  });
});
