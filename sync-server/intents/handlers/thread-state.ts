import { can, type Action } from '../../../shared/rules/permissions.ts';
import type { Intent } from '../../../shared/sync/intents.ts';
import { loadChannelAccess } from '../../access/channel-access.ts';
import type { HandlerContext, HandlerResult } from '../handler-context.ts';
import { appendThreadChange } from '../message-writes.ts';
import { ensureAllowed, IntentRefusal } from '../refusal.ts';

type ThreadStateIntent = Extract<Intent, { kind: 'thread_state' }>;

/** Each settable field of a thread, its column and the action `can()` decides it with. */
const FIELDS = [
  { field: 'pinned', column: 'is_pinned', action: 'pin_thread' },
  { field: 'locked', column: 'is_locked', action: 'lock_thread' },
  { field: 'resolved', column: 'is_resolved', action: 'resolve_thread' },
] as const satisfies ReadonlyArray<{ field: keyof ThreadStateIntent; column: string; action: Action }>;

/**
 * Pins, locks or resolves a thread (or undoes it). The thread row is locked first, so two moderators
 * toggling the same thread serialize here; every field that would change needs its own `can()`, decided
 * on the thread as it stands before this intent. A field already at the wanted value is no change (and
 * needs no right); an intent that changes nothing is accepted and logs nothing. The new state is logged on
 * the room's channel, so the room's meta doc (`threads`) brings it to every replica.
 */
export async function setThreadState(ctx: HandlerContext, intent: ThreadStateIntent): Promise<HandlerResult> {
  const { tx, userId } = ctx;
  const { rows } = await tx.query<{ room_id: string; is_pinned: boolean; is_locked: boolean; is_resolved: boolean }>(
    'SELECT room_id, is_pinned, is_locked, is_resolved FROM threads WHERE id = $1 FOR UPDATE',
    [intent.threadId],
  );
  const row = rows[0];
  if (!row) throw new IntentRefusal('not_found', 'That thread does not exist.');
  const access = await loadChannelAccess(tx, intent.threadId, userId, ctx.now);
  if (!access || access.kind !== 'thread' || !access.thread || !access.roomId) {
    throw new IntentRefusal('not_found', 'That thread does not exist.');
  }
  // Seeing the thread comes first: somebody who cannot read the room learns nothing about it here.
  ensureAllowed(can(access.actor, 'read', { room: access.room }));

  const target = { room: access.room, thread: { creatorId: access.thread.creatorId, isLocked: row.is_locked } };
  const changed = FIELDS.filter(({ field, column }) => intent[field] !== undefined && intent[field] !== row[column]);
  for (const { action } of changed) ensureAllowed(can(access.actor, action, target));
  if (changed.length === 0) return { status: 'accepted', channelId: intent.threadId, changes: [] };

  const sets = changed.map(({ column }, i) => `${column} = $${i + 2}`);
  await tx.query(`UPDATE threads SET ${sets.join(', ')}, updated_at = now() WHERE id = $1`, [
    intent.threadId,
    ...changed.map(({ field }) => intent[field]!),
  ]);
  const change = await appendThreadChange(tx, access.roomId, intent.threadId);
  return { status: 'accepted', channelId: intent.threadId, changes: [change] };
}
