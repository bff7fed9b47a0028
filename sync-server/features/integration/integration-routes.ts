import type { FastifyInstance } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { deleteMember } from '../../privacy/delete-account.ts';
import { LIMITS } from '../../../shared/rules/limits.ts';
import { charCount } from '../../../shared/rules/text.ts';
import { LOUNGE_SEED } from '../../../shared/seed/lounge-rooms.ts';
import type { ChannelChange } from '../../../shared/sync/channel-doc.ts';
import type { AppDeps } from '../../app-deps.ts';
import type { Queryable } from '../../db/database.ts';
import { conflict, errorBodySchema, notFound } from '../../http/errors.ts';
import { appendThreadChange } from '../../intents/message-writes.ts';
import { publishCommitted } from '../rooms-admin/publish.ts';
import { revokeLostReaders } from '../memberships/revoke-readers.ts';
import { NO_NUL_MESSAGE, noNul } from '../rooms-admin/text-input.ts';
import { isRealInstant, REAL_INSTANT_MESSAGE } from '../threads/keyset.ts';
import { checkIntegrationSecret } from './integration-auth.ts';
import { switchAskMe } from './ask-me.ts';
import {
  contextLoungeId,
  emojiSchema,
  hostIdSchema,
  lockHostRecord,
  resolveHostUsers,
  roomDescriptionSchema,
  roomNameSchema,
  upsertHostRoom,
} from './host-records.ts';

const errors = {
  400: errorBodySchema,
  401: errorBodySchema,
  404: errorBodySchema,
  409: errorBodySchema,
  503: errorBodySchema,
};
const schemaBase = { tags: ['integration'], security: [{ bearer: [] }] };

const httpUrl = z
  .url()
  .max(2048)
  .refine(noNul, NO_NUL_MESSAGE)
  .refine((v) => /^https?:\/\//i.test(v), 'must be an http(s) URL');

const userBodySchema = z.strictObject({
  handle: z
    .string()
    .regex(LIMITS.handle.pattern, 'a handle is 2–32 letters, digits, "_", "." and "-", not starting with "." or "-"'),
  displayName: z
    .string()
    .trim()
    .min(1, 'a display name is required')
    .refine(noNul, NO_NUL_MESSAGE)
    .refine(
      (v) => charCount(v) <= LIMITS.text.displayNameMaxChars,
      `at most ${LIMITS.text.displayNameMaxChars} characters`,
    ),
  /** null clears it; absent keeps what is stored. */
  avatarUrl: httpUrl.nullable().optional(),
  email: z.email().max(320).refine(noNul, NO_NUL_MESSAGE).nullable().optional(),
  /** When the member joined the host platform: trust levels count days from it. */
  joinedAt: z.iso.datetime({ offset: true }).refine(isRealInstant, REAL_INSTANT_MESSAGE).optional(),
});

const threadTitleSchema = z
  .string()
  .trim()
  .min(1, 'a title is required')
  .refine(noNul, NO_NUL_MESSAGE)
  .refine(
    (v) => charCount(v) <= LIMITS.text.threadTitleMaxChars,
    `at most ${LIMITS.text.threadTitleMaxChars} characters`,
  );

interface UserIdRow {
  id: string;
  host_user_id: string;
  handle: string;
  display_name: string;
  avatar_url: string | null;
  anonymized_at: Date | null;
}

async function requireHostUser(tx: Queryable, hostUserId: string): Promise<UserIdRow> {
  const { rows } = await tx.query<UserIdRow>(
    'SELECT id, host_user_id, handle, display_name, avatar_url, anonymized_at FROM users WHERE host_user_id = $1',
    [hostUserId],
  );
  const user = rows[0];
  if (!user) {
    throw notFound(
      `No member with host id "${hostUserId}"; mirror them first with PUT /api/integration/users/:hostUserId.`,
      'unknown_user',
    );
  }
  return user;
}

/** A thread's title as a thread list shows it: trimmed to the column's 200 characters. */

/**
 * The host platform's server-to-server API. Every call is an idempotent PUT keyed by the host's own id:
 * the same call twice leaves the same rows (same ids, nothing duplicated), so the host can replay its
 * sync freely. Authenticated by the shared INTEGRATION_SECRET, not by member tokens (the routes are
 * `public` to the member hook and checked by this plugin's own hook).
 */
export async function integrationRoutes(app: FastifyInstance, deps: AppDeps): Promise<void> {
  const { db } = deps;
  const r = app.withTypeProvider<ZodTypeProvider>();
  app.addHook('onRequest', async (request) => checkIntegrationSecret(deps.config.integrationSecret, request));

  r.put(
    '/api/integration/users/:hostUserId',
    {
      config: { public: true },
      schema: {
        ...schemaBase,
        summary: 'Create or update the mirror of a host user',
        params: z.strictObject({ hostUserId: hostIdSchema }),
        body: userBodySchema,
        response: {
          200: z.object({
            user: z.object({
              id: z.uuid(),
              hostUserId: z.string(),
              handle: z.string(),
              displayName: z.string(),
              avatarUrl: z.string().nullable(),
            }),
            created: z.boolean(),
          }),
          ...errors,
        },
      },
    },
    async (request) => {
      const { hostUserId } = request.params;
      const body = request.body;
      try {
        return await db.transaction(async (tx) => {
          await lockHostRecord(tx, 'user', hostUserId);
          const existing = await tx.query<{ anonymized_at: Date | null }>(
            'SELECT anonymized_at FROM users WHERE host_user_id = $1',
            [hostUserId],
          );
          if (existing.rows[0]?.anonymized_at) {
            throw conflict('This member deleted their account; their profile is not restored.', 'user_deleted');
          }
          const { rows } = await tx.query<UserIdRow>(
            `INSERT INTO users (host_user_id, handle, display_name, avatar_url, joined_at)
             VALUES ($1, $2, $3, $4, COALESCE($5::timestamptz, now()))
             ON CONFLICT (host_user_id) DO UPDATE
               SET handle = EXCLUDED.handle, display_name = EXCLUDED.display_name,
                   avatar_url = CASE WHEN $6 THEN EXCLUDED.avatar_url ELSE users.avatar_url END,
                   joined_at = COALESCE($5::timestamptz, users.joined_at), updated_at = now()
             RETURNING id, host_user_id, handle, display_name, avatar_url, anonymized_at`,
            [
              hostUserId,
              body.handle,
              body.displayName,
              body.avatarUrl ?? null,
              body.joinedAt ?? null,
              body.avatarUrl !== undefined,
            ],
          );
          const user = rows[0]!;
          await tx.query(
            `INSERT INTO user_settings (user_id, email) VALUES ($1, $2)
             ON CONFLICT (user_id) DO UPDATE
               SET email = CASE WHEN $3 THEN EXCLUDED.email ELSE user_settings.email END,
                   updated_at = CASE WHEN $3 THEN now() ELSE user_settings.updated_at END`,
            [user.id, body.email ?? null, body.email !== undefined],
          );
          return {
            user: {
              id: user.id,
              hostUserId: user.host_user_id,
              handle: user.handle,
              displayName: user.display_name,
              avatarUrl: user.avatar_url,
            },
            created: existing.rows.length === 0,
          };
        });
      } catch (err) {
        if ((err as { constraint?: string }).constraint === 'users_handle_lower_key') {
          throw conflict(`The handle "${body.handle}" is already taken by another member.`, 'handle_taken');
        }
        throw err;
      }
    },
  );

  r.delete(
    '/api/integration/users/:hostUserId',
    {
      config: { public: true },
      schema: {
        ...schemaBase,
        summary: 'The host account was deleted: delete the member (GDPR)',
        description:
          'Anonymizes the member as deleting their account in Settings does: their messages stay in their ' +
          'conversations under "Deleted user", everything else about them is erased, their devices are signed ' +
          'out. Idempotent: `deleted` is false when there is no such member (any more).',
        params: z.strictObject({ hostUserId: hostIdSchema }),
        response: { 200: z.object({ deleted: z.boolean() }), ...errors },
      },
    },
    async (request) => {
      const { rows } = await db.query<{ id: string }>('SELECT id FROM users WHERE host_user_id = $1', [
        request.params.hostUserId,
      ]);
      const userId = rows[0]?.id;
      return { deleted: userId ? await deleteMember(deps, userId) : false };
    },
  );

  r.put(
    '/api/integration/users/:hostUserId/social',
    {
      config: { public: true },
      schema: {
        ...schemaBase,
        summary: 'Replace the mirror of a host user’s connections and follows (DM permissions read it)',
        description:
          'Each list given replaces the stored one; a list left out is kept. Host ids of people not mirrored yet are ' +
          'skipped and listed in `unknownHostUserIds`: PUT those users, then this again.',
        params: z.strictObject({ hostUserId: hostIdSchema }),
        body: z
          .strictObject({
            connections: z.array(hostIdSchema).max(5000).optional(),
            following: z.array(hostIdSchema).max(5000).optional(),
          })
          .refine(
            (b) => b.connections !== undefined || b.following !== undefined,
            'give `connections`, `following` or both',
          ),
        response: {
          200: z.object({
            connections: z.number().int(),
            following: z.number().int(),
            unknownHostUserIds: z.array(z.string()),
          }),
          ...errors,
        },
      },
    },
    async (request) => {
      const { hostUserId } = request.params;
      const { connections, following } = request.body;
      return db.transaction(async (tx) => {
        await lockHostRecord(tx, 'social', hostUserId);
        const me = await requireHostUser(tx, hostUserId);
        const wanted = [...new Set([...(connections ?? []), ...(following ?? [])])].filter((id) => id !== hostUserId);
        const { rows } = await tx.query<{ id: string; host_user_id: string }>(
          'SELECT id, host_user_id FROM users WHERE host_user_id = ANY($1::text[])',
          [wanted],
        );
        const ids = new Map(rows.map((row) => [row.host_user_id, row.id]));
        const idsOf = (list: string[]) => [
          ...new Set(list.flatMap((h) => (h !== hostUserId && ids.has(h) ? [ids.get(h)!] : []))),
        ];
        if (connections) {
          const others = idsOf(connections);
          await tx.query(
            `DELETE FROM user_connections
              WHERE (user_a = $1 AND NOT (user_b = ANY($2::uuid[]))) OR (user_b = $1 AND NOT (user_a = ANY($2::uuid[])))`,
            [me.id, others],
          );
          await tx.query(
            `INSERT INTO user_connections (user_a, user_b)
             SELECT LEAST($1::uuid, o), GREATEST($1::uuid, o) FROM unnest($2::uuid[]) AS o
             ON CONFLICT DO NOTHING`,
            [me.id, others],
          );
        }
        if (following) {
          const others = idsOf(following);
          await tx.query('DELETE FROM user_follows WHERE follower_id = $1 AND NOT (followee_id = ANY($2::uuid[]))', [
            me.id,
            others,
          ]);
          await tx.query(
            `INSERT INTO user_follows (follower_id, followee_id) SELECT $1, o FROM unnest($2::uuid[]) AS o ON CONFLICT DO NOTHING`,
            [me.id, others],
          );
        }
        const counts = await tx.query<{ connections: number; following: number }>(
          `SELECT (SELECT count(*) FROM user_connections WHERE user_a = $1 OR user_b = $1)::int AS connections,
                  (SELECT count(*) FROM user_follows WHERE follower_id = $1)::int AS following`,
          [me.id],
        );
        return { ...counts.rows[0]!, unknownHostUserIds: wanted.filter((h) => !ids.has(h)) };
      });
    },
  );

  r.put(
    '/api/integration/circles/:circleHostId',
    {
      config: { public: true },
      schema: {
        ...schemaBase,
        summary: 'Create or update the private room of a weekly Thrive Circle and sync its members',
        description:
          'The member list replaces the room’s memberships: new members join as `member`, members keep the role ' +
          'they have, and anyone not in the list is removed and loses access at once (open docs are purged). ' +
          'Every member must be mirrored first, or nothing is changed.',
        params: z.strictObject({ circleHostId: hostIdSchema }),
        body: z.strictObject({
          name: roomNameSchema,
          description: roomDescriptionSchema.optional(),
          emoji: emojiSchema.optional(),
          members: z.array(hostIdSchema).max(500),
          archived: z.boolean().optional(),
        }),
        response: {
          200: z.object({
            roomId: z.uuid(),
            created: z.boolean(),
            added: z.array(z.string()),
            removed: z.array(z.string()),
          }),
          ...errors,
        },
      },
    },
    async (request) => {
      const { circleHostId } = request.params;
      const body = request.body;
      const outcome = await db.transaction(async (tx) => {
        await lockHostRecord(tx, 'circle', circleHostId);
        const members = await resolveHostUsers(tx, body.members, 'circle members');
        const { room, created, changes } = await upsertHostRoom(tx, {
          key: 'circle_host_id',
          hostId: circleHostId,
          roomType: 'circle',
          loungeId: null,
          name: body.name,
          description: body.description,
          emoji: body.emoji,
          isPrivate: true,
          contextType: 'text',
          archived: body.archived,
        });
        const current = await tx.query<{ user_id: string; host_user_id: string }>(
          `SELECT mm.user_id, u.host_user_id FROM room_memberships mm JOIN users u ON u.id = mm.user_id WHERE mm.room_id = $1`,
          [room.id],
        );
        const desired = new Set(members.values());
        const present = new Set(current.rows.map((row) => row.user_id));
        const removed = current.rows.filter((row) => !desired.has(row.user_id));
        const added = [...members].filter(([, userId]) => !present.has(userId));
        if (removed.length > 0) {
          await tx.query('DELETE FROM room_memberships WHERE room_id = $1 AND user_id = ANY($2::uuid[])', [
            room.id,
            removed.map((row) => row.user_id),
          ]);
        }
        if (added.length > 0) {
          await tx.query(
            `INSERT INTO room_memberships (room_id, user_id) SELECT $1, u FROM unnest($2::uuid[]) AS u ON CONFLICT DO NOTHING`,
            [room.id, added.map(([, userId]) => userId)],
          );
        }
        const threads =
          removed.length > 0
            ? (await tx.query<{ id: string }>('SELECT id FROM threads WHERE room_id = $1', [room.id])).rows.map(
                (t) => t.id,
              )
            : [];
        return { room, created, changes, added, removed, threads };
      });
      await publishCommitted(deps, outcome.changes, request.log);
      // After commit: whoever left must lose the room and its threads on every node and replica now.
      for (const { user_id: userId } of outcome.removed) {
        for (const channelId of [outcome.room.id, ...outcome.threads]) {
          await deps.sync
            .revokeAccess(userId, channelId, 'You are no longer a member of this circle.')
            .catch((err: unknown) => request.log.warn({ err, userId, channelId }, 'revoking circle access failed'));
        }
      }
      return {
        roomId: outcome.room.id,
        created: outcome.created,
        added: outcome.added.map(([hostId]) => hostId),
        removed: outcome.removed.map((row) => row.host_user_id),
      };
    },
  );

  r.put(
    '/api/integration/projects/:projectHostId',
    {
      config: { public: true },
      schema: {
        ...schemaBase,
        summary: 'Create or update a project’s discussion room; the project owner owns the room',
        params: z.strictObject({ projectHostId: hostIdSchema }),
        body: z.strictObject({
          name: roomNameSchema,
          description: roomDescriptionSchema.optional(),
          emoji: emojiSchema.optional(),
          ownerHostUserId: hostIdSchema,
          /** Absent: public on creation, unchanged afterwards. */
          isPrivate: z.boolean().optional(),
          archived: z.boolean().optional(),
        }),
        response: { 200: z.object({ roomId: z.uuid(), created: z.boolean(), ownerId: z.uuid() }), ...errors },
      },
    },
    async (request) => {
      const { projectHostId } = request.params;
      const body = request.body;
      const outcome = await db.transaction(async (tx) => {
        await lockHostRecord(tx, 'project', projectHostId);
        const owners = await resolveHostUsers(tx, [body.ownerHostUserId], 'project owner');
        const ownerId = owners.get(body.ownerHostUserId)!;
        const { room, created, changes } = await upsertHostRoom(tx, {
          key: 'project_host_id',
          hostId: projectHostId,
          roomType: 'project',
          loungeId: null,
          name: body.name,
          description: body.description,
          emoji: body.emoji,
          isPrivate: body.isPrivate,
          contextType: 'text',
          archived: body.archived,
        });
        // One owner: a previous owner (the project changed hands) stays on as a member.
        await tx.query(
          `UPDATE room_memberships SET role = 'member', updated_at = now() WHERE room_id = $1 AND role = 'owner' AND user_id <> $2`,
          [room.id, ownerId],
        );
        await tx.query(
          `INSERT INTO room_memberships (room_id, user_id, role) VALUES ($1, $2, 'owner')
           ON CONFLICT (room_id, user_id) DO UPDATE SET role = 'owner', updated_at = now()
            WHERE room_memberships.role <> 'owner'`,
          [room.id, ownerId],
        );
        return { room, created, changes, ownerId };
      });
      await publishCommitted(deps, outcome.changes, request.log);
      // A project made private is taken from its readers who are not members, as a room admin's edit does.
      const madePrivate = outcome.changes.some((c) => c.kind === 'meta' && c.patch.isPrivate === true);
      if (!outcome.created && madePrivate) {
        await revokeLostReaders(
          deps,
          outcome.room.id,
          'This room is now private: only its members can read it.',
          request.log,
        );
      }
      return { roomId: outcome.room.id, created: outcome.created, ownerId: outcome.ownerId };
    },
  );

  r.put(
    '/api/integration/learning-paths/:pathHostId',
    {
      config: { public: true },
      schema: {
        ...schemaBase,
        summary: 'Create or update the shared help room of a learning path',
        description:
          'A help room (questions become threads) open to every member, kept outside The Lounge’s room list; ' +
          'the learning path’s embedded chat opens it.',
        params: z.strictObject({ pathHostId: hostIdSchema }),
        body: z.strictObject({
          name: roomNameSchema,
          description: roomDescriptionSchema.optional(),
          emoji: emojiSchema.optional(),
          archived: z.boolean().optional(),
        }),
        response: { 200: z.object({ roomId: z.uuid(), created: z.boolean() }), ...errors },
      },
    },
    async (request) => {
      const { pathHostId } = request.params;
      const body = request.body;
      const outcome = await db.transaction(async (tx) => {
        await lockHostRecord(tx, 'learning_path', pathHostId);
        return upsertHostRoom(tx, {
          key: 'learning_path_host_id',
          hostId: pathHostId,
          roomType: 'lounge',
          loungeId: await contextLoungeId(tx),
          name: body.name,
          description: body.description,
          emoji: body.emoji,
          isPrivate: false,
          contextType: 'help',
          archived: body.archived,
        });
      });
      await publishCommitted(deps, outcome.changes, request.log);
      return { roomId: outcome.room.id, created: outcome.created };
    },
  );

  r.put(
    '/api/integration/battles/:battleHostId/thread',
    {
      config: { public: true },
      schema: {
        ...schemaBase,
        summary: 'Create or retitle the discussion thread of a battle',
        description:
          'The thread lives in `roomId` when given, else in The Lounge’s General room; a thread cannot move to ' +
          'another room later (409).',
        params: z.strictObject({ battleHostId: hostIdSchema }),
        body: z.strictObject({ title: threadTitleSchema, roomId: z.uuid().optional() }),
        response: { 200: z.object({ threadId: z.uuid(), roomId: z.uuid(), created: z.boolean() }), ...errors },
      },
    },
    async (request) => {
      const { battleHostId } = request.params;
      const { title, roomId } = request.body;
      const outcome = await db.transaction(async (tx) => {
        await lockHostRecord(tx, 'battle', battleHostId);
        const existing = await tx.query<{ id: string; room_id: string; title: string }>(
          `SELECT id, room_id, title FROM threads WHERE host_context_type = 'battle' AND host_context_id = $1 FOR UPDATE`,
          [battleHostId],
        );
        const thread = existing.rows[0];
        if (thread) {
          if (roomId && roomId !== thread.room_id) {
            throw conflict(
              'This battle’s thread already lives in another room; threads cannot move.',
              'thread_room_fixed',
            );
          }
          const changes: ChannelChange[] = [];
          if (thread.title !== title) {
            await tx.query('UPDATE threads SET title = $2, updated_at = now() WHERE id = $1', [thread.id, title]);
            changes.push(await appendThreadChange(tx, thread.room_id, thread.id));
          }
          return { threadId: thread.id, roomId: thread.room_id, created: false, changes };
        }
        const room = await tx.query<{ id: string }>(
          roomId
            ? `SELECT id FROM rooms WHERE id = $1 AND room_type <> 'dm'`
            : `SELECT r.id FROM rooms r JOIN lounges l ON l.id = r.lounge_id WHERE l.slug = $1 AND r.slug = 'general'`,
          [roomId ?? LOUNGE_SEED.slug],
        );
        const target = room.rows[0]?.id;
        if (!target)
          throw notFound(roomId ? 'That room does not exist.' : 'The General room has not been set up on this server.');
        const channel = await tx.query<{ id: string }>(`INSERT INTO channels (kind) VALUES ('thread') RETURNING id`);
        const threadId = channel.rows[0]!.id;
        await tx.query(
          `INSERT INTO threads (id, room_id, title, host_context_type, host_context_id) VALUES ($1, $2, $3, 'battle', $4)`,
          [threadId, target, title, battleHostId],
        );
        return { threadId, roomId: target, created: true, changes: [await appendThreadChange(tx, target, threadId)] };
      });
      await publishCommitted(deps, outcome.changes, request.log);
      return { threadId: outcome.threadId, roomId: outcome.roomId, created: outcome.created };
    },
  );

  r.put(
    '/api/integration/users/:hostUserId/ask-me',
    {
      config: { public: true },
      schema: {
        ...schemaBase,
        summary: 'Turn a member’s profile "Ask me" chat on or off',
        description:
          'On: the member’s "Ask me" thread (in the Ask me room, outside The Lounge’s list) is created or reopened ' +
          'and the profile widget resolves to it. Off: the thread is locked (its history stays) and the widget no ' +
          'longer resolves.',
        params: z.strictObject({ hostUserId: hostIdSchema }),
        body: z.strictObject({ enabled: z.boolean() }),
        response: { 200: z.object({ enabled: z.boolean(), threadId: z.uuid().nullable() }), ...errors },
      },
    },
    async (request) => {
      const { hostUserId } = request.params;
      const { enabled } = request.body;
      const outcome = await db.transaction(async (tx) => {
        const user = await requireHostUser(tx, hostUserId);
        return switchAskMe(
          tx,
          { id: user.id, hostUserId, displayName: user.display_name, deleted: Boolean(user.anonymized_at) },
          enabled,
        );
      });
      await publishCommitted(deps, outcome.changes, request.log);
      return { enabled, threadId: enabled ? outcome.threadId : null };
    },
  );
}
