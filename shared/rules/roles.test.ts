import { describe, it, expect } from 'vitest';
import {
  isPermissionLevel,
  isRole,
  isStaffRole,
  meetsPermissionLevel,
  outranks,
  PERMISSION_LEVELS,
  ROLE_RANK,
  ROLES,
  roleAtLeast,
} from './roles.ts';

describe('roles', () => {
  it('rank owner > admin > moderator > trusted > member > muted > banned', () => {
    const ranks = ROLES.map((r) => ROLE_RANK[r]);
    expect(ranks).toEqual([...ranks].sort((a, b) => b - a));
    expect(new Set(ranks).size).toBe(ROLES.length);
  });

  it('match the CHECK constraints of the schema', () => {
    expect([...ROLES].sort()).toEqual(['admin', 'banned', 'member', 'moderator', 'muted', 'owner', 'trusted']);
    expect([...PERMISSION_LEVELS]).toEqual(['everyone', 'member', 'trusted', 'moderator', 'admin']);
  });

  it('recognise only their own values', () => {
    expect(isRole('moderator')).toBe(true);
    expect(isRole('superuser')).toBe(false);
    expect(isRole(3)).toBe(false);
    expect(isPermissionLevel('everyone')).toBe(true);
    expect(isPermissionLevel('owner')).toBe(false);
  });

  it('treat non-members as below every role', () => {
    expect(roleAtLeast(null, 'banned')).toBe(false);
    expect(roleAtLeast('member', 'member')).toBe(true);
    expect(roleAtLeast('muted', 'member')).toBe(false);
    expect(isStaffRole('moderator')).toBe(true);
    expect(isStaffRole('trusted')).toBe(false);
    expect(isStaffRole(null)).toBe(false);
  });

  it.each([
    // role, everyone, member, trusted, moderator, admin
    [null, true, false, false, false, false],
    ['banned', true, false, false, false, false],
    ['muted', true, false, false, false, false],
    ['member', true, true, false, false, false],
    ['trusted', true, true, true, false, false],
    ['moderator', true, true, true, true, false],
    ['admin', true, true, true, true, true],
    ['owner', true, true, true, true, true],
  ] as const)('role %s meets levels everyone..admin: %s %s %s %s %s', (role, ...expected) => {
    expect(PERMISSION_LEVELS.map((level) => meetsPermissionLevel(role, level))).toEqual(expected);
  });

  it('let only a strictly higher role act on a member', () => {
    expect(outranks('moderator', 'member')).toBe(true);
    expect(outranks('moderator', null)).toBe(true);
    expect(outranks('moderator', 'moderator')).toBe(false);
    expect(outranks('admin', 'owner')).toBe(false);
    expect(outranks('owner', 'admin')).toBe(true);
  });
});
