import { effectiveTrustLevel } from '../../shared/rules/trust.ts';
import type { ChannelAccess } from '../access/channel-access.ts';
import type { Queryable } from '../db/database.ts';
import type { HandlerContext } from '../intents/handler-context.ts';
import { IntentRefusal } from '../intents/refusal.ts';
import type { ModerationDeps } from './moderation-deps.ts';
import { opaqueArray } from '../db/opaque-array.ts';

export interface Layer1Outcome {
  flagged: boolean;
  /** Why it was flagged, for the review queue. */
  reason: string;
}

// Layer 1's repeat check compares with the author's last few messages in this window.
const RECENT_WINDOW = "interval '10 minutes'";
export const RECENT_COUNT = 3;

/** The author's (an SQL expression) last few bodies of the repeat window, oldest first, as a text[]. */
export function recentBodiesSqlFor(author: string): string {
  return `ARRAY(SELECT r.body FROM (SELECT body, created_at FROM messages
                                      WHERE author_id = ${author} AND created_at > now() - ${RECENT_WINDOW} AND NOT is_deleted
                                      ORDER BY created_at DESC LIMIT ${RECENT_COUNT}) r
                 ORDER BY r.created_at)`;
}

/**
 * Layer 1 on the server: the same filter the composer runs, decided here with the author's real trust
 * level and recent messages. A block refuses the intent with the filter's own sentence.
 */
export async function runLayer1(ctx: HandlerContext, access: ChannelAccess, body: string): Promise<Layer1Outcome> {
  const recent = await loadRecentBodies(ctx.tx, [ctx.userId]);
  return layer1Verdict(ctx.moderation, access, body, recent.get(ctx.userId) ?? []);
}

/** The filter's decision for one body, given the author's recent messages (oldest first). */
export function layer1Verdict(
  moderation: ModerationDeps,
  access: ChannelAccess,
  body: string,
  recentBodies: readonly string[],
): Layer1Outcome {
  const trustLevel = access.actor.isGlobalAdmin
    ? 'trusted'
    : effectiveTrustLevel(access.actor.trustLevel, access.actor.role);
  const result = moderation.layer1.check({ body, trustLevel, recentBodies: [...recentBodies] });
  if (result.verdict === 'block') {
    const first = result.reasons[0];
    throw new IntentRefusal(
      first?.code ?? 'moderation',
      first?.message ?? 'This message was not sent by the moderation filter.',
    );
  }
  return { flagged: result.verdict === 'flag', reason: result.reasons.map((r) => r.message).join(' ') };
}

/** Each author's last few messages of the repeat window, oldest first, for many authors in one query. */
export async function loadRecentBodies(tx: Queryable, authorIds: readonly string[]): Promise<Map<string, string[]>> {
  const recent = new Map<string, string[]>();
  if (authorIds.length === 0) return recent;
  const { rows } = await tx.query<{ author_id: string; bodies: string[] }>(
    `SELECT a.author_id, ${recentBodiesSqlFor('a.author_id')} AS bodies
       FROM unnest(${opaqueArray('$1', 'uuid[]')}) AS a(author_id)`,
    [[...new Set(authorIds)]],
  );
  for (const row of rows) if (row.bodies.length > 0) recent.set(row.author_id, row.bodies);
  return recent;
}

/** Puts a message in the review queue (at most one pending item per message). */
export async function queueForReview(
  tx: Queryable,
  messageId: string,
  roomId: string | null,
  source: 'ai' | 'community' | 'system' | 'admin',
  reason: string,
  ai?: { categories: Record<string, number>; maxScore: number },
): Promise<void> {
  await tx.query(
    `INSERT INTO moderation_queue (message_id, room_id, source, reason, ai_categories, ai_max_score)
     VALUES ($1, $2, $3, $4, $5, $6)
     ON CONFLICT (message_id) WHERE status = 'pending' DO UPDATE
       SET reason = left(moderation_queue.reason || ' ' || EXCLUDED.reason, 1000),
           ai_categories = CASE WHEN EXCLUDED.source = 'ai' THEN EXCLUDED.ai_categories ELSE moderation_queue.ai_categories END,
           ai_max_score = COALESCE(EXCLUDED.ai_max_score, moderation_queue.ai_max_score)`,
    [messageId, roomId, source, reason.slice(0, 1000), JSON.stringify(ai?.categories ?? {}), ai?.maxScore ?? null],
  );
}
