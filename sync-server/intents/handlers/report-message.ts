import { LIMITS } from '../../../shared/rules/limits.ts';
import { can } from '../../../shared/rules/permissions.ts';
import type { Intent } from '../../../shared/sync/intents.ts';
import { loadChannelAccess } from '../../access/channel-access.ts';
import { queueForReview } from '../../moderation/layer1-check.ts';
import { appendChange } from '../../sync/change-log.ts';
import type { HandlerContext, HandlerResult } from '../handler-context.ts';
import { lockMessage } from '../message-writes.ts';
import { loadMessageView } from '../message-view.ts';
import { describeWait, ensureAllowed, IntentRefusal } from '../refusal.ts';
import { reportReasonLabel } from '../../../shared/rules/report-reasons.ts';

/**
 * A member reports a message: it joins the review queue, and once enough distinct trusted members
 * (config, default 3) have reported it, it is hidden pending review — the community's own brake.
 */
export async function reportMessage(
  ctx: HandlerContext,
  intent: Extract<Intent, { kind: 'report' }>,
): Promise<HandlerResult> {
  const { tx, userId } = ctx;
  const message = await lockMessage(tx, intent.messageId);
  const access = await loadChannelAccess(tx, message.channelId, userId, ctx.now);
  if (!access) throw new IntentRefusal('not_found', 'That conversation does not exist.');
  ensureAllowed(can(access.actor, 'report_message', { room: access.room, message: { authorId: message.authorId } }));
  const rate = await ctx.rateLimiter.consume(`reports:${userId}`, LIMITS.rate.reports, ctx.intentId, ctx.now.getTime());
  if (!rate.allowed) {
    throw new IntentRefusal(
      'rate_limited',
      `You've sent many reports; try again in ${describeWait(rate.retryAfterMs)}.`,
      rate.retryAfterMs,
    );
  }
  const inserted = await tx.query(
    `INSERT INTO reports (message_id, reporter_id, reason, details) VALUES ($1, $2, $3, $4)
     ON CONFLICT (message_id, reporter_id) DO NOTHING`,
    [message.id, userId, intent.reason, intent.details],
  );
  const view = await loadMessageView(tx, message.id);
  const base = { status: 'accepted' as const, messageId: message.id, channelId: message.channelId, seq: view.seq };
  if (inserted.rowCount === 0) return { ...base, changes: [] }; // one report per member per message
  await queueForReview(
    tx,
    message.id,
    access.roomId,
    'community',
    `Reported by members: ${reportReasonLabel(intent.reason).toLowerCase()}.`,
  );
  await tx.query(
    `UPDATE moderation_queue SET report_count = (SELECT count(*) FROM reports WHERE message_id = $1)
      WHERE message_id = $1 AND status = 'pending'`,
    [message.id],
  );
  // Trusted reporters: computed trust 'trusted' (50 messages, 14 days) or a trusted-or-higher room role.
  const trusted = await tx.query<{ n: number }>(
    `SELECT count(DISTINCT r.reporter_id)::int AS n
       FROM reports r JOIN users u ON u.id = r.reporter_id
       LEFT JOIN room_memberships m ON m.room_id = $2 AND m.user_id = r.reporter_id
      WHERE r.message_id = $1
        AND ((u.messages_sent >= $3 AND u.joined_at <= now() - make_interval(days => $4))
             OR m.role IN ('trusted', 'moderator', 'admin', 'owner') OR u.is_global_admin)`,
    [message.id, access.roomId, LIMITS.trust.trusted.minMessages, LIMITS.trust.trusted.minDays],
  );
  if (trusted.rows[0]!.n < ctx.moderation.reportsToHide || view.hidden || message.isDeleted)
    return { ...base, changes: [] };
  const reason = 'Hidden after reports from the community, pending review.';
  await tx.query('UPDATE messages SET is_hidden = true, hidden_reason = $2, updated_at = now() WHERE id = $1', [
    message.id,
    reason,
  ]);
  await tx.query(
    `INSERT INTO moderation_actions (room_id, message_id, target_user_id, source, action, reason, details)
     VALUES ($1, $2, $3, 'community', 'hide', $4, $5)`,
    [access.roomId, message.id, message.authorId, reason, JSON.stringify({ trustedReporters: trusted.rows[0]!.n })],
  );
  const hidden = await loadMessageView(tx, message.id);
  return { ...base, changes: [await appendChange(tx, message.channelId, { kind: 'message', message: hidden })] };
}
