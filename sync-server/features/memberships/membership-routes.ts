import type { FastifyInstance } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { loadChannelAccess, type ChannelAccess } from '../../access/channel-access.ts';
import type { AppDeps } from '../../app-deps.ts';
import { memberOf } from '../../auth/auth-plugin.ts';
import type { Queryable } from '../../db/database.ts';
import { conflict, errorBodySchema, forbidden, notFound } from '../../http/errors.ts';
import { joinAnswer, leaveAnswer } from './membership-rules.ts';
import { revokeLostReaders } from './revoke-readers.ts';

const params = z.strictObject({ roomId: z.uuid() });
// Nothing to say but "join"/"leave": a role or anything else in a body is refused, never applied.
const emptyBody = z.strictObject({}).nullish();

async function roomAccess(db: Queryable, roomId: string, userId: string): Promise<ChannelAccess> {
  const access = await loadChannelAccess(db, roomId, userId);
  if (!access || access.kind !== 'room') throw notFound('That room does not exist.');
  return access;
}

/**
 * Joining and leaving rooms by the member themselves. Memberships given by others (circle cohorts,
 * project owners, roles) are made elsewhere; these two routes only ever add a plain `member` row or
 * remove the caller's own.
 */
export async function membershipRoutes(app: FastifyInstance, deps: AppDeps): Promise<void> {
  const { db } = deps;
  const r = app.withTypeProvider<ZodTypeProvider>();

  r.post(
    '/api/rooms/:roomId/join',
    {
      schema: {
        tags: ['members'],
        summary: 'Join a public room (a project room, a Lounge or learning-path help room) to take part in it',
        description:
          'Idempotent: a member gets `joined: false` and nothing changes. Private rooms (members are added by their ' +
          'owner), archived rooms, rooms you are banned from and rooms whose read level is above a member are ' +
          'refused with the reason.',
        params,
        body: emptyBody,
        response: {
          200: z.object({ roomId: z.uuid(), joined: z.boolean() }),
          403: errorBodySchema,
          404: errorBodySchema,
        },
      },
    },
    async (request) => {
      const member = memberOf(request);
      const { roomId } = request.params;
      const answer = joinAnswer(await roomAccess(db, roomId, member.id));
      if (answer.status === 'refused') throw forbidden(answer.refusal.reason, answer.refusal.code);
      if (answer.status === 'member') return { roomId, joined: false };
      // ON CONFLICT DO NOTHING: a ban or role written meanwhile is never replaced by a plain membership.
      const inserted = await db.query(
        `INSERT INTO room_memberships (room_id, user_id) VALUES ($1, $2) ON CONFLICT (room_id, user_id) DO NOTHING`,
        [roomId, member.id],
      );
      request.log.info({ roomId, userId: member.id }, 'member joined a room');
      return { roomId, joined: (inserted.rowCount ?? 0) > 0 };
    },
  );

  r.post(
    '/api/rooms/:roomId/leave',
    {
      schema: {
        tags: ['members'],
        summary: 'Leave a room you are a member of',
        description:
          'Your membership is removed. If that means you can no longer read the room (a private room, or one only ' +
          'members read), it is revoked at once: open subscriptions to it and its threads close and your devices ' +
          'purge it. Owners, banned members and members under a running mute cannot leave (the reason says why).',
        params,
        body: emptyBody,
        response: {
          200: z.object({ roomId: z.uuid(), canStillRead: z.boolean() }),
          403: errorBodySchema,
          404: errorBodySchema,
          409: errorBodySchema,
        },
      },
    },
    async (request) => {
      const member = memberOf(request);
      const { roomId } = request.params;
      await db.transaction(async (tx) => {
        // Locks the membership, so a ban or mute given at the same moment is either seen here or waits.
        await tx.query('SELECT 1 FROM room_memberships WHERE room_id = $1 AND user_id = $2 FOR UPDATE', [
          roomId,
          member.id,
        ]);
        const answer = leaveAnswer(await roomAccess(tx, roomId, member.id));
        if (answer.status === 'not_member') throw conflict('You are not a member of this room.', 'not_member');
        if (answer.status === 'refused') throw forbidden(answer.refusal.reason, answer.refusal.code);
        await tx.query('DELETE FROM room_memberships WHERE room_id = $1 AND user_id = $2', [roomId, member.id]);
      });
      request.log.info({ roomId, userId: member.id }, 'member left a room');
      // After commit, like every delivery: the membership is gone whatever happens to the publish.
      const lost = await revokeLostReaders(deps, roomId, 'You left this room.', request.log, [member.id]);
      return { roomId, canStillRead: lost.length === 0 };
    },
  );
}
