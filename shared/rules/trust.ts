import { LIMITS } from './limits.ts';
import { roleAtLeast, type Role } from './roles.ts';

/**
 * Automatic trust progression (spec): `new` cannot post links or images and waits twice the slow mode; `member`
 * posts fully; `trusted` has no slow mode and can pin. The server computes it from its own counters on every
 * decision; a trust level sent by a client is never read.
 */
export const TRUST_LEVELS = ['new', 'member', 'trusted'] as const;
export type TrustLevel = (typeof TRUST_LEVELS)[number];

export const TRUST_LEVEL_RANK: Readonly<Record<TrustLevel, number>> = { new: 0, member: 1, trusted: 2 };

/** What trust is computed from: `users.messages_sent` and `users.joined_at`. */
export interface TrustInputs {
  readonly messagesSent: number;
  readonly joinedAt: Date;
}

const DAY_MS = 24 * 60 * 60 * 1000;

/**
 * Both conditions of a level must hold: messages alone would let a spammer level up in an afternoon, and age
 * alone would promote dormant accounts that never took part. Boundaries are inclusive (exactly 10 messages and
 * exactly 3 days makes a member). A `joinedAt` in the future (clock skew) counts as zero days.
 */
export function trustLevelOf(inputs: TrustInputs, now: Date): TrustLevel {
  const ageMs = now.getTime() - inputs.joinedAt.getTime();
  const reached = (t: { minMessages: number; minDays: number }): boolean =>
    inputs.messagesSent >= t.minMessages && ageMs >= t.minDays * DAY_MS;
  if (reached(LIMITS.trust.trusted)) return 'trusted';
  if (reached(LIMITS.trust.member)) return 'member';
  return 'new';
}

/**
 * The trust that counts in a room: a room role of `trusted` or above is a moderator's explicit vouching and
 * outranks the automatic counters (a newcomer made moderator must not be stopped from posting links).
 */
export function effectiveTrustLevel(trustLevel: TrustLevel, role: Role | null): TrustLevel {
  return roleAtLeast(role, 'trusted') ? 'trusted' : trustLevel;
}

/**
 * Seconds a member must wait between messages in a room with `roomSlowModeSeconds` of slow mode: `new` waits
 * twice as long, `member` the room's value, `trusted` (by counters or by role), staff and global admins not at all.
 */
export function effectiveSlowModeSeconds(
  roomSlowModeSeconds: number,
  trustLevel: TrustLevel,
  role: Role | null,
  isGlobalAdmin = false,
): number {
  if (roomSlowModeSeconds <= 0 || isGlobalAdmin) return 0;
  switch (effectiveTrustLevel(trustLevel, role)) {
    case 'trusted':
      return 0;
    case 'member':
      return roomSlowModeSeconds;
    case 'new':
      return roomSlowModeSeconds * LIMITS.slowMode.newUserMultiplier;
  }
}

/**
 * Whole seconds still to wait before the next message (0 = may post now), from the member's last accepted
 * message in the room (`room_memberships.last_posted_at`). Rounded up so "wait 0 s" never means "not yet".
 */
export function slowModeWaitSeconds(effectiveSeconds: number, lastPostedAt: Date | null, now: Date): number {
  if (effectiveSeconds <= 0 || lastPostedAt === null) return 0;
  const remainingMs = lastPostedAt.getTime() + effectiveSeconds * 1000 - now.getTime();
  return remainingMs > 0 ? Math.ceil(remainingMs / 1000) : 0;
}
