import { can } from '../../../shared/rules/permissions.ts';
import type { Intent } from '../../../shared/sync/intents.ts';
import { loadChannelAccess } from '../../access/channel-access.ts';
import { threadFollowEntry, type ThreadFollowRow } from '../../notifications/thread-follows.ts';
import type { HandlerContext, HandlerResult } from '../handler-context.ts';
import { ensureAllowed, IntentRefusal } from '../refusal.ts';

/**
 * Follows or unfollows a thread the member can read (migration 0027): its followers are told of new replies
 * by the notifications trigger. The decision is answered to every device of the member through their inbox
 * (`follows`), so the thread's header says it everywhere. Following an archived or locked thread is allowed:
 * it is about being told, not about writing.
 */
export async function followThread(
  ctx: HandlerContext,
  intent: Extract<Intent, { kind: 'follow_thread' }>,
): Promise<HandlerResult> {
  const { tx, userId } = ctx;
  const access = await loadChannelAccess(tx, intent.threadId, userId, ctx.now);
  if (!access || access.kind !== 'thread' || !access.thread) {
    throw new IntentRefusal('not_found', 'That thread does not exist.');
  }
  ensureAllowed(can(access.actor, 'read', { room: access.room }));
  const { rows } = await tx.query<ThreadFollowRow>(
    `INSERT INTO thread_follows (thread_id, user_id, following) VALUES ($1, $2, $3)
     ON CONFLICT (thread_id, user_id) DO UPDATE SET following = EXCLUDED.following, updated_at = now()
     RETURNING thread_id, user_id, following, updated_at`,
    [intent.threadId, userId, intent.following],
  );
  return { status: 'accepted', channelId: intent.threadId, changes: [], inbox: rows.map(threadFollowEntry) };
}
