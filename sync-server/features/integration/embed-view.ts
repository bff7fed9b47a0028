import { joinAnswer } from '../memberships/membership-rules.ts';
import { z } from 'zod';
import {
  can,
  CONTEXT_TYPES as ROOM_CONTEXT_TYPES,
  ROOM_TYPES,
  type Decision,
} from '../../../shared/rules/permissions.ts';
import { PERMISSION_LEVELS, ROLES } from '../../../shared/rules/roles.ts';
import { TRUST_LEVELS } from '../../../shared/rules/trust.ts';
import type { ChannelAccess } from '../../access/channel-access.ts';
import type { Queryable } from '../../db/database.ts';
import { notFound } from '../../http/errors.ts';
import { hostIdSchema } from './host-records.ts';

/** The host-platform pages that embed a chat: a project, a learning path, a battle result, a profile. */
export const EMBED_CONTEXT_TYPES = ['project', 'learning_path', 'battle', 'ask_me'] as const;
export type EmbedContextType = (typeof EMBED_CONTEXT_TYPES)[number];

export const embedParamsSchema = z.strictObject({
  contextType: z.enum(EMBED_CONTEXT_TYPES),
  contextId: hostIdSchema,
});
export type EmbedParams = z.infer<typeof embedParamsSchema>;

/** How each context is found by the host's id, and what to say when it is not there. */
const RESOLVE: Record<EmbedContextType, { sql: string; missing: string }> = {
  project: {
    sql: 'SELECT id, name AS title FROM rooms WHERE project_host_id = $1',
    missing: 'This project has no discussion yet.',
  },
  learning_path: {
    sql: 'SELECT id, name AS title FROM rooms WHERE learning_path_host_id = $1',
    missing: 'This learning path has no help chat yet.',
  },
  battle: {
    sql: `SELECT id, title FROM threads WHERE host_context_type = 'battle' AND host_context_id = $1`,
    missing: 'This battle has no discussion thread yet.',
  },
  ask_me: {
    sql: `SELECT t.id, t.title FROM threads t
            JOIN users u ON u.host_user_id = t.host_context_id AND u.anonymized_at IS NULL
            JOIN user_settings s ON s.user_id = u.id AND s.ask_me_enabled
           WHERE t.host_context_type = 'ask_me' AND t.host_context_id = $1`,
    missing: 'This member does not take questions here.',
  },
};

/** The channel a host context opens, or 404 when the host has not set it up (or "Ask me" is off). */
export async function resolveEmbedContext(
  db: Queryable,
  { contextType, contextId }: EmbedParams,
): Promise<{ id: string; title: string }> {
  const { sql, missing } = RESOLVE[contextType];
  const { rows } = await db.query<{ id: string; title: string }>(sql, [contextId]);
  const found = rows[0];
  if (!found) throw notFound(missing);
  return found;
}

/**
 * Everything the widget needs to open its one channel in a single answer: which channel, the room around
 * it, and the viewer's standing there (role, trust, mute, the room's permission settings), so the widget
 * runs the same `can()` the server enforces for its menus and composer instead of guessing.
 */
export const embedViewSchema = z.object({
  contextType: z.enum(EMBED_CONTEXT_TYPES),
  contextId: z.string(),
  channelId: z.uuid(),
  kind: z.enum(['room', 'thread']),
  roomId: z.uuid(),
  title: z.string(),
  archived: z.boolean(),
  canPost: z.boolean(),
  /** Why the viewer cannot write here, in words to show instead of the composer. */
  postRefusal: z.string().nullable(),
  /** The viewer is not a member of this public room yet and may join it to take part. */
  canJoin: z.boolean(),
  room: z.object({
    id: z.uuid(),
    slug: z.string(),
    name: z.string(),
    description: z.string(),
    emoji: z.string(),
    roomType: z.enum(ROOM_TYPES),
    contextType: z.enum(ROOM_CONTEXT_TYPES),
    isPrivate: z.boolean(),
    archived: z.boolean(),
    readPermissionLevel: z.enum(PERMISSION_LEVELS),
    writePermissionLevel: z.enum(PERMISSION_LEVELS),
    minTrustLevel: z.enum(TRUST_LEVELS),
    autoThread: z.boolean(),
    slowModeSeconds: z.number().int(),
    messageCount: z.number().int(),
    lastMessageAt: z.string().nullable(),
  }),
  thread: z.object({ creatorId: z.uuid().nullable(), isLocked: z.boolean(), archived: z.boolean() }).nullable(),
  viewer: z.object({
    userId: z.uuid(),
    role: z.enum(ROLES).nullable(),
    trustLevel: z.enum(TRUST_LEVELS),
    mutedUntil: z.string().nullable(),
    isGlobalAdmin: z.boolean(),
  }),
});
export type EmbedView = z.infer<typeof embedViewSchema>;

interface RoomRow {
  id: string;
  slug: string;
  name: string;
  description: string;
  emoji: string;
  auto_thread: boolean;
  slow_mode_seconds: number;
  message_count: number;
  last_message_at: Date | null;
}

/** Where the viewer stands on joining the room behind a widget. */
export type JoinStanding =
  | { status: 'member' }
  | { status: 'can_join' }
  | { status: 'refused'; decision: Extract<Decision, { allowed: false }> };

/**
 * Whether the viewer may become a member of the room by joining it from the widget: the rule of
 * POST /api/rooms/:id/join (`joinAnswer`), except that in a room where every reader already takes part
 * (a public Lounge room) there is nothing to join before posting, so the widget shows no Join button.
 */
export function joinStanding(access: ChannelAccess): JoinStanding {
  const answer = joinAnswer(access);
  if (answer.status === 'refused') return { status: 'refused', decision: answer.refusal };
  if (answer.status === 'can_join' && access.implicitMember) return { status: 'member' };
  return answer;
}

/** The widget's view of a channel for one viewer; `access` has already passed the read check. */
export async function buildEmbedView(
  db: Queryable,
  params: EmbedParams,
  found: { id: string; title: string },
  access: ChannelAccess,
): Promise<EmbedView> {
  const roomId = access.roomId ?? found.id;
  const { rows } = await db.query<RoomRow>(
    `SELECT id, slug, name, description, emoji, auto_thread, slow_mode_seconds, message_count, last_message_at
       FROM rooms WHERE id = $1`,
    [roomId],
  );
  const room = rows[0];
  if (!room) throw notFound('That conversation does not exist.');
  const decision: Decision = access.thread
    ? can(access.actor, 'reply_in_thread', { room: access.room, thread: access.thread })
    : can(access.actor, 'post_message', { room: access.room });
  const join = joinStanding(access);
  return {
    contextType: params.contextType,
    contextId: params.contextId,
    channelId: found.id,
    kind: access.kind === 'thread' ? 'thread' : 'room',
    roomId,
    title: found.title,
    archived: access.room.archived || (access.thread?.archived ?? false),
    canPost: decision.allowed,
    postRefusal: decision.allowed ? null : decision.reason,
    canJoin: join.status === 'can_join',
    room: {
      id: room.id,
      slug: room.slug,
      name: room.name,
      description: room.description,
      emoji: room.emoji,
      ...access.room,
      autoThread: room.auto_thread,
      slowModeSeconds: room.slow_mode_seconds,
      messageCount: room.message_count,
      lastMessageAt: room.last_message_at ? room.last_message_at.toISOString() : null,
    },
    thread: access.thread
      ? { creatorId: access.thread.creatorId, isLocked: access.thread.isLocked, archived: access.thread.archived }
      : null,
    viewer: {
      userId: access.actor.userId,
      // An implicit member of a public Lounge room has no row: the widget treats them as a member too.
      role: access.actor.role,
      trustLevel: access.actor.trustLevel,
      mutedUntil: access.actor.mutedUntil ? access.actor.mutedUntil.toISOString() : null,
      isGlobalAdmin: access.actor.isGlobalAdmin,
    },
  };
}
