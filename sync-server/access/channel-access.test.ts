import { describe, expect, it } from 'vitest';
import { afterAcceptedSends, type ChannelAccess } from './channel-access.ts';

const NOW = new Date('2026-06-01T12:00:00Z');
const DAY = 24 * 60 * 60 * 1000;

function access(messagesSent: number, days: number): ChannelAccess {
  const joinedAt = new Date(NOW.getTime() - days * DAY);
  return {
    channelId: 'c',
    kind: 'room',
    roomId: 'c',
    room: {
      roomType: 'lounge',
      contextType: 'text',
      isPrivate: false,
      archived: false,
      readPermissionLevel: 'everyone',
      writePermissionLevel: 'everyone',
      minTrustLevel: 'new',
    },
    thread: undefined,
    actor: { userId: 'u', isGlobalAdmin: false, role: 'member', trustLevel: 'new', mutedUntil: null, now: NOW },
    implicitMember: true,
    slowModeSeconds: 0,
    lastPostedAt: null,
    autoThread: false,
    trustInputs: { messagesSent, joinedAt },
  };
}

describe('afterAcceptedSends: trust as it stands after the earlier sends of the same batch', () => {
  it('promotes on the message that reaches the threshold, not before', () => {
    const base = access(8, 5);
    expect(afterAcceptedSends(base, 1).actor.trustLevel).toBe('new');
    expect(afterAcceptedSends(base, 2).actor.trustLevel).toBe('member');
    expect(afterAcceptedSends(access(49, 20), 1).actor.trustLevel).toBe('trusted');
  });

  it('never promotes an account too young for the level, however many messages', () => {
    expect(afterAcceptedSends(access(9, 2), 100).actor.trustLevel).toBe('new');
  });

  it('changes nothing for no earlier sends, and counts on from the stored counters', () => {
    const base = access(9, 5);
    expect(afterAcceptedSends(base, 0)).toBe(base);
    expect(afterAcceptedSends(base, 3).trustInputs.messagesSent).toBe(12);
    expect(base.trustInputs.messagesSent).toBe(9);
  });
});
