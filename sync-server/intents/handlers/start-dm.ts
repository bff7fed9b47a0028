import { LIMITS } from '../../../shared/rules/limits.ts';
import type { Intent } from '../../../shared/sync/intents.ts';
import type { Queryable } from '../../db/database.ts';
import type { HandlerContext, HandlerResult, InboxEntry } from '../handler-context.ts';
import { describeWait, IntentRefusal } from '../refusal.ts';

interface Recipient {
  id: string;
  handle: string;
  dm_permission: 'everyone' | 'connections' | 'following' | 'none';
  blocked_either_way: boolean;
  connected: boolean;
  follows_sender: boolean;
}

/**
 * Whether `sender` may open a conversation with each recipient, by the recipient's DM setting
 * (spec: everyone / connections — a shared space or a follow either way — / following — people the
 * recipient follows — / none) and blocks in either direction.
 */
async function refuseUnreachable(tx: Queryable, senderId: string, recipientIds: string[]): Promise<void> {
  const { rows } = await tx.query<Recipient>(
    `SELECT u.id, u.handle, COALESCE(s.dm_permission, 'everyone') AS dm_permission,
            EXISTS (SELECT 1 FROM user_blocks b WHERE (b.blocker_id = u.id AND b.blocked_id = $1)
                                                  OR (b.blocker_id = $1 AND b.blocked_id = u.id)) AS blocked_either_way,
            (EXISTS (SELECT 1 FROM user_connections c WHERE (c.user_a = LEAST(u.id, $1) AND c.user_b = GREATEST(u.id, $1)))
             OR EXISTS (SELECT 1 FROM user_follows f WHERE (f.follower_id = u.id AND f.followee_id = $1)
                                                     OR (f.follower_id = $1 AND f.followee_id = u.id))
             OR EXISTS (SELECT 1 FROM room_memberships a JOIN room_memberships b ON a.room_id = b.room_id
                          JOIN rooms r ON r.id = a.room_id
                         WHERE a.user_id = u.id AND b.user_id = $1 AND r.is_private
                           AND a.role <> 'banned' AND b.role <> 'banned')) AS connected,
            EXISTS (SELECT 1 FROM user_follows f WHERE f.follower_id = u.id AND f.followee_id = $1) AS follows_sender
       FROM users u LEFT JOIN user_settings s ON s.user_id = u.id
      WHERE u.id = ANY($2::uuid[]) AND u.anonymized_at IS NULL`,
    [senderId, recipientIds],
  );
  if (rows.length !== recipientIds.length) throw new IntentRefusal('not_found', 'One of those members does not exist.');
  for (const r of rows) {
    if (r.blocked_either_way) throw new IntentRefusal('blocked', `You can't message @${r.handle}.`);
    switch (r.dm_permission) {
      case 'everyone':
        break;
      case 'none':
        throw new IntentRefusal('dm_closed', `@${r.handle} doesn't accept direct messages.`);
      case 'connections':
        if (!r.connected) {
          throw new IntentRefusal(
            'dm_connections_only',
            `@${r.handle} accepts direct messages only from people they're connected with.`,
          );
        }
        break;
      case 'following':
        if (!r.follows_sender) {
          throw new IntentRefusal(
            'dm_following_only',
            `@${r.handle} accepts direct messages only from people they follow.`,
          );
        }
        break;
    }
  }
}

/** Opens (or, for a pair that already has one, returns) a DM conversation. */
export async function startDm(
  ctx: HandlerContext,
  intent: Extract<Intent, { kind: 'start_dm' }>,
): Promise<HandlerResult> {
  const { tx, userId } = ctx;
  const others = [...new Set(intent.participantIds)].filter((id) => id !== userId);
  if (others.length === 0) throw new IntentRefusal('no_participants', 'Choose at least one other member to message.');
  if (others.length + 1 > LIMITS.dm.groupMaxParticipants) {
    throw new IntentRefusal(
      'group_too_large',
      `Group conversations can have at most ${LIMITS.dm.groupMaxParticipants} people.`,
    );
  }
  const isGroup = others.length > 1;
  const pairKey = isGroup ? null : [userId, others[0]!].sort().join(':');
  if (pairKey) {
    const existing = await tx.query<{ id: string }>('SELECT id FROM dm_threads WHERE pair_key = $1', [pairKey]);
    if (existing.rows[0]) {
      // Reopening is allowed only while the other person could be messaged now.
      await refuseUnreachable(tx, userId, others);
      return { status: 'accepted', channelId: existing.rows[0].id, changes: [] };
    }
  }
  await refuseUnreachable(tx, userId, others);
  const rate = await ctx.rateLimiter.consume(
    `dm-starts:${userId}`,
    LIMITS.rate.dmStarts,
    ctx.intentId,
    ctx.now.getTime(),
  );
  if (!rate.allowed) {
    throw new IntentRefusal(
      'rate_limited',
      `You've started many conversations; try again in ${describeWait(rate.retryAfterMs)}.`,
      rate.retryAfterMs,
    );
  }
  const channel = await tx.query<{ id: string }>(`INSERT INTO channels (kind) VALUES ('dm') RETURNING id`);
  const channelId = channel.rows[0]!.id;
  const title = isGroup ? intent.title?.trim() || null : null;
  await tx.query('INSERT INTO dm_threads (id, is_group, title, pair_key, created_by) VALUES ($1, $2, $3, $4, $5)', [
    channelId,
    isGroup,
    title,
    pairKey,
    userId,
  ]);
  const participantIds = [userId, ...others];
  await tx.query('INSERT INTO dm_participants (dm_thread_id, user_id) SELECT $1, unnest($2::uuid[])', [
    channelId,
    participantIds,
  ]);
  const summary = { channelId, isGroup, title, participantIds };
  const inbox: InboxEntry[] = participantIds.map((id) => ({ userId: id, map: 'dms', key: channelId, value: summary }));
  return { status: 'accepted', channelId, changes: [], inbox };
}
