import { can, type Decision } from '../../../shared/rules/permissions.ts';
import type { ChannelAccess } from '../../access/channel-access.ts';

type Refusal = Extract<Decision, { allowed: false }>;

export type JoinAnswer = { status: 'can_join' } | { status: 'member' } | { status: 'refused'; refusal: Refusal };
export type LeaveAnswer = { status: 'can_leave' } | { status: 'not_member' } | { status: 'refused'; refusal: Refusal };

const refused = (code: Refusal['code'], reason: string): { status: 'refused'; refusal: Refusal } => ({
  status: 'refused',
  refusal: { allowed: false, code, reason },
});

/**
 * Whether a member may join a room by themselves. Joining is how a member takes part in a public room
 * they do not belong to yet (a project room; a Lounge or learning-path help room, where joining also
 * lists them among its members). Private rooms are joined only by being added (circles by the host's
 * cohort sync, projects by their owner), so a private room is refused even to someone who could read it.
 *
 * Built on `can()`: a ban refuses with can's own sentence, and the room's read level is checked as if
 * the member had already joined, so a room only trusted members may read refuses a member who is not
 * trusted instead of letting them in to read nothing.
 */
export function joinAnswer(access: ChannelAccess): JoinAnswer {
  const { actor, room } = access;
  if (!actor.isGlobalAdmin && actor.role === 'banned') {
    const read = can(actor, 'read', { room });
    if (!read.allowed) return { status: 'refused', refusal: read };
  }
  if (actor.role !== null && !access.implicitMember) return { status: 'member' };
  if (room.isPrivate || room.roomType === 'dm' || room.roomType === 'circle') {
    return refused('private_room', 'This room is private: its members are added by its owner, not by joining.');
  }
  if (room.archived) return refused('archived', 'This room is archived: it can be read but no longer joined.');
  const asMember = can({ ...actor, role: 'member' }, 'read', { room });
  if (!asMember.allowed) return { status: 'refused', refusal: asMember };
  return { status: 'can_join' };
}

/**
 * Whether a member may leave a room. Leaving deletes their membership, so what the membership carries
 * for others' sake must not go with it: a ban or a running mute would be lifted by leaving and joining
 * again, and a room must keep its owner (the host platform names a project's owner). Everyone else
 * may leave any room they are in, private ones included.
 */
export function leaveAnswer(access: ChannelAccess): LeaveAnswer {
  const { actor } = access;
  if (actor.role === null || access.implicitMember) return { status: 'not_member' };
  if (actor.role === 'banned')
    return refused('banned', 'You are banned from this room, so you cannot leave and rejoin it.');
  const muteRunning =
    actor.mutedUntil !== null ? actor.mutedUntil.getTime() > actor.now.getTime() : actor.role === 'muted';
  if (muteRunning) return refused('muted', 'You are muted in this room: you can leave it once the mute is over.');
  if (actor.role === 'owner') {
    return refused('outranked', 'The owner cannot leave their room: hand it to someone else first.');
  }
  return { status: 'can_leave' };
}
