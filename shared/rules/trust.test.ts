import { describe, it, expect } from 'vitest';
import { effectiveSlowModeSeconds, effectiveTrustLevel, slowModeWaitSeconds, trustLevelOf } from './trust.ts';

const NOW = new Date('2025-06-01T12:00:00Z');
const SECOND = 1000;
const DAY = 24 * 60 * 60 * SECOND;
const joined = (msAgo: number): Date => new Date(NOW.getTime() - msAgo);

describe('trustLevelOf', () => {
  it.each([
    // messagesSent, joined this long ago, expected
    [0, 0, 'new'],
    [9, 3 * DAY, 'new'],
    [10, 3 * DAY - SECOND, 'new'],
    [10, 3 * DAY, 'member'],
    [1000, 3 * DAY - SECOND, 'new'],
    [9, 365 * DAY, 'new'],
    [49, 14 * DAY, 'member'],
    [50, 14 * DAY - SECOND, 'member'],
    [50, 14 * DAY, 'trusted'],
    [5000, 400 * DAY, 'trusted'],
  ] as const)('%i messages, joined %i ms ago → %s', (messagesSent, ago, expected) => {
    expect(trustLevelOf({ messagesSent, joinedAt: joined(ago) }, NOW)).toBe(expected);
  });

  it('treats a join date in the future (clock skew) as brand new', () => {
    expect(trustLevelOf({ messagesSent: 500, joinedAt: new Date(NOW.getTime() + DAY) }, NOW)).toBe('new');
  });
});

describe('effectiveTrustLevel', () => {
  it('lets a room role of trusted or above vouch for a member', () => {
    expect(effectiveTrustLevel('new', 'trusted')).toBe('trusted');
    expect(effectiveTrustLevel('new', 'moderator')).toBe('trusted');
    expect(effectiveTrustLevel('new', 'owner')).toBe('trusted');
    expect(effectiveTrustLevel('new', 'member')).toBe('new');
    expect(effectiveTrustLevel('member', 'muted')).toBe('member');
    expect(effectiveTrustLevel('member', null)).toBe('member');
  });
});

describe('effectiveSlowModeSeconds', () => {
  it.each([
    ['new', 'member', 60],
    ['member', 'member', 30],
    ['trusted', 'member', 0],
    ['new', 'trusted', 0],
    ['new', 'moderator', 0],
    ['member', 'admin', 0],
    ['member', 'owner', 0],
    ['new', null, 60],
  ] as const)('trust %s, role %s, room 30 s → %i s', (trust, role, expected) => {
    expect(effectiveSlowModeSeconds(30, trust, role)).toBe(expected);
  });

  it('is off when the room has no slow mode, and for global admins', () => {
    expect(effectiveSlowModeSeconds(0, 'new', 'member')).toBe(0);
    expect(effectiveSlowModeSeconds(30, 'new', null, true)).toBe(0);
  });
});

describe('slowModeWaitSeconds', () => {
  it('counts down from the last accepted message, rounding up', () => {
    expect(slowModeWaitSeconds(60, null, NOW)).toBe(0);
    expect(slowModeWaitSeconds(0, joined(SECOND), NOW)).toBe(0);
    expect(slowModeWaitSeconds(60, joined(0), NOW)).toBe(60);
    expect(slowModeWaitSeconds(60, joined(59.5 * SECOND), NOW)).toBe(1);
    expect(slowModeWaitSeconds(60, joined(60 * SECOND), NOW)).toBe(0);
    expect(slowModeWaitSeconds(60, joined(3600 * SECOND), NOW)).toBe(0);
  });
});
