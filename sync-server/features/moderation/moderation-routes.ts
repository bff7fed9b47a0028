import type { FastifyInstance } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { paths } from '../../../shared/app/paths.ts';
import { can, ROOM_TYPES } from '../../../shared/rules/permissions.ts';
import type { AppDeps } from '../../app-deps.ts';
import { loadChannelAccess } from '../../access/channel-access.ts';
import { memberOf } from '../../auth/auth-plugin.ts';
import { decodeCursor, encodeCursor } from '../../http/cursor.ts';
import { ApiError, errorBodySchema, forbidden, notFound } from '../../http/errors.ts';
import type { UserRow } from '../users/users-repo.ts';
import { apiMessageSchema, type ApiMessage } from '../history/message-schema.ts';
import { publicUserColumns, publicUserSchema, toPublicUser, type PublicUserRow } from '../users/public-user.ts';

/**
 * Where a message is, for a moderator to open it in its conversation: the kind of channel, its room (a
 * thread's room), its thread, and the app's address that shows the conversation at the message (it pages
 * older history in to reach it). The address is null where this moderator cannot open the conversation: a
 * direct message they are not in (DMs are private, even to admins).
 */
const messagePlaceSchema = z.object({
  channelKind: z.enum(['room', 'thread', 'dm']),
  roomSlug: z.string().nullable(),
  roomType: z.enum(ROOM_TYPES).nullable(),
  threadId: z.uuid().nullable(),
  path: z
    .string()
    .regex(/^\/[^#\s]*(#message-[0-9a-f-]+)?$/)
    .nullable(),
  /**
   * Whether the address shows the message itself; false for a thread of a project room or learning path
   * help room, which its page opens from the thread's first message (the page has no address per thread).
   */
  opensAtMessage: z.boolean(),
});
type MessagePlace = z.infer<typeof messagePlaceSchema>;

/** The columns `placeOf` reads, from a LATERAL join `p` on the message's channel (`m`) for viewer `$viewer`. */
const PLACE_JOIN = (viewer: string) => `LEFT JOIN LATERAL (
             SELECT c.kind AS place_kind, t.id AS place_thread_id, t.parent_message_id AS place_thread_parent_id,
                    t.host_context_type AS place_host_type, t.host_context_id AS place_host_id,
                    pr.slug AS place_room_slug, pr.room_type AS place_room_type,
                    pr.project_host_id AS place_project_host_id, pr.learning_path_host_id AS place_path_host_id,
                    EXISTS (SELECT 1 FROM dm_participants dp
                             WHERE dp.dm_thread_id = c.id AND dp.user_id = ${viewer} AND dp.left_at IS NULL) AS place_in_dm
               FROM channels c LEFT JOIN threads t ON t.id = c.id
               LEFT JOIN rooms pr ON c.kind <> 'dm' AND pr.id = COALESCE(t.room_id, c.id)
              WHERE c.id = m.channel_id) p ON true`;

interface PlaceRow {
  place_kind: 'room' | 'thread' | 'dm' | null;
  place_thread_id: string | null;
  place_thread_parent_id: string | null;
  place_host_type: 'battle' | 'ask_me' | null;
  place_host_id: string | null;
  place_room_slug: string | null;
  place_room_type: MessagePlace['roomType'];
  place_project_host_id: string | null;
  place_path_host_id: string | null;
  place_in_dm: boolean | null;
}

/** Where a message is and the address that opens it (null when there is no message, or it is gone). */
function placeOf(row: PlaceRow, messageId: string | null, channelId: string | null): MessagePlace | null {
  if (!messageId || !channelId || !row.place_kind) return null;
  const at = `#message-${messageId}`;
  const slug = row.place_room_slug;
  const threadId = row.place_thread_id;
  const place = { channelKind: row.place_kind, roomSlug: slug, roomType: row.place_room_type, threadId };
  const opens = (path: string | null, opensAtMessage = path !== null) => ({ ...place, path, opensAtMessage });
  if (row.place_kind === 'dm') return opens(row.place_in_dm ? paths.conversation(channelId) + at : null);
  if (!slug) return opens(null);
  if (row.place_room_type === 'lounge') return opens((threadId ? paths.thread(slug, threadId) : paths.room(slug)) + at);
  if (row.place_room_type === 'circle')
    return opens((threadId ? paths.circleThread(slug, threadId) : paths.circle(slug)) + at);
  // Rooms the host platform embeds open in the widget's own page: a battle's or "Ask me" thread has one.
  if (row.place_host_type && row.place_host_id) return opens(paths.embed(row.place_host_type, row.place_host_id) + at);
  const room = row.place_project_host_id
    ? paths.embed('project', row.place_project_host_id)
    : row.place_path_host_id
      ? paths.embed('learning_path', row.place_path_host_id)
      : null;
  if (!room) return opens(null);
  if (!threadId) return opens(room + at);
  return opens(row.place_thread_parent_id ? `${room}#message-${row.place_thread_parent_id}` : room, false);
}

const queueItemSchema = z.object({
  id: z.uuid(),
  roomId: z.uuid().nullable(),
  /** The room's name (null for a direct message), so the card reads on any device. */
  roomName: z.string().nullable(),
  /** Where the message is, and the address that opens it there. */
  place: messagePlaceSchema.nullable(),
  source: z.enum(['ai', 'community', 'admin', 'system']),
  status: z.enum(['pending', 'approved', 'hidden', 'deleted', 'escalated']),
  reason: z.string(),
  aiCategories: z.record(z.string(), z.number()),
  aiMaxScore: z.number().nullable(),
  reportCount: z.number().int(),
  escalated: z.boolean(),
  createdAt: z.string(),
  message: z.object({
    id: z.uuid(),
    channelId: z.uuid(),
    seq: z.number().int(),
    authorId: z.uuid().nullable(),
    /** null when there is no author, or their account was deleted. */
    authorHandle: z.string().nullable(),
    /** The author deleted their account: named "Deleted user", as everywhere else. */
    authorDeleted: z.boolean(),
    /** The words as they read now. */
    body: z.string(),
    /**
     * The words as they read when this item was raised (its first report or flag), when the author has
     * edited the message since — what was reported is what a moderator judges; null when not edited since
     * (or deleted).
     */
    bodyWhenFlagged: z.string().nullable(),
    /** When the author last edited it (null: never). */
    editedAt: z.string().nullable(),
    hidden: z.boolean(),
    hiddenReason: z.string().nullable(),
    deleted: z.boolean(),
    createdAt: z.string(),
    /** Its files (a flagged screenshot is what a moderator judges); none once deleted. */
    attachments: apiMessageSchema.shape.attachments,
  }),
  /** The messages just before and after, so a moderator judges in context. */
  context: z.array(
    z.object({
      seq: z.number().int(),
      authorHandle: z.string().nullable(),
      authorDeleted: z.boolean(),
      body: z.string(),
    }),
  ),
  reports: z.array(z.object({ reason: z.string(), details: z.string(), createdAt: z.string() })),
  /** Why a room moderator sent it to the admins, and who (escalated items). */
  escalation: z.object({ reason: z.string(), byHandle: z.string().nullable(), byDeleted: z.boolean() }).nullable(),
});

interface QueueRow extends PlaceRow {
  id: string;
  room_id: string | null;
  room_name: string | null;
  escalation_reason: string | null;
  escalated_by: string | null;
  escalated_by_deleted: boolean;
  source: 'ai' | 'community' | 'admin' | 'system';
  status: 'pending' | 'approved' | 'hidden' | 'deleted' | 'escalated';
  reason: string;
  ai_categories: Record<string, number>;
  ai_max_score: number | null;
  report_count: number;
  escalated: boolean;
  created_at: Date;
  message_id: string;
  channel_id: string;
  seq: number;
  author_id: string | null;
  author_handle: string | null;
  author_deleted: boolean;
  body: string;
  body_when_flagged: string | null;
  edited_at: Date | null;
  attachments: ApiMessage['attachments'];
  is_hidden: boolean;
  hidden_reason: string | null;
  is_deleted: boolean;
  message_created_at: Date;
}

/**
 * A person as moderator views name them, from a `users` row aliased `alias` (LEFT JOINed): a deleted
 * (anonymized) account keeps a placeholder handle ("deleted_…") that no screen should show, so it answers no
 * handle and `deleted`, and the screens say "Deleted user" as chat does.
 */
const HANDLE = (alias: string) => `CASE WHEN ${alias}.anonymized_at IS NULL THEN ${alias}.handle END`;
const DELETED = (alias: string) => `(${alias}.anonymized_at IS NOT NULL)`;

const queueCursor = z.strictObject({ at: z.string(), id: z.uuid() });
const logCursor = z.strictObject({ at: z.string(), id: z.uuid() });

/**
 * Moderator tools: the review queue (with the AI's explanation and the reports), actions on queue
 * items, the room's moderation log, and whether Layer 2 is on. Actions run as intents of the moderator,
 * so they take the same checks and reach every replica the same way as anything else.
 */
export async function moderationRoutes(app: FastifyInstance, deps: AppDeps): Promise<void> {
  const { db, sync, config } = deps;
  const r = app.withTypeProvider<ZodTypeProvider>();

  /** Rooms whose queue this member may see (undefined = every room: a global admin). */
  async function moderatedRooms(member: UserRow): Promise<string[] | undefined> {
    if (member.is_global_admin) return undefined;
    const { rows } = await db.query<{ room_id: string }>(
      `SELECT room_id FROM room_memberships WHERE user_id = $1 AND role IN ('owner', 'admin', 'moderator')`,
      [member.id],
    );
    return rows.map((row) => row.room_id);
  }

  async function ensureModerates(member: UserRow, roomId: string | null): Promise<void> {
    if (member.is_global_admin) return;
    if (!roomId) throw forbidden('Only global admins review direct messages.', 'not_moderator');
    const access = await loadChannelAccess(db, roomId, member.id);
    if (!access) throw notFound('That room does not exist.');
    const decision = can(access.actor, 'view_review_queue', { room: access.room });
    if (!decision.allowed) throw forbidden(decision.reason, decision.code);
  }

  r.get(
    '/api/moderation/status',
    {
      schema: {
        tags: ['moderation'],
        summary: 'Which moderation layers are on',
        response: { 200: z.object({ layer1: z.literal('on'), layer2: z.enum(['on', 'off']), message: z.string() }) },
      },
    },
    async () => ({
      layer1: 'on' as const,
      layer2: config.moderation.ai ? ('on' as const) : ('off' as const),
      message: config.moderation.ai
        ? 'Messages are checked by the word and spam filter, then by AI moderation.'
        : 'AI moderation is off on this server (no OPENAI_API_KEY): only the word and spam filter and member reports flag messages.',
    }),
  );

  r.get(
    '/api/moderation/rooms',
    {
      schema: {
        tags: ['moderation'],
        summary: 'The rooms I moderate (every room, for global admins): Lounge rooms, circles and project rooms',
        response: {
          200: z.object({
            rooms: z.array(
              z.object({
                id: z.uuid(),
                name: z.string(),
                slug: z.string(),
                roomType: z.string(),
                archived: z.boolean(),
              }),
            ),
          }),
          403: errorBodySchema,
        },
      },
    },
    async (request) => {
      const member = memberOf(request);
      const moderated = await moderatedRooms(member);
      if (moderated && moderated.length === 0)
        throw forbidden('Only moderators have rooms to review.', 'not_moderator');
      const { rows } = await db.query<{ id: string; name: string; slug: string; room_type: string; archived: boolean }>(
        `SELECT id, name, slug, room_type, archived FROM rooms
          WHERE $1::uuid[] IS NULL OR id = ANY($1::uuid[])
          ORDER BY archived, (room_type = 'lounge') DESC, room_type, position, name
          LIMIT 500`,
        [moderated ?? null],
      );
      return {
        rooms: rows.map((r) => ({ id: r.id, name: r.name, slug: r.slug, roomType: r.room_type, archived: r.archived })),
      };
    },
  );

  r.get(
    '/api/moderation/restricted',
    {
      schema: {
        tags: ['moderation'],
        summary: 'Members muted until further notice or banned, in the rooms I moderate (every room, for admins)',
        response: {
          200: z.object({
            entries: z.array(
              z.object({
                room: z.object({ id: z.uuid(), name: z.string(), emoji: z.string() }),
                member: z.object({ user: publicUserSchema, role: z.enum(['muted', 'banned']) }),
              }),
            ),
          }),
          403: errorBodySchema,
        },
      },
    },
    async (request) => {
      const member = memberOf(request);
      const moderated = await moderatedRooms(member);
      if (moderated && moderated.length === 0)
        throw forbidden('Only moderators see who is muted or banned.', 'not_moderator');
      const { rows } = await db.query<
        PublicUserRow & { room_id: string; room_name: string; room_emoji: string; role: 'muted' | 'banned' }
      >(
        `SELECT rm.room_id, r.name AS room_name, r.emoji AS room_emoji, rm.role, ${publicUserColumns('u')}
           FROM room_memberships rm JOIN rooms r ON r.id = rm.room_id JOIN users u ON u.id = rm.user_id
          WHERE rm.role IN ('muted', 'banned') AND ($1::uuid[] IS NULL OR rm.room_id = ANY($1::uuid[]))
          ORDER BY r.name, rm.role, u.display_name
          LIMIT 500`,
        [moderated ?? null],
      );
      return {
        entries: rows.map((row) => ({
          room: { id: row.room_id, name: row.room_name, emoji: row.room_emoji },
          member: { user: toPublicUser(row), role: row.role },
        })),
      };
    },
  );

  r.get(
    '/api/moderation/queue',
    {
      schema: {
        tags: ['moderation'],
        summary: 'Pending review items in the rooms I moderate (oldest first)',
        querystring: z.strictObject({
          roomId: z.uuid().optional(),
          status: z.enum(['pending', 'escalated']).default('pending'),
          cursor: z.string().max(512).optional(),
          limit: z.coerce.number().int().min(1).max(100).default(25),
        }),
        response: {
          200: z.object({ items: z.array(queueItemSchema), nextCursor: z.string().nullable() }),
          403: errorBodySchema,
        },
      },
    },
    async (request) => {
      const member = memberOf(request);
      const { roomId, status, limit } = request.query;
      const rooms = await moderatedRooms(member);
      if (rooms && rooms.length === 0) throw forbidden('Only moderators can see the review queue.', 'not_moderator');
      if (status === 'escalated' && rooms) throw forbidden('Escalated items are for global admins.', 'not_admin');
      if (roomId && rooms && !rooms.includes(roomId))
        throw forbidden('You do not moderate that room.', 'not_moderator');
      const after = request.query.cursor ? decodeCursor(request.query.cursor, queueCursor) : null;
      const { rows } = await db.query<QueueRow>(
        `SELECT q.id, q.room_id, r.name AS room_name, q.source, q.status, q.reason, q.ai_categories, q.ai_max_score,
                q.report_count, q.escalated, q.created_at, m.id AS message_id, m.channel_id, m.seq, m.author_id,
                ${HANDLE('u')} AS author_handle, ${DELETED('u')} AS author_deleted, m.body, f.old_body AS body_when_flagged, m.edited_at, m.attachments,
                m.is_hidden, m.hidden_reason, m.is_deleted, m.created_at AS message_created_at,
                e.reason AS escalation_reason, e.handle AS escalated_by, e.deleted AS escalated_by_deleted, p.*
           FROM moderation_queue q JOIN messages m ON m.id = q.message_id LEFT JOIN users u ON u.id = m.author_id
           LEFT JOIN rooms r ON r.id = q.room_id
           ${PLACE_JOIN('$7')}
           -- Each edit keeps the body it replaced: the first edit after the item was raised kept the words that
           -- were reported or flagged. (An edit in the raising transaction itself — the filter flagging the new
           -- words — has the same time, and is not after.)
           LEFT JOIN LATERAL (SELECT me.old_body FROM message_edits me
                               WHERE me.message_id = q.message_id AND me.edited_at > q.created_at
                               ORDER BY me.id LIMIT 1) f ON true
           LEFT JOIN LATERAL (SELECT a.reason, ${HANDLE('au')} AS handle, ${DELETED('au')} AS deleted
                                FROM moderation_actions a LEFT JOIN users au ON au.id = a.actor_id
                               WHERE q.escalated AND a.message_id = q.message_id AND a.action = 'escalate'
                               ORDER BY a.created_at DESC LIMIT 1) e ON true
          WHERE q.status = $1
            AND ($2::uuid[] IS NULL OR q.room_id = ANY($2::uuid[]))
            AND ($3::uuid IS NULL OR q.room_id = $3)
            AND ($4::timestamptz IS NULL OR (q.created_at, q.id) > ($4::timestamptz, $5::uuid))
          ORDER BY q.created_at, q.id
          LIMIT $6`,
        [status, rooms ?? null, roomId ?? null, after?.at ?? null, after?.id ?? null, limit, member.id],
      );
      const items = await Promise.all(
        rows.map(async (row) => {
          const [context, reports] = await Promise.all([
            db.query<{
              seq: number;
              author_handle: string | null;
              author_deleted: boolean;
              body: string;
              is_deleted: boolean;
            }>(
              `SELECT m.seq, ${HANDLE('u')} AS author_handle, ${DELETED('u')} AS author_deleted, m.body, m.is_deleted
                 FROM messages m LEFT JOIN users u ON u.id = m.author_id
                WHERE m.channel_id = $1 AND m.seq BETWEEN $2 - 2 AND $2 + 2 AND m.seq <> $2 ORDER BY m.seq`,
              [row.channel_id, row.seq],
            ),
            db.query<{ reason: string; details: string; created_at: Date }>(
              'SELECT reason, details, created_at FROM reports WHERE message_id = $1 ORDER BY created_at',
              [row.message_id],
            ),
          ]);
          return {
            id: row.id,
            roomId: row.room_id,
            roomName: row.room_name,
            place: placeOf(row, row.message_id, row.channel_id),
            source: row.source,
            status: row.status,
            reason: row.reason,
            aiCategories: row.ai_categories,
            aiMaxScore: row.ai_max_score,
            reportCount: row.report_count,
            escalated: row.escalated,
            createdAt: row.created_at.toISOString(),
            message: {
              id: row.message_id,
              channelId: row.channel_id,
              seq: row.seq,
              authorId: row.author_id,
              authorHandle: row.author_handle,
              authorDeleted: row.author_deleted,
              body: row.is_deleted ? '' : row.body,
              bodyWhenFlagged: row.is_deleted ? null : row.body_when_flagged,
              editedAt: row.edited_at ? row.edited_at.toISOString() : null,
              hidden: row.is_hidden,
              hiddenReason: row.hidden_reason,
              deleted: row.is_deleted,
              createdAt: row.message_created_at.toISOString(),
              attachments: row.is_deleted ? [] : row.attachments,
            },
            context: context.rows.map((c) => ({
              seq: c.seq,
              authorHandle: c.author_handle,
              authorDeleted: c.author_deleted,
              body: c.is_deleted ? '' : c.body,
            })),
            reports: reports.rows.map((rep) => ({
              reason: rep.reason,
              details: rep.details,
              createdAt: rep.created_at.toISOString(),
            })),
            escalation:
              row.escalation_reason === null
                ? null
                : { reason: row.escalation_reason, byHandle: row.escalated_by, byDeleted: row.escalated_by_deleted },
          };
        }),
      );
      const last = rows.at(-1);
      return {
        items,
        nextCursor:
          rows.length === limit && last ? encodeCursor({ at: last.created_at.toISOString(), id: last.id }) : null,
      };
    },
  );

  r.get(
    '/api/moderation/waiting',
    {
      schema: {
        tags: ['moderation'],
        summary:
          'How many review items wait for me: pending in the rooms I moderate (global admins: everywhere, and what was escalated)',
        response: { 200: z.object({ waiting: z.number().int().min(0) }), 403: errorBodySchema },
      },
    },
    async (request) => {
      const member = memberOf(request);
      const rooms = await moderatedRooms(member);
      if (rooms && rooms.length === 0) throw forbidden('Only moderators have a review queue.', 'not_moderator');
      // Counted up to 100: the navigation's badge says "99+" beyond.
      const { rows } = await db.query<{ waiting: number }>(
        `SELECT count(*)::int AS waiting FROM (
           SELECT 1 FROM moderation_queue q
            WHERE (q.status = 'pending' AND ($1::uuid[] IS NULL OR q.room_id = ANY($1::uuid[])))
               OR ($1::uuid[] IS NULL AND q.status = 'escalated')
            LIMIT 100) w`,
        [rooms ?? null],
      );
      return { waiting: rows[0]?.waiting ?? 0 };
    },
  );

  r.post(
    '/api/moderation/queue/:itemId/actions',
    {
      schema: {
        tags: ['moderation'],
        summary: 'Decide a review item: approve, hide, delete, warn, mute, ban or escalate',
        params: z.strictObject({ itemId: z.uuid() }),
        body: z.strictObject({
          action: z.enum(['approve', 'hide', 'delete', 'warn', 'mute', 'ban', 'escalate']),
          reason: z.string().trim().max(1000).default(''),
          durationMinutes: z.number().int().min(1).max(525_600).optional(),
        }),
        response: {
          200: z.object({ status: z.enum(['pending', 'approved', 'hidden', 'deleted', 'escalated']) }),
          403: errorBodySchema,
          404: errorBodySchema,
          409: errorBodySchema,
        },
      },
    },
    async (request) => {
      const member = memberOf(request);
      const { action, reason, durationMinutes } = request.body;
      const item = await db.query<{
        room_id: string | null;
        message_id: string;
        author_id: string | null;
        status: string;
        is_hidden: boolean;
      }>(
        `SELECT q.room_id, q.message_id, m.author_id, q.status, m.is_hidden
           FROM moderation_queue q JOIN messages m ON m.id = q.message_id WHERE q.id = $1`,
        [request.params.itemId],
      );
      const row = item.rows[0];
      if (!row) throw notFound('That review item does not exist.');
      await ensureModerates(member, row.room_id);
      if (row.status !== 'pending' && !(row.status === 'escalated' && member.is_global_admin)) {
        throw new ApiError(409, 'already_decided', `This item was already decided (${row.status}).`);
      }
      const run = async (intent: Record<string, unknown>) => {
        const outcome = await sync.runIntent(member.id, { ...intent, n: 0, createdAt: Date.now() });
        if (outcome.verdict.status === 'rejected')
          throw new ApiError(403, outcome.verdict.code, outcome.verdict.reason);
      };
      const settle = (status: string) =>
        db.query(`UPDATE moderation_queue SET status = $2, resolved_by = $3, resolved_at = now() WHERE id = $1`, [
          request.params.itemId,
          status,
          member.id,
        ]);
      const onAuthor = async (memberAction: 'warn' | 'mute' | 'ban') => {
        if (!row.author_id || !row.room_id)
          throw new ApiError(409, 'no_author', 'This message has no member to act on.');
        await run({
          kind: 'moderate_member',
          roomId: row.room_id,
          userId: row.author_id,
          action: memberAction,
          reason,
          durationMinutes,
        });
      };
      switch (action) {
        case 'approve':
          // Shown again if it was hidden, and whoever it mentions or answers is told now.
          await run({ kind: 'approve', messageId: row.message_id, reason });
          await settle('approved');
          return { status: 'approved' as const };
        case 'hide':
          await run({ kind: 'hide', messageId: row.message_id, hidden: true, reason });
          await settle('hidden');
          return { status: 'hidden' as const };
        case 'delete':
          await run({ kind: 'delete', messageId: row.message_id, reason });
          await settle('deleted');
          return { status: 'deleted' as const };
        case 'warn':
        case 'mute':
        case 'ban':
          // Acting on the author also takes the message out of sight.
          if (!row.is_hidden) await run({ kind: 'hide', messageId: row.message_id, hidden: true, reason });
          await onAuthor(action);
          await settle('hidden');
          return { status: 'hidden' as const };
        case 'escalate':
          await db.query(`UPDATE moderation_queue SET status = 'escalated', escalated = true WHERE id = $1`, [
            request.params.itemId,
          ]);
          await db.query(
            `INSERT INTO moderation_actions (room_id, message_id, target_user_id, actor_id, source, action, reason)
             VALUES ($1, $2, $3, $4, 'admin', 'escalate', $5)`,
            [row.room_id, row.message_id, row.author_id, member.id, reason],
          );
          return { status: 'escalated' as const };
      }
    },
  );

  r.get(
    '/api/rooms/:roomId/moderation-log',
    {
      schema: {
        tags: ['moderation'],
        summary: "A room's moderation log, newest first",
        params: z.strictObject({ roomId: z.uuid() }),
        querystring: z.strictObject({
          cursor: z.string().max(512).optional(),
          limit: z.coerce.number().int().min(1).max(100).default(50),
        }),
        response: {
          200: z.object({
            entries: z.array(
              z.object({
                id: z.uuid(),
                action: z.string(),
                source: z.string(),
                reason: z.string(),
                /** null for a machine or the community (see source), or a deleted account. */
                actorHandle: z.string().nullable(),
                /** The moderator's account was deleted: named "Deleted user". */
                actorDeleted: z.boolean(),
                targetHandle: z.string().nullable(),
                /** The member acted on deleted their account: named "Deleted user". */
                targetDeleted: z.boolean(),
                messageId: z.uuid().nullable(),
                /** Where the message acted on is, and the address that opens it (null: no message). */
                place: messagePlaceSchema.nullable(),
                expiresAt: z.string().nullable(),
                createdAt: z.string(),
              }),
            ),
            nextCursor: z.string().nullable(),
          }),
          403: errorBodySchema,
        },
      },
    },
    async (request) => {
      const member = memberOf(request);
      await ensureModerates(member, request.params.roomId);
      const before = request.query.cursor ? decodeCursor(request.query.cursor, logCursor) : null;
      const { rows } = await db.query<
        PlaceRow & {
          id: string;
          action: string;
          source: string;
          reason: string;
          actor_handle: string | null;
          actor_deleted: boolean;
          target_handle: string | null;
          target_deleted: boolean;
          message_id: string | null;
          channel_id: string | null;
          expires_at: Date | null;
          created_at: Date;
        }
      >(
        `SELECT a.id, a.action, a.source, a.reason, ${HANDLE('actor')} AS actor_handle, ${DELETED('actor')} AS actor_deleted,
                ${HANDLE('target')} AS target_handle, ${DELETED('target')} AS target_deleted,
                a.message_id, m.channel_id, a.expires_at, a.created_at, p.*
           FROM moderation_actions a
           LEFT JOIN users actor ON actor.id = a.actor_id LEFT JOIN users target ON target.id = a.target_user_id
           LEFT JOIN messages m ON m.id = a.message_id
           ${PLACE_JOIN('$5')}
          WHERE a.room_id = $1 AND ($2::timestamptz IS NULL OR (a.created_at, a.id) < ($2::timestamptz, $3::uuid))
          ORDER BY a.created_at DESC, a.id DESC LIMIT $4`,
        [request.params.roomId, before?.at ?? null, before?.id ?? null, request.query.limit, member.id],
      );
      const last = rows.at(-1);
      return {
        entries: rows.map((e) => ({
          id: e.id,
          action: e.action,
          source: e.source,
          reason: e.reason,
          actorHandle: e.actor_handle,
          actorDeleted: e.actor_deleted,
          targetHandle: e.target_handle,
          targetDeleted: e.target_deleted,
          messageId: e.message_id,
          place: placeOf(e, e.message_id, e.channel_id),
          expiresAt: e.expires_at ? e.expires_at.toISOString() : null,
          createdAt: e.created_at.toISOString(),
        })),
        nextCursor:
          rows.length === request.query.limit && last
            ? encodeCursor({ at: last.created_at.toISOString(), id: last.id })
            : null,
      };
    },
  );
}
