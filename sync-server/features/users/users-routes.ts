import type { FastifyInstance } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { z } from 'zod';
import type { AppDeps } from '../../app-deps.ts';
import { memberOf } from '../../auth/auth-plugin.ts';
import { errorBodySchema, notFound } from '../../http/errors.ts';
import { publicUserColumns, publicUserSchema, toPublicUser, type PublicUserRow } from './public-user.ts';

/** At most this many ids per batch lookup: a page of messages has at most 100 authors. */
const MAX_IDS = 100;

const idsSchema = z
  .string()
  .max(MAX_IDS * 37)
  .transform((raw) => [
    ...new Set(
      raw
        .split(',')
        .map((s) => s.trim())
        .filter((s) => s.length > 0),
    ),
  ])
  .pipe(
    z
      .array(z.uuid('every id must be a user id (uuid)'))
      .min(1, 'give at least one id')
      .max(MAX_IDS, `at most ${MAX_IDS} ids at a time`),
  );

/**
 * Names for authors: the client resolves the author ids of what it shows, one user or a batch of up to
 * 100 at a time. Deleted (anonymized) accounts answer as "Deleted user".
 */
export async function usersRoutes(app: FastifyInstance, deps: AppDeps): Promise<void> {
  const { db } = deps;
  const r = app.withTypeProvider<ZodTypeProvider>();

  r.get(
    '/api/users/:userId',
    {
      schema: {
        tags: ['users'],
        summary: 'One member’s public profile (handle, display name, avatar)',
        params: z.strictObject({ userId: z.uuid() }),
        response: { 200: z.object({ user: publicUserSchema }), 404: errorBodySchema },
      },
    },
    async (request) => {
      memberOf(request);
      const { rows } = await db.query<PublicUserRow>(`SELECT ${publicUserColumns('u')} FROM users u WHERE u.id = $1`, [
        request.params.userId,
      ]);
      const row = rows[0];
      if (!row) throw notFound('There is no member with that id.');
      return { user: toPublicUser(row) };
    },
  );

  r.get(
    '/api/users/search',
    {
      schema: {
        tags: ['users'],
        summary: 'Members whose handle or name starts with the words typed, for "New message" (at most 10)',
        description:
          'Matches the start of the handle, of the display name, or of a word in it, ignoring case; the ' +
          'searcher, deleted accounts and members either side blocked are left out. Writing to one is still ' +
          'decided by their DM setting.',
        querystring: z.strictObject({
          q: z
            .string()
            .trim()
            .transform((q) => q.replace(/^@/, ''))
            .pipe(
              z
                .string()
                .min(1, 'type at least one character')
                .max(64, 'at most 64 characters')
                // PostgreSQL text holds no NUL: refused here with a sentence rather than failing there.
                .refine((q) => !q.includes('\u0000'), 'a name or handle has no NUL characters'),
            ),
        }),
        response: { 200: z.object({ users: z.array(publicUserSchema) }), 400: errorBodySchema },
      },
    },
    async (request) => {
      const member = memberOf(request);
      // LIKE's own characters in what was typed are literal.
      const prefix = `${request.query.q.toLowerCase().replace(/[\\%_]/g, (c) => `\\${c}`)}%`;
      const { rows } = await db.query<PublicUserRow>(
        `SELECT ${publicUserColumns('u')} FROM users u
          WHERE u.anonymized_at IS NULL AND u.id <> $2
            AND (lower(u.handle) LIKE $1 OR lower(u.display_name) LIKE $1 OR lower(u.display_name) LIKE '% ' || $1)
            AND NOT EXISTS (SELECT 1 FROM user_blocks b
                             WHERE (b.blocker_id = $2 AND b.blocked_id = u.id) OR (b.blocker_id = u.id AND b.blocked_id = $2))
          ORDER BY (lower(u.handle) LIKE $1) DESC, lower(u.handle)
          LIMIT 10`,
        [prefix, member.id],
      );
      return { users: rows.map(toPublicUser) };
    },
  );

  r.get(
    '/api/users',
    {
      schema: {
        tags: ['users'],
        summary: 'Public profiles of up to 100 members by id (`ids=a,b,c`); unknown ids are left out',
        querystring: z.strictObject({ ids: idsSchema }),
        response: { 200: z.object({ users: z.array(publicUserSchema) }), 400: errorBodySchema },
      },
    },
    async (request) => {
      memberOf(request);
      const ids = request.query.ids;
      const { rows } = await db.query<PublicUserRow>(
        `SELECT ${publicUserColumns('u')} FROM users u WHERE u.id = ANY($1::uuid[])`,
        [ids],
      );
      const byId = new Map(rows.map((row) => [row.user_id, toPublicUser(row)]));
      return { users: ids.flatMap((id) => byId.get(id) ?? []) };
    },
  );
}
