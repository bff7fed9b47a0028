import type { FastifyInstance } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { z } from 'zod';
import type { AppDeps } from '../../app-deps.ts';
import { loadChannelAccess } from '../../access/channel-access.ts';
import { memberOf } from '../../auth/auth-plugin.ts';
import { errorBodySchema, forbidden, notFound } from '../../http/errors.ts';
import { requireReadable } from '../threads/channel-read.ts';
import { buildEmbedView, embedParamsSchema, embedViewSchema, joinStanding, resolveEmbedContext } from './embed-view.ts';
import { sendWidgetPage } from './widget-page.ts';

const errors = { 400: errorBodySchema, 401: errorBodySchema, 403: errorBodySchema, 404: errorBodySchema };

/**
 * The embeddable chat widget (`useEmbeddedChat(contextType, contextId)`): the page a host embeds in an
 * iframe, the channel a project page, learning path, battle result or profile opens with the viewer's
 * standing there, and joining a public project room to take part in it.
 */
export async function embedRoutes(app: FastifyInstance, deps: AppDeps): Promise<void> {
  const { db } = deps;
  const r = app.withTypeProvider<ZodTypeProvider>();

  // The widget itself. Not under /api: it needs no bearer token (the host page hands the widget its
  // member's token over postMessage once it has loaded), and every host id gets the same static page.
  r.get(
    '/embed/:contextType/:contextId',
    {
      config: { public: true },
      schema: {
        tags: ['embed'],
        summary: 'The chat widget page a host platform embeds in an iframe',
        params: embedParamsSchema,
        response: { 400: errorBodySchema, 503: errorBodySchema },
      },
    },
    async (_request, reply) => sendWidgetPage(reply, deps.config.clientDistDir),
  );

  r.get(
    '/api/embed/:contextType/:contextId',
    {
      schema: {
        tags: ['embed'],
        summary: 'The channel an embedded chat widget opens for a host context, and my standing there',
        params: embedParamsSchema,
        response: { 200: embedViewSchema, ...errors },
      },
    },
    async (request) => {
      const member = memberOf(request);
      const found = await resolveEmbedContext(db, request.params);
      const access = await requireReadable(db, found.id, member.id);
      return buildEmbedView(db, request.params, found, access);
    },
  );

  r.post(
    '/api/embed/:contextType/:contextId/join',
    {
      schema: {
        tags: ['embed'],
        summary: 'Join the public room behind a widget (a project room) to post and react there',
        description:
          'Idempotent: a member (or a member of a public Lounge room, where everyone is one) gets the view ' +
          'unchanged. Private, archived and banned-from rooms are refused with the reason.',
        params: embedParamsSchema,
        // Nothing to say but "join": a role or anything else in the body is refused, never applied.
        body: z.strictObject({}).optional(),
        response: { 200: embedViewSchema, ...errors },
      },
    },
    async (request) => {
      const member = memberOf(request);
      const found = await resolveEmbedContext(db, request.params);
      const before = await requireReadable(db, found.id, member.id);
      const join = joinStanding(before);
      if (join.status === 'refused') throw forbidden(join.decision.reason, join.decision.code);
      if (join.status === 'member') return buildEmbedView(db, request.params, found, before);
      // ON CONFLICT DO NOTHING: a ban or role given meanwhile is never overwritten by a plain membership.
      await db.query(
        `INSERT INTO room_memberships (room_id, user_id) VALUES ($1, $2) ON CONFLICT (room_id, user_id) DO NOTHING`,
        [before.roomId, member.id],
      );
      request.log.info({ roomId: before.roomId, userId: member.id }, 'member joined a room from its widget');
      const after = await loadChannelAccess(db, found.id, member.id);
      if (!after) throw notFound('That conversation does not exist.');
      return buildEmbedView(db, request.params, found, after);
    },
  );
}
