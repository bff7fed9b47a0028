import { describe, expect, it } from 'vitest';
import { MemberIds } from './member-ids.ts';

describe('MemberIds', () => {
  it('remembers which member a host account is, up to its capacity, forgetting the oldest first', () => {
    const ids = new MemberIds(2);
    ids.learn('host-a', 'user-a');
    ids.learn('host-b', 'user-b');
    ids.learn('host-a', 'user-a');
    ids.learn('host-c', 'user-c');
    expect(ids.get('host-a')).toBeUndefined();
    expect(ids.get('host-b')).toBe('user-b');
    expect(ids.get('host-c')).toBe('user-c');
  });
});

describe('MemberIds over time', () => {
  it('forgets a pairing after a minute, so a deleted account stops answering for its host account', () => {
    let now = 0;
    const ids = new MemberIds(10, () => now);
    ids.learn('host-a', 'user-a');
    now = 59_999;
    expect(ids.get('host-a')).toBe('user-a');
    now = 60_000;
    expect(ids.get('host-a')).toBeUndefined();
    ids.learn('host-a', 'user-new');
    expect(ids.get('host-a')).toBe('user-new');
  });
});
