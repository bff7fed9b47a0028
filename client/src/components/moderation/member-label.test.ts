import { describe, expect, it } from 'vitest';
import { memberLabel } from './member-label.ts';

describe('memberLabel', () => {
  it('names a deleted account "Deleted user", never by its placeholder handle', () => {
    expect(memberLabel(null, true, '@unknown')).toBe('Deleted user');
    // An older server still sends the placeholder: the flag wins.
    expect(memberLabel('deleted_44c2b0e0a1aa', true, '@unknown')).toBe('Deleted user');
  });
  it('names a member by handle, and nobody by the fallback', () => {
    expect(memberLabel('sam', false, '@unknown')).toBe('@sam');
    expect(memberLabel(null, false, 'Automatic moderation')).toBe('Automatic moderation');
    expect(memberLabel(null, undefined, '@unknown')).toBe('@unknown');
  });
});
