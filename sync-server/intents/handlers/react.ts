import { LIMITS } from '../../../shared/rules/limits.ts';
import { can } from '../../../shared/rules/permissions.ts';
import type { Intent } from '../../../shared/sync/intents.ts';
import { loadChannelAccess } from '../../access/channel-access.ts';
import { appendChange } from '../../sync/change-log.ts';
import type { HandlerContext, HandlerResult } from '../handler-context.ts';
import { lockMessage } from '../message-writes.ts';
import { loadMessageView } from '../message-view.ts';
import { describeWait, ensureAllowed, IntentRefusal } from '../refusal.ts';

/** Adds or removes one reaction; doing what is already done changes nothing and is still accepted. */
export async function react(
  ctx: HandlerContext,
  intent: Extract<Intent, { kind: 'react' | 'unreact' }>,
): Promise<HandlerResult> {
  const { tx, userId } = ctx;
  const message = await lockMessage(tx, intent.messageId);
  const access = await loadChannelAccess(tx, message.channelId, userId, ctx.now);
  if (!access) throw new IntentRefusal('not_found', 'That conversation does not exist.');
  ensureAllowed(can(access.actor, 'react', { room: access.room }));
  if (message.isDeleted) throw new IntentRefusal('deleted', 'You cannot react to a deleted message.');
  let changed: number;
  if (intent.kind === 'react') {
    const rate = await ctx.rateLimiter.consume(
      `reactions:${userId}`,
      LIMITS.rate.reactions,
      ctx.intentId,
      ctx.now.getTime(),
    );
    if (!rate.allowed) {
      throw new IntentRefusal(
        'rate_limited',
        `Too many reactions; try again in ${describeWait(rate.retryAfterMs)}.`,
        rate.retryAfterMs,
      );
    }
    ({ rowCount: changed } = await tx.query(
      'INSERT INTO reactions (message_id, user_id, emoji) VALUES ($1, $2, $3) ON CONFLICT DO NOTHING',
      [message.id, userId, intent.emoji],
    ));
  } else {
    ({ rowCount: changed } = await tx.query(
      'DELETE FROM reactions WHERE message_id = $1 AND user_id = $2 AND emoji = $3',
      [message.id, userId, intent.emoji],
    ));
  }
  const view = await loadMessageView(tx, message.id);
  const changes = changed > 0 ? [await appendChange(tx, message.channelId, { kind: 'message', message: view })] : [];
  return { status: 'accepted', messageId: message.id, channelId: message.channelId, seq: view.seq, changes };
}
