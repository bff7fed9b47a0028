import { describeTimeLeft } from '../../../shared/rules/time-left.ts';
import { can } from '../../../shared/rules/permissions.ts';
import { isRole, type Role } from '../../../shared/rules/roles.ts';
import type { Intent } from '../../../shared/sync/intents.ts';
import { loadChannelAccess } from '../../access/channel-access.ts';
import { notifyModeration } from '../../notifications/notification-rows.ts';
import type { HandlerContext, HandlerResult } from '../handler-context.ts';
import { ensureAllowed, IntentRefusal } from '../refusal.ts';

const ACTION_PERMISSION = {
  warn: 'warn_member',
  mute: 'mute_member',
  unmute: 'mute_member',
  ban: 'ban_member',
  unban: 'ban_member',
} as const;

/**
 * Warn, mute (for a time or until lifted), unmute, ban and unban a member of a room. Every action is a
 * moderation_actions row; a ban also takes the room away from every device of the member (revocation).
 */
export async function moderateMember(
  ctx: HandlerContext,
  intent: Extract<Intent, { kind: 'moderate_member' }>,
): Promise<HandlerResult> {
  const { tx, userId } = ctx;
  const access = await loadChannelAccess(tx, intent.roomId, userId, ctx.now);
  if (!access || access.kind !== 'room') throw new IntentRefusal('not_found', 'That room does not exist.');
  const subject = await tx.query<{ role: string | null; is_global_admin: boolean; handle: string }>(
    `SELECT m.role, u.is_global_admin, u.handle FROM users u
       LEFT JOIN room_memberships m ON m.room_id = $1 AND m.user_id = u.id
      WHERE u.id = $2`,
    [intent.roomId, intent.userId],
  );
  const row = subject.rows[0];
  if (!row) throw new IntentRefusal('not_found', 'That member does not exist.');
  const subjectRole: Role | null = isRole(row.role) ? row.role : null;
  ensureAllowed(
    can(access.actor, ACTION_PERMISSION[intent.action], {
      room: access.room,
      subject: { userId: intent.userId, role: subjectRole, isGlobalAdmin: row.is_global_admin },
    }),
  );
  const reason = intent.reason || defaultReason(intent.action);
  let expiresAt: Date | null = null;
  switch (intent.action) {
    case 'warn':
      await upsertMembership(tx, intent.roomId, intent.userId, `warnings_count = room_memberships.warnings_count + 1`);
      break;
    case 'mute':
      expiresAt = intent.durationMinutes ? new Date(ctx.now.getTime() + intent.durationMinutes * 60_000) : null;
      // A timed mute keeps the role and sets muted_until; an open-ended one is the 'muted' role.
      if (expiresAt) await upsertMembership(tx, intent.roomId, intent.userId, 'muted_until = $3', [expiresAt]);
      else await upsertMembership(tx, intent.roomId, intent.userId, `role = 'muted', muted_until = NULL`);
      break;
    case 'unmute':
      await upsertMembership(
        tx,
        intent.roomId,
        intent.userId,
        `muted_until = NULL, role = CASE WHEN room_memberships.role = 'muted' THEN 'member' ELSE room_memberships.role END`,
      );
      break;
    case 'ban':
      await upsertMembership(tx, intent.roomId, intent.userId, `role = 'banned', muted_until = NULL`);
      break;
    case 'unban':
      if (subjectRole !== 'banned') throw new IntentRefusal('not_banned', `@${row.handle} is not banned here.`);
      await upsertMembership(tx, intent.roomId, intent.userId, `role = 'member'`);
      break;
  }
  await tx.query(
    `INSERT INTO moderation_actions (room_id, target_user_id, actor_id, source, action, reason, expires_at)
     VALUES ($1, $2, $3, 'admin', $4, $5, $6)`,
    [intent.roomId, intent.userId, userId, intent.action, reason, expiresAt],
  );
  const notice = expiresAt ? `${reason} (for ${describeTimeLeft(expiresAt.getTime() - ctx.now.getTime())})` : reason;
  // The member hears of it, with the reason: a warning nobody sees changes nothing.
  const inbox = await notifyModeration(tx, {
    userId: intent.userId,
    actorId: userId,
    action: intent.action,
    reason,
    roomId: intent.roomId,
    channelId: intent.roomId,
    until: expiresAt,
  });
  return {
    status: 'accepted',
    channelId: intent.roomId,
    changes: [],
    inbox,
    ...(intent.action === 'ban'
      ? {
          revoke: [
            { userId: intent.userId, channelId: intent.roomId, reason: `You were banned from this room: ${notice}` },
          ],
        }
      : {}),
  };
}

function defaultReason(action: Extract<Intent, { kind: 'moderate_member' }>['action']): string {
  return {
    warn: 'Please keep to the community guidelines.',
    mute: 'Muted by a moderator.',
    unmute: 'Mute lifted.',
    ban: 'Banned by a moderator.',
    unban: 'Ban lifted.',
  }[action];
}

async function upsertMembership(
  tx: HandlerContext['tx'],
  roomId: string,
  userId: string,
  set: string,
  extra: unknown[] = [],
): Promise<void> {
  await tx.query(
    `INSERT INTO room_memberships (room_id, user_id) VALUES ($1, $2) ON CONFLICT (room_id, user_id) DO NOTHING`,
    [roomId, userId],
  );
  await tx.query(`UPDATE room_memberships SET ${set}, updated_at = now() WHERE room_id = $1 AND user_id = $2`, [
    roomId,
    userId,
    ...extra,
  ]);
}
