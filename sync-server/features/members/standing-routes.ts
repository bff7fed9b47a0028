import type { FastifyInstance } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { can, type Action } from '../../../shared/rules/permissions.ts';
import { isRole, outranks, ROLES, type Role } from '../../../shared/rules/roles.ts';
import { TRUST_LEVELS } from '../../../shared/rules/trust.ts';
import type { AppDeps } from '../../app-deps.ts';
import { loadChannelAccess } from '../../access/channel-access.ts';
import { memberOf } from '../../auth/auth-plugin.ts';
import { errorBodySchema, forbidden, notFound } from '../../http/errors.ts';

/** Actions a client asks about for its own menus; the server's answer is the same can() it enforces. */
const ROOM_ACTIONS = [
  'read',
  'post_message',
  'create_thread',
  'react',
  'post_link',
  'pin_message',
  'hide_message',
  'delete_any_message',
  'view_review_queue',
  'manage_room',
] as const satisfies readonly Action[];

const decisionSchema = z.object({ allowed: z.boolean(), code: z.string().optional(), reason: z.string().optional() });
const GRANTABLE = ['owner', 'admin', 'moderator', 'trusted', 'member'] as const;

/**
 * A member's own standing in a room (role, trust, mute, and what they may do there), so clients show
 * exactly the actions the server will accept; and granting room roles, for the room's owner and admins.
 */
export async function standingRoutes(app: FastifyInstance, deps: AppDeps): Promise<void> {
  const { db } = deps;
  const r = app.withTypeProvider<ZodTypeProvider>();

  r.get(
    '/api/rooms/:roomId/me',
    {
      schema: {
        tags: ['members'],
        summary: 'My standing in a room and what I may do there',
        params: z.strictObject({ roomId: z.uuid() }),
        response: {
          200: z.object({
            role: z.enum(ROLES).nullable(),
            implicitMember: z.boolean(),
            trustLevel: z.enum(TRUST_LEVELS),
            mutedUntil: z.string().nullable(),
            isGlobalAdmin: z.boolean(),
            can: z.record(z.string(), decisionSchema),
          }),
          404: errorBodySchema,
        },
      },
    },
    async (request) => {
      const member = memberOf(request);
      const access = await loadChannelAccess(db, request.params.roomId, member.id);
      if (!access || access.kind !== 'room') throw notFound('That room does not exist.');
      const decisions = Object.fromEntries(
        ROOM_ACTIONS.map((action) => {
          const d = can(access.actor, action, { room: access.room });
          return [action, d.allowed ? { allowed: true } : { allowed: false, code: d.code, reason: d.reason }];
        }),
      );
      return {
        role: access.implicitMember ? null : access.actor.role,
        implicitMember: access.implicitMember,
        trustLevel: access.actor.trustLevel,
        mutedUntil: access.actor.mutedUntil ? access.actor.mutedUntil.toISOString() : null,
        isGlobalAdmin: access.actor.isGlobalAdmin,
        can: decisions,
      };
    },
  );

  r.put(
    '/api/rooms/:roomId/members/:userId/role',
    {
      schema: {
        tags: ['members'],
        summary: "Grant a room role (owner and admins; mutes and bans go through moderation)",
        params: z.strictObject({ roomId: z.uuid(), userId: z.uuid() }),
        body: z.strictObject({ role: z.enum(GRANTABLE) }),
        response: { 200: z.object({ role: z.enum(GRANTABLE) }), 403: errorBodySchema, 404: errorBodySchema },
      },
    },
    async (request) => {
      const member = memberOf(request);
      const { roomId, userId } = request.params;
      const { role } = request.body;
      const access = await loadChannelAccess(db, roomId, member.id);
      if (!access || access.kind !== 'room') throw notFound('That room does not exist.');
      const decision = can(access.actor, 'manage_room', { room: access.room });
      if (!decision.allowed) throw forbidden(decision.reason, decision.code);
      const subject = await db.query<{ role: string | null }>(
        `SELECT m.role FROM users u LEFT JOIN room_memberships m ON m.room_id = $1 AND m.user_id = u.id WHERE u.id = $2`,
        [roomId, userId],
      );
      if (!subject.rows[0]) throw notFound('That member does not exist.');
      const current: Role | null = isRole(subject.rows[0].role) ? subject.rows[0].role : null;
      if (current === 'banned' || current === 'muted') {
        throw forbidden('Lift the ban or mute first (moderation), then grant a role.', 'moderated');
      }
      // Nobody hands out a role at or above their own, nor changes someone at or above them.
      const actorRole = access.actor.role;
      if (!access.actor.isGlobalAdmin && (!actorRole || !outranks(actorRole, role) || !outranks(actorRole, current))) {
        throw forbidden('You can only grant roles below your own, to members below you.', 'outranked');
      }
      await db.query(
        `INSERT INTO room_memberships (room_id, user_id, role) VALUES ($1, $2, $3)
         ON CONFLICT (room_id, user_id) DO UPDATE SET role = $3, updated_at = now()`,
        [roomId, userId, role],
      );
      return { role };
    },
  );
}
