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
import { fetchMembers } from '../api/community.ts';
import type { Room, User } from '../api/types.ts';

/**
 * The member's standing in a room, for deciding which actions to show. The server does not say "your role
 * here", so it is read from the room's member list (staff come first, so a moderator is always on its first
 * page); someone not on it stands as a plain member (public Lounge rooms let anyone join by posting).
 * The server decides again on every intent: this only chooses buttons and explains the greyed ones.
 */
const roles = new Map<string, ReturnType<typeof createSignal<Role | null | undefined>>>();
/** Bumped whenever any role is learned, for views that look across rooms (the header's review-queue link). */
const [rolesVersion, setRolesVersion] = createSignal(0);
const KEY = (userId: string) => `lounge.roles.v1.${userId}`;

function stored(userId: string): Record<string, Role> {
  try {
    return JSON.parse(localStorage.getItem(KEY(userId)) ?? '{}') as Record<string, Role>;
  } catch {
    return {};
  }
}

function signalFor(userId: string, roomId: string) {
  const key = `${userId}:${roomId}`;
  let signal = roles.get(key);
  if (!signal) {
    signal = createSignal<Role | null | undefined>(stored(userId)[roomId]);
    roles.set(key, signal);
  }
  return signal;
}

/** Reactive: the member's role in a room (undefined until known; loads it in the background). */
export function roleIn(user: User, roomId: string, token: string): Role | null | undefined {
  const [role, setRole] = signalFor(user.id, roomId);
  const current = role();
  if (!loading.has(`${user.id}:${roomId}`)) {
    loading.add(`${user.id}:${roomId}`);
    void fetchMembers(token, roomId)
      .then(({ members }) => {
        const mine = members.find((m) => m.user.id === user.id)?.role ?? null;
        setRole(mine);
        setRolesVersion((v) => v + 1);
        const all = stored(user.id);
        if (mine) all[roomId] = mine;
        else delete all[roomId];
        try {
          localStorage.setItem(KEY(user.id), JSON.stringify(all));
        } catch {
          // Storage disabled: the role is read again next time.
        }
      })
      .catch(() => loading.delete(`${user.id}:${roomId}`));
  }
  return current;
}
const loading = new Set<string>();

/** Reactive enough for the header: whether the member moderates any room this device knows of. */
export function staffSomewhere(user: User): boolean {
  if (user.isGlobalAdmin) return true;
  rolesVersion();
  for (const [key, [role]] of roles) if (key.startsWith(`${user.id}:`) && isStaff(role())) return true;
  return Object.values(stored(user.id)).some(isStaff);
}
const isStaff = (role: Role | null | undefined) => role === 'moderator' || role === 'admin' || role === 'owner';

/** Forget cached roles so they are read again (after a moderation action changed someone's role). */
export function refreshRoles(): void {
  loading.clear();
}

export function roomTarget(room: Room): RoomTarget {
  return {
    roomType: 'lounge',
    contextType: room.contextType,
    isPrivate: false,
    archived: room.archived,
    readPermissionLevel: 'everyone',
    writePermissionLevel: 'everyone',
    minTrustLevel: 'new',
  };
}

export function actorIn(user: User, role: Role | null | undefined): Actor {
  return {
    userId: user.id,
    isGlobalAdmin: user.isGlobalAdmin,
    // Not on the member list of a public room: posting there makes one a member.
    role: role ?? 'member',
    trustLevel: 'member',
    mutedUntil: null,
    now: new Date(),
  };
}

export interface Standing {
  decide<A extends Action>(action: A, target: Omit<TargetFor<A>, 'room'>): Decision;
  /** True when the member is staff in this room (sees hidden bodies, moderator menu). */
  staff: () => boolean;
}

export function standingIn(user: User, room: () => Room | null, token: string): Standing {
  const actor = () => {
    const r = room();
    return actorIn(user, r ? roleIn(user, r.id, token) : 'member');
  };
  const target = (): RoomTarget => {
    const r = room();
    return r ? roomTarget(r) : DM_ROOM_TARGET;
  };
  return {
    decide: (action, rest) => can(actor(), action, { ...rest, room: target() } as never),
    staff: () => can(actor(), 'hide_message', { room: target() }).allowed,
  };
}
