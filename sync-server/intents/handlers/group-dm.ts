import type { Intent } from '../../../shared/sync/intents.ts';
import { dmSummaryEntries } from '../../sync/dm-activity.ts';
import type { HandlerContext, HandlerResult, InboxEntry } from '../handler-context.ts';
import { IntentRefusal } from '../refusal.ts';

/**
 * Leaves a group conversation (Discord's "Leave group"). What the member wrote stays for the others, who
 * see the conversation's people without them; the member loses it on every device (its subscription
 * closes, their replicas purge it, it leaves their list). A conversation of two cannot be left — mute or
 * block the other person instead — and nobody leaves one they are not in.
 */
export async function leaveDm(
  ctx: HandlerContext,
  intent: Extract<Intent, { kind: 'leave_dm' }>,
): Promise<HandlerResult> {
  const { tx, userId } = ctx;
  const thread = await tx.query<{ is_group: boolean }>('SELECT is_group FROM dm_threads WHERE id = $1 FOR UPDATE', [
    intent.channelId,
  ]);
  const row = thread.rows[0];
  if (!row) throw new IntentRefusal('not_found', 'That conversation does not exist.');
  if (!row.is_group)
    throw new IntentRefusal(
      'not_group',
      'A conversation between two people cannot be left: mute or block the other person instead.',
    );
  const left = await tx.query(
    'UPDATE dm_participants SET left_at = now() WHERE dm_thread_id = $1 AND user_id = $2 AND left_at IS NULL',
    [intent.channelId, userId],
  );
  if (left.rowCount === 0) throw new IntentRefusal('not_participant', 'You are not in this conversation.');
  const inbox: InboxEntry[] = [
    { userId, map: 'dms', key: intent.channelId, value: null },
    ...(await dmSummaryEntries(tx, [intent.channelId])),
  ];
  return {
    status: 'accepted',
    channelId: intent.channelId,
    changes: [],
    inbox,
    revoke: [{ userId, channelId: intent.channelId, reason: 'You left this conversation.' }],
  };
}

/**
 * Names a group conversation, for everyone in it (any member may, as in Discord's group DMs); an empty
 * name unnames it, so it is called by its people again. A conversation of two has no name.
 */
export async function renameDm(
  ctx: HandlerContext,
  intent: Extract<Intent, { kind: 'rename_dm' }>,
): Promise<HandlerResult> {
  const { tx, userId } = ctx;
  const thread = await tx.query<{ is_group: boolean; member: boolean }>(
    `SELECT d.is_group, EXISTS (SELECT 1 FROM dm_participants p
                                 WHERE p.dm_thread_id = d.id AND p.user_id = $2 AND p.left_at IS NULL) AS member
       FROM dm_threads d WHERE d.id = $1 FOR UPDATE`,
    [intent.channelId, userId],
  );
  const row = thread.rows[0];
  if (!row || !row.member) throw new IntentRefusal('not_participant', 'You are not in this conversation.');
  if (!row.is_group) throw new IntentRefusal('not_group', 'Only group conversations have a name.');
  const title = intent.title?.trim() || null;
  await tx.query('UPDATE dm_threads SET title = $2 WHERE id = $1', [intent.channelId, title]);
  return {
    status: 'accepted',
    channelId: intent.channelId,
    changes: [],
    inbox: await dmSummaryEntries(tx, [intent.channelId]),
  };
}
