import { createSignal } from 'solid-js';
import {
  can,
  DM_ROOM_TARGET,
  type Action,
  type Actor,
  type Decision,
  type RoomTarget,
  type TargetFor,
} from '../../../shared/rules/permissions.ts';
import type { Role } from '../../../shared/rules/roles.ts';
import { fetchMyStanding, type MyStanding } from '../api/community.ts';
import type { Room, User } from '../api/types.ts';

/** What this device knows of the member's standing in one room (GET /api/rooms/:id/me). */
type Known = Pick<MyStanding, 'role' | 'trustLevel' | 'mutedUntil'>;

/**
 * The member's standing in a room, for deciding which actions to show: read from the server's
 * `GET /api/rooms/:id/me` (role, trust level, mute), kept in localStorage so menus are right offline.
 * Not a member of a public room (`role: null`): they stand as a plain member (posting makes one).
 * The server decides again on every intent: this only chooses buttons and explains the greyed ones.
 */
const standings = new Map<string, ReturnType<typeof createSignal<Known | undefined>>>();
/** Bumped whenever any standing is learned, for views that look across rooms (the header's review-queue link). */
const [rolesVersion, setRolesVersion] = createSignal(0);
const KEY = (userId: string) => `lounge.standing.v1.${userId}`;

function stored(userId: string): Record<string, Known> {
  try {
    return JSON.parse(localStorage.getItem(KEY(userId)) ?? '{}') as Record<string, Known>;
  } catch {
    return {};
  }
}

function signalFor(userId: string, roomId: string) {
  const key = `${userId}:${roomId}`;
  let signal = standings.get(key);
  if (!signal) {
    signal = createSignal<Known | undefined>(stored(userId)[roomId]);
    standings.set(key, signal);
  }
  return signal;
}

const loading = new Set<string>();

/** Reactive: the member's standing in a room (undefined until known; loads it in the background). */
function standingOf(user: User, roomId: string, token: string): Known | undefined {
  const [known] = signalFor(user.id, roomId);
  const current = known();
  if (!loading.has(`${user.id}:${roomId}`)) load(user, roomId, token);
  return current;
}

function load(user: User, roomId: string, token: string): void {
  const [, setKnown] = signalFor(user.id, roomId);
  const key = `${user.id}:${roomId}`;
  loading.add(key);
  void fetchMyStanding(token, roomId)
    .then((answer) => {
      const mine: Known = { role: answer.role, trustLevel: answer.trustLevel, mutedUntil: answer.mutedUntil };
      setKnown(mine);
      setRolesVersion((v) => v + 1);
      const all = stored(user.id);
      all[roomId] = mine;
      try {
        localStorage.setItem(KEY(user.id), JSON.stringify(all));
      } catch {
        // Storage disabled: the standing is read again next time.
      }
    })
    .catch(() => loading.delete(key));
}

/**
 * A moderator just muted, banned, warned or let the member back in a room: the standing is read again at
 * once, so the composer gives way to the reason (or comes back) without a reload.
 */
export function refreshStanding(user: User, roomId: string, token: string): void {
  load(user, roomId, token);
}

/** Reactive: the member's role in a room (undefined until known, null when not a member; loads it in the background). */
export function roleIn(user: User, roomId: string, token: string): Role | null | undefined {
  const known = standingOf(user, roomId, token);
  return known === undefined ? undefined : known.role;
}

/** Reactive enough for the header: whether the member moderates any room this device knows of. */
export function staffSomewhere(user: User): boolean {
  if (user.isGlobalAdmin) return true;
  rolesVersion();
  for (const [key, [known]] of standings) if (key.startsWith(`${user.id}:`) && isStaff(known()?.role)) return true;
  return Object.values(stored(user.id)).some((known) => isStaff(known.role));
}
const isStaff = (role: Role | null | undefined) => role === 'moderator' || role === 'admin' || role === 'owner';

/** Forget cached roles so they are read again (after a moderation action changed someone's role). */
export function refreshRoles(): void {
  loading.clear();
}

export function roomTarget(room: Room): RoomTarget {
  const circle = room.roomType === 'circle';
  return {
    // Thrive Circles are private rooms of their cohort; Lounge rooms are open to every member.
    roomType: circle ? 'circle' : 'lounge',
    contextType: room.contextType,
    isPrivate: circle,
    archived: room.archived,
    readPermissionLevel: room.readPermissionLevel ?? 'everyone',
    writePermissionLevel: room.writePermissionLevel ?? 'everyone',
    minTrustLevel: room.minTrustLevel ?? 'new',
  };
}

export function actorIn(
  user: User,
  role: Role | null | undefined,
  standing?: Pick<Known, 'trustLevel' | 'mutedUntil'>,
): Actor {
  return {
    userId: user.id,
    isGlobalAdmin: user.isGlobalAdmin,
    // Not on the member list of a public room: posting there makes one a member.
    role: role ?? 'member',
    trustLevel: standing?.trustLevel ?? 'member',
    mutedUntil: standing?.mutedUntil ? new Date(standing.mutedUntil) : null,
    now: new Date(),
  };
}

export interface Standing {
  decide<A extends Action>(action: A, target: Omit<TargetFor<A>, 'room'>): Decision;
  /** True when the member is staff in this room (sees hidden bodies, moderator menu). */
  staff: () => boolean;
  /**
   * Why the member cannot post in the room's conversation, once their standing there is known (null
   * before: a moderator must not see "only moderators post here" while their role loads).
   */
  postRefusal: () => string | null;
}

export function standingIn(user: User, room: () => Room | null, token: string): Standing {
  const actor = () => {
    const r = room();
    if (!r) return actorIn(user, 'member');
    const known = standingOf(user, r.id, token);
    return actorIn(user, known?.role, known);
  };
  const target = (): RoomTarget => {
    const r = room();
    return r ? roomTarget(r) : DM_ROOM_TARGET;
  };
  return {
    decide: (action, rest) => can(actor(), action, { ...rest, room: target() } as never),
    staff: () => can(actor(), 'hide_message', { room: target() }).allowed,
    postRefusal: () => {
      const r = room();
      if (!r || standingOf(user, r.id, token) === undefined) return null;
      const decision = can(actor(), 'post_message', { room: target() });
      return decision.allowed ? null : decision.reason;
    },
  };
}
