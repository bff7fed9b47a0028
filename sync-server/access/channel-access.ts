import { DM_ROOM_TARGET, type Actor, type RoomTarget, type ThreadTarget } from '../../shared/rules/permissions.ts';
import { isRole, type Role } from '../../shared/rules/roles.ts';
import { trustLevelOf, type TrustInputs } from '../../shared/rules/trust.ts';
import { coalescedRead } from '../db/coalesced-read.ts';
import type { Database, Queryable } from '../db/database.ts';
import { opaqueArray } from '../db/opaque-array.ts';

/**
 * Everything `can()` needs about one member and one channel, read from Postgres in one query.
 * The server decides with it; nothing here comes from the client.
 */
export interface ChannelAccess {
  channelId: string;
  kind: 'room' | 'thread' | 'dm';
  /** The room that governs permissions (the thread's room for a thread; null for DMs). */
  roomId: string | null;
  room: RoomTarget;
  thread: (ThreadTarget & { id: string; archived: boolean }) | undefined;
  actor: Actor;
  /** A public Lounge room counts every signed-in member as a member without a row; the first write adds it. */
  implicitMember: boolean;
  slowModeSeconds: number;
  lastPostedAt: Date | null;
  /** Help rooms: every top-level message opens a thread of its own. */
  autoThread: boolean;
  /** The server's counters `actor.trustLevel` was computed from (never anything a client sent). */
  trustInputs: TrustInputs;
}

export interface AccessRow {
  kind: 'room' | 'thread' | 'dm';
  room_id: string | null;
  room_type: RoomTarget['roomType'] | null;
  context_type: RoomTarget['contextType'] | null;
  is_private: boolean | null;
  archived: boolean | null;
  read_permission_level: RoomTarget['readPermissionLevel'] | null;
  write_permission_level: RoomTarget['writePermissionLevel'] | null;
  min_trust_level: RoomTarget['minTrustLevel'] | null;
  slow_mode_seconds: number | null;
  auto_thread: boolean | null;
  thread_id: string | null;
  thread_creator_id: string | null;
  thread_locked: boolean | null;
  thread_archived_at: Date | null;
  role: string | null;
  muted_until: Date | null;
  last_posted_at: Date | null;
  dm_participant: boolean;
  is_global_admin: boolean;
  messages_sent: number;
  joined_at: Date;
}

const ACCESS_SQL = `
  SELECT c.kind,
         r.id AS room_id, r.room_type, r.context_type, r.is_private, r.archived, r.read_permission_level,
         r.write_permission_level, r.min_trust_level, r.slow_mode_seconds, r.auto_thread,
         t.id AS thread_id, t.creator_id AS thread_creator_id, t.is_locked AS thread_locked,
         t.archived_at AS thread_archived_at,
         m.role, m.muted_until, m.last_posted_at,
         EXISTS (SELECT 1 FROM dm_participants p
                  WHERE p.dm_thread_id = c.id AND p.user_id = $2 AND p.left_at IS NULL) AS dm_participant,
         u.is_global_admin, u.messages_sent, u.joined_at
    FROM channels c
    JOIN users u ON u.id = $2
    LEFT JOIN threads t ON t.id = c.id
    LEFT JOIN rooms r ON r.id = COALESCE(t.room_id, CASE WHEN c.kind = 'room' THEN c.id END)
    LEFT JOIN room_memberships m ON m.room_id = r.id AND m.user_id = $2
   WHERE c.id = $1`;

export async function loadChannelAccess(
  db: Queryable,
  channelId: string,
  userId: string,
  now: Date = new Date(),
): Promise<ChannelAccess | undefined> {
  const { rows } = await db.query<AccessRow>(ACCESS_SQL, [channelId, userId]);
  const row = rows[0];
  return row ? accessFromRow(row, channelId, userId, now) : undefined;
}

// Ids are uuids: ':' never occurs in them, so a key splits back into its two ids.
export const accessKey = (channelId: string, userId: string): string => `${channelId}:${userId}`;

/**
 * loadChannelAccess for the many concurrent subscriptions of a reconnect storm: the decisions asked for
 * in one event-loop turn are read by one query (on the pool only, never inside a transaction).
 */
export function readChannelAccess(db: Database, channelId: string, userId: string): Promise<ChannelAccess | undefined> {
  return coalescedRead(db, 'channel-access', readAccessByKey)(accessKey(channelId, userId));
}

function readAccessByKey(db: Database, keys: readonly string[]): Promise<Map<string, ChannelAccess>> {
  return loadChannelAccessMany(
    db,
    keys.map((key) => {
      const [channelId, userId] = key.split(':') as [string, string];
      return { channelId, userId };
    }),
  );
}

/** The access query for a channel and a member given as SQL expressions (a lateral join's columns). */
export function accessSqlFor(channel: string, member: string): string {
  return ACCESS_SQL.replaceAll('$1', channel).replaceAll('$2', member);
}

/**
 * The same decision input for many (channel, member) pairs in one query: a batch of intents asks once
 * instead of once per message. Keyed by `accessKey`; a pair with no channel is absent.
 */
export async function loadChannelAccessMany(
  db: Queryable,
  pairs: ReadonlyArray<{ channelId: string; userId: string }>,
  now: Date = new Date(),
): Promise<Map<string, ChannelAccess>> {
  const unique = new Map(pairs.map((p) => [accessKey(p.channelId, p.userId), p]));
  const found = new Map<string, ChannelAccess>();
  if (unique.size === 0) return found;
  const list = [...unique.values()];
  const { rows } = await db.query<AccessRow & { q_channel: string; q_user: string }>(
    `SELECT q.channel_id AS q_channel, q.user_id AS q_user, a.*
       FROM unnest(${opaqueArray('$1', 'uuid[]')}, ${opaqueArray('$2', 'uuid[]')}) AS q(channel_id, user_id)
       CROSS JOIN LATERAL (${accessSqlFor('q.channel_id', 'q.user_id')}) a`,
    [list.map((p) => p.channelId), list.map((p) => p.userId)],
  );
  for (const row of rows)
    found.set(accessKey(row.q_channel, row.q_user), accessFromRow(row, row.q_channel, row.q_user, now));
  return found;
}

/**
 * The access as it stands once `accepted` more of the member's messages are accepted — the earlier sends
 * of the same transaction, which are not in `users.messages_sent` yet when a batch reads its accesses
 * once. Trust is recomputed from the counters as they will be, so the message that earns a promotion
 * lifts the next one in the batch exactly as it would in a transaction of its own.
 */
export function afterAcceptedSends(access: ChannelAccess, accepted: number): ChannelAccess {
  if (accepted <= 0) return access;
  const trustInputs = { ...access.trustInputs, messagesSent: access.trustInputs.messagesSent + accepted };
  const trustLevel = trustLevelOf(trustInputs, access.actor.now);
  return { ...access, trustInputs, actor: { ...access.actor, trustLevel } };
}

export function accessFromRow(row: AccessRow, channelId: string, userId: string, now: Date): ChannelAccess {
  const trustInputs: TrustInputs = { messagesSent: row.messages_sent, joinedAt: row.joined_at };
  const trustLevel = trustLevelOf(trustInputs, now);

  if (row.kind === 'dm') {
    return {
      channelId,
      kind: 'dm',
      roomId: null,
      room: DM_ROOM_TARGET,
      thread: undefined,
      actor: {
        userId,
        isGlobalAdmin: false, // DMs are private even to admins; reports are how they see one.
        role: row.dm_participant ? 'member' : null,
        trustLevel,
        mutedUntil: null,
        now,
      },
      implicitMember: false,
      slowModeSeconds: 0,
      lastPostedAt: null,
      autoThread: false,
      trustInputs,
    };
  }

  const room: RoomTarget = {
    roomType: row.room_type!,
    contextType: row.context_type!,
    isPrivate: row.is_private!,
    archived: row.archived!,
    readPermissionLevel: row.read_permission_level!,
    writePermissionLevel: row.write_permission_level!,
    minTrustLevel: row.min_trust_level!,
  };
  const storedRole: Role | null = isRole(row.role) ? row.role : null;
  const implicitMember = storedRole === null && room.roomType === 'lounge' && !room.isPrivate;
  return {
    channelId,
    kind: row.kind,
    roomId: row.room_id,
    room,
    thread: row.thread_id
      ? {
          id: row.thread_id,
          creatorId: row.thread_creator_id,
          isLocked: row.thread_locked ?? false,
          archived: row.thread_archived_at !== null,
        }
      : undefined,
    actor: {
      userId,
      isGlobalAdmin: row.is_global_admin,
      role: implicitMember ? 'member' : storedRole,
      trustLevel,
      mutedUntil: row.muted_until,
      now,
    },
    implicitMember,
    slowModeSeconds: row.slow_mode_seconds ?? 0,
    lastPostedAt: row.last_posted_at,
    autoThread: row.kind === 'room' && (row.auto_thread ?? false),
    trustInputs,
  };
}
