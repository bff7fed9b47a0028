import { describe, expect, it } from 'vitest';
import type { Intent } from '../../../shared/sync/intents.ts';
import { followsThread } from './thread-follow.ts';

const follow = (threadId: string, following: boolean, n: number): { intent: Intent } => ({
  intent: { kind: 'follow_thread', threadId, following, n, createdAt: n },
});
const send = (channelId: string, n: number): { intent: Intent } => ({
  intent: { kind: 'send', channelId, body: 'hi', n, createdAt: n },
});

describe('followsThread', () => {
  it("the starter follows until the server says otherwise; others don't", () => {
    expect(followsThread('t', [], undefined, true)).toEqual({ following: true, pending: false });
    expect(followsThread('t', [], undefined, false)).toEqual({ following: false, pending: false });
    expect(followsThread('t', [], { following: false, at: 1 }, true)).toEqual({ following: false, pending: false });
    expect(followsThread('t', [], { following: true, at: 1 }, false)).toEqual({ following: true, pending: false });
  });

  it('a Follow/Unfollow waiting in the outbox shows at once; the last queued one wins', () => {
    expect(followsThread('t', [follow('t', true, 1)], undefined, false)).toEqual({ following: true, pending: true });
    expect(
      followsThread('t', [follow('t', true, 1), follow('t', false, 2)], { following: true, at: 1 }, false),
    ).toEqual({ following: false, pending: true });
    // Another thread's intents say nothing about this one.
    expect(followsThread('t', [follow('u', true, 1)], undefined, false).following).toBe(false);
  });

  it('a reply waiting in the outbox follows the thread, as the server will', () => {
    expect(followsThread('t', [send('t', 1)], { following: false, at: 1 }, false).following).toBe(true);
    expect(followsThread('t', [send('t', 1), follow('t', false, 2)], undefined, false).following).toBe(false);
    expect(followsThread('t', [send('room', 1)], undefined, false).following).toBe(false);
  });
});
