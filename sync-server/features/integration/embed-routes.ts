import type { FastifyInstance } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { can, type Decision } from '../../../shared/rules/permissions.ts';
import type { AppDeps } from '../../app-deps.ts';
import { memberOf } from '../../auth/auth-plugin.ts';
import { errorBodySchema, notFound } from '../../http/errors.ts';
import { requireReadable } from '../threads/channel-read.ts';
import { hostIdSchema } from './host-records.ts';

const CONTEXT_TYPES = ['project', 'learning_path', 'battle', 'ask_me'] as const;
type ContextType = (typeof CONTEXT_TYPES)[number];

/** How each context is found by the host's id, and what to say when it is not there. */
const RESOLVE: Record<ContextType, { sql: string; missing: string }> = {
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

/**
 * The embeddable chat widget's entry point (`useEmbeddedChat(contextType, contextId)`): which channel a
 * project page, learning path, battle result or profile should open, and whether the viewer may write
 * there — or 404 when the host has not set that context up (or "Ask me" is off).
 */
export async function embedRoutes(app: FastifyInstance, deps: AppDeps): Promise<void> {
  const { db } = deps;
  const r = app.withTypeProvider<ZodTypeProvider>();

  r.get(
    '/api/embed/:contextType/:contextId',
    {
      schema: {
        tags: ['embed'],
        summary: 'The channel an embedded chat widget opens for a host context',
        params: z.strictObject({ contextType: z.enum(CONTEXT_TYPES), contextId: hostIdSchema }),
        response: {
          200: z.object({
            contextType: z.enum(CONTEXT_TYPES),
            contextId: z.string(),
            channelId: z.uuid(),
            kind: z.enum(['room', 'thread']),
            roomId: z.uuid(),
            title: z.string(),
            archived: z.boolean(),
            canPost: z.boolean(),
            /** Why the viewer cannot write here, in words to show instead of the composer. */
            postRefusal: z.string().nullable(),
          }),
          400: errorBodySchema,
          403: errorBodySchema,
          404: errorBodySchema,
        },
      },
    },
    async (request) => {
      const member = memberOf(request);
      const { contextType, contextId } = request.params;
      const { sql, missing } = RESOLVE[contextType];
      const { rows } = await db.query<{ id: string; title: string }>(sql, [contextId]);
      const found = rows[0];
      if (!found) throw notFound(missing);
      const access = await requireReadable(db, found.id, member.id);
      const decision: Decision = access.thread
        ? can(access.actor, 'reply_in_thread', { room: access.room, thread: access.thread })
        : can(access.actor, 'post_message', { room: access.room });
      return {
        contextType,
        contextId,
        channelId: found.id,
        kind: access.kind === 'thread' ? ('thread' as const) : ('room' as const),
        roomId: access.roomId ?? found.id,
        title: found.title,
        archived: access.room.archived || (access.thread?.archived ?? false),
        canPost: decision.allowed,
        postRefusal: decision.allowed ? null : decision.reason,
      };
    },
  );
}
