import type { Intent } from '../../../shared/sync/intents.ts';
import type { ChannelAccess } from '../../access/channel-access.ts';
import { loadRecentBodies, type Layer1Outcome } from '../../moderation/layer1-check.ts';
import type { HandlerContext, HandlerResult } from '../handler-context.ts';
import { checkPostRules, consumeMessageAllowance, sendMessages } from '../send-batch.ts';

/**
 * Checks every rule a new message must pass (the first message of a new thread goes through here) and
 * returns Layer 1's verdict: a flagged message is posted and queued for review, a blocked one refused.
 */
export async function checkCanPost(ctx: HandlerContext, access: ChannelAccess, body: string): Promise<Layer1Outcome> {
  const recent = await loadRecentBodies(ctx.tx, [ctx.userId]);
  const layer1 = checkPostRules(ctx, access, body, recent.get(ctx.userId) ?? []);
  await consumeMessageAllowance(ctx, ctx.userId, ctx.intentId);
  return layer1;
}

/** One send on its own: the batch path with a batch of one, so both decide and write alike. */
export async function sendMessage(
  ctx: HandlerContext,
  intent: Extract<Intent, { kind: 'send' }>,
): Promise<HandlerResult> {
  const [outcome] = await sendMessages(ctx, [{ userId: ctx.userId, intentId: ctx.intentId, intent }]);
  if (!outcome) throw new Error('a batch of one send gave no outcome');
  if (!outcome.ok) throw outcome.refusal;
  return outcome.result;
}
