import { ROLE_RANK } from '../../../shared/rules/roles.ts';

/**
 * `can(actor, 'read', room)` as a SQL predicate, so a query can keep only what its caller may read
 * without asking `can()` row by row. It mirrors `readGate` in shared/rules/permissions.ts together with
 * the implicit membership of `loadChannelAccess`; tests/integration/search.test.ts compares the two over
 * every combination of room privacy, type, read level and role, so a change to one that is not made to
 * the other fails there.
 *
 * - global admins read every room (never DMs: those are for participants only);
 * - a banned member reads nothing of the room, its threads included;
 * - a private room (and a room of type dm) needs a membership;
 * - the read level needs the standing role: `member`/`muted` stand as `trusted` when the member's
 *   trust counters reached it; a non-member of a public Lounge room stands as a member, elsewhere as
 *   nobody (level `everyone` only).
 *
 * `room` and `membership` are the aliases of the `rooms` row and of the caller's (LEFT JOINed)
 * `room_memberships` row; the `$` names are the positional parameters holding the caller's global
 * admin flag (boolean) and whether their trust level is `trusted` (boolean).
 */
export function readableRoomSql(a: {
  room: string;
  membership: string;
  isGlobalAdmin: string;
  isTrusted: string;
}): string {
  const { room: r, membership: m } = a;
  const memberStanding = `CASE WHEN ${a.isTrusted} THEN ${ROLE_RANK.trusted} ELSE ${ROLE_RANK.member} END`;
  const roleRank = (['owner', 'admin', 'moderator', 'trusted'] as const)
    .map((role) => `WHEN '${role}' THEN ${ROLE_RANK[role]}`)
    .join(' ');
  return `(${a.isGlobalAdmin} OR (
      ${m}.role IS DISTINCT FROM 'banned'
      AND (${m}.role IS NOT NULL OR (NOT ${r}.is_private AND ${r}.room_type <> 'dm'))
      AND (${r}.read_permission_level = 'everyone' OR
           COALESCE(CASE
             WHEN ${m}.role IS NULL THEN CASE WHEN ${r}.room_type = 'lounge' THEN ${memberStanding} END
             WHEN ${m}.role IN ('member', 'muted') THEN ${memberStanding}
             ELSE CASE ${m}.role ${roleRank} END
           END, -1) >= CASE ${r}.read_permission_level
             WHEN 'member' THEN ${ROLE_RANK.member} WHEN 'trusted' THEN ${ROLE_RANK.trusted}
             WHEN 'moderator' THEN ${ROLE_RANK.moderator} WHEN 'admin' THEN ${ROLE_RANK.admin} END)))`;
}
