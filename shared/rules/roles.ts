/**
 * Room roles (one per `room_memberships` row) and room permission levels (`rooms.read_permission_level` and
 * `write_permission_level`). The global admin flag (`users.is_global_admin`) is not a room role: it lives on the
 * user and outranks every role in every room.
 */

/** Highest first. Order matters: it is the rank order. */
export const ROLES = ['owner', 'admin', 'moderator', 'trusted', 'member', 'muted', 'banned'] as const;
export type Role = (typeof ROLES)[number];

/** Lowest first: each level admits its role and every role above it. */
export const PERMISSION_LEVELS = ['everyone', 'member', 'trusted', 'moderator', 'admin'] as const;
export type PermissionLevel = (typeof PERMISSION_LEVELS)[number];

/**
 * Higher outranks lower. `muted` and `banned` rank below `member` so that a moderator outranks a muted or banned
 * member (and can lift the restriction), while permission checks never treat them as members in good standing.
 */
export const ROLE_RANK: Readonly<Record<Role, number>> = {
  owner: 6,
  admin: 5,
  moderator: 4,
  trusted: 3,
  member: 2,
  muted: 1,
  banned: 0,
};

/**
 * The least role a level admits. `everyone` admits any signed-in user, members or not: that is how public rooms
 * can be previewed before joining. (Writing always needs a membership, so for writes `everyone` and `member`
 * coincide; see permissions.ts.)
 */
export const PERMISSION_LEVEL_MIN_ROLE: Readonly<Record<PermissionLevel, Role | null>> = {
  everyone: null,
  member: 'member',
  trusted: 'trusted',
  moderator: 'moderator',
  admin: 'admin',
};

export function isRole(value: unknown): value is Role {
  return typeof value === 'string' && (ROLES as readonly string[]).includes(value);
}

export function isPermissionLevel(value: unknown): value is PermissionLevel {
  return typeof value === 'string' && (PERMISSION_LEVELS as readonly string[]).includes(value);
}

/** True when `role` is `min` or above it. A non-member (`null`) is at least nothing. */
export function roleAtLeast(role: Role | null, min: Role): boolean {
  return role !== null && ROLE_RANK[role] >= ROLE_RANK[min];
}

/** Moderators, admins and the owner: the people who moderate a room. */
export function isStaffRole(role: Role | null): boolean {
  return roleAtLeast(role, 'moderator');
}

/** True when a member of role `role` passes `level` (`null` = not a member: passes only `everyone`). */
export function meetsPermissionLevel(role: Role | null, level: PermissionLevel): boolean {
  const min = PERMISSION_LEVEL_MIN_ROLE[level];
  return min === null || roleAtLeast(role, min);
}

/**
 * Whether someone of role `actor` may moderate someone of role `subject` (warn, mute, ban): strictly above, so
 * moderators cannot silence each other and nobody can act on their own level. Non-members rank lowest.
 */
export function outranks(actor: Role, subject: Role | null): boolean {
  return subject === null || ROLE_RANK[actor] > ROLE_RANK[subject];
}

/** Plural noun a member reads, e.g. "Only trusted members can post in this room." */
export const PERMISSION_LEVEL_NOUN: Readonly<Record<Exclude<PermissionLevel, 'everyone'>, string>> = {
  member: 'members',
  trusted: 'trusted members',
  moderator: 'moderators',
  admin: 'admins',
};
