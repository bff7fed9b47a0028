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
