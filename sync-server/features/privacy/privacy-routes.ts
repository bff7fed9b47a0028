import type { FastifyInstance } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { LIMITS } from '../../../shared/rules/limits.ts';
import type { AppDeps } from '../../app-deps.ts';
import { memberOf } from '../../auth/auth-plugin.ts';
import { ApiError, badRequest, conflict, errorBodySchema, notFound } from '../../http/errors.ts';
import { deleteMember } from '../../privacy/delete-account.ts';

const exportSchema = z.object({
  id: z.uuid(),
  status: z.enum(['pending', 'running', 'done', 'failed']),
  createdAt: z.string(),
  completedAt: z.string().nullable(),
  /** Bytes of the archive, once done. */
  size: z.number().int().nullable(),
  /** When a done archive is deleted. */
  expiresAt: z.string().nullable(),
});

interface ExportRow {
  id: string;
  status: z.infer<typeof exportSchema>['status'];
  created_at: Date;
  completed_at: Date | null;
  byte_size: string | number | null;
  object_key: string | null;
}

const KEPT_MS = LIMITS.exports.keptDays * 86_400_000;

function exportView(row: ExportRow): z.infer<typeof exportSchema> {
  return {
    id: row.id,
    status: row.status,
    createdAt: row.created_at.toISOString(),
    completedAt: row.completed_at?.toISOString() ?? null,
    size: row.byte_size === null ? null : Number(row.byte_size),
    expiresAt: row.completed_at ? new Date(row.completed_at.getTime() + KEPT_MS).toISOString() : null,
  };
}

/**
 * A member's rights over their data (GDPR): a copy of everything Lounge holds about them (prepared by
 * a job, downloadable for a week), and deleting their account (anonymized, conversations kept).
 */
export async function privacyRoutes(app: FastifyInstance, deps: AppDeps): Promise<void> {
  const { db } = deps;
  const r = app.withTypeProvider<ZodTypeProvider>();

  r.post(
    '/api/me/exports',
    {
      schema: {
        tags: ['privacy'],
        summary: 'Ask for a copy of all my data',
        description:
          'Prepared in the background into a zip (data.json and the files I uploaded); poll GET /api/me/exports. ' +
          `At most ${LIMITS.exports.perDay} a day, one at a time.`,
        response: { 202: exportSchema, 409: errorBodySchema, 429: errorBodySchema, 503: errorBodySchema },
      },
    },
    async (request, reply) => {
      const member = memberOf(request);
      if (!deps.jobs) throw new ApiError(503, 'unavailable', 'Data exports are not available on this server.');
      // One statement decides and inserts, so two clicks cannot both start an export.
      const { rows } = await db.query<ExportRow & { busy: boolean; today: string | number }>(
        `WITH mine AS (SELECT status, created_at FROM data_exports WHERE user_id = $1),
              state AS (SELECT EXISTS (SELECT 1 FROM mine WHERE status IN ('pending', 'running')) AS busy,
                               (SELECT count(*) FROM mine WHERE created_at > now() - interval '1 day') AS today),
              made AS (INSERT INTO data_exports (user_id) SELECT $1 FROM state WHERE NOT busy AND today < $2
                       RETURNING id, status, created_at, completed_at, byte_size, object_key)
         SELECT state.busy, state.today, made.* FROM state LEFT JOIN made ON true`,
        [member.id, LIMITS.exports.perDay],
      );
      const row = rows[0]!;
      if (row.busy)
        throw conflict('Your data is already being prepared; it will be ready in a few minutes.', 'export_running');
      if (!row.id)
        throw new ApiError(
          429,
          'rate_limited',
          `You can ask for ${LIMITS.exports.perDay} exports a day; try again tomorrow.`,
        );
      await deps.jobs.enqueue('export-user-data', { exportId: row.id }, { jobId: `export:${row.id}` });
      return reply.code(202).send(exportView(row));
    },
  );

  r.get(
    '/api/me/exports',
    {
      schema: {
        tags: ['privacy'],
        summary: 'My data exports of the last week, newest first',
        response: { 200: z.object({ exports: z.array(exportSchema) }) },
      },
    },
    async (request) => {
      const member = memberOf(request);
      const { rows } = await db.query<ExportRow>(
        `SELECT id, status, created_at, completed_at, byte_size, object_key FROM data_exports
          WHERE user_id = $1 AND coalesce(completed_at, created_at) > now() - make_interval(days => $2)
          ORDER BY created_at DESC LIMIT 10`,
        [member.id, LIMITS.exports.keptDays],
      );
      return { exports: rows.map(exportView) };
    },
  );

  r.get(
    '/api/me/exports/:id/download',
    {
      schema: {
        tags: ['privacy'],
        summary: 'Download a finished data export (a zip)',
        params: z.strictObject({ id: z.uuid() }),
        response: { 200: z.unknown().describe('The zip archive'), 404: errorBodySchema },
      },
    },
    async (request, reply) => {
      const member = memberOf(request);
      const { rows } = await db.query<ExportRow>(
        `SELECT id, status, created_at, completed_at, byte_size, object_key FROM data_exports
          WHERE id = $1 AND user_id = $2 AND status = 'done' AND completed_at > now() - make_interval(days => $3)`,
        [request.params.id, member.id, LIMITS.exports.keptDays],
      );
      const row = rows[0];
      const object = row?.object_key ? await deps.attachments.get(row.object_key) : null;
      if (!row || !object) throw notFound('That export does not exist (anymore); ask for a new one.');
      const day = row.completed_at!.toISOString().slice(0, 10);
      return reply
        .header('content-type', 'application/zip')
        .header('content-length', object.size)
        .header('content-disposition', `attachment; filename="lounge-data-${member.handle}-${day}.zip"`)
        .header('cache-control', 'private, no-store')
        .header('x-content-type-options', 'nosniff')
        .send(object.stream);
    },
  );

  r.delete(
    '/api/me',
    {
      schema: {
        tags: ['privacy'],
        summary: 'Delete my account',
        description:
          'Anonymizes the account for good: messages stay in their conversations under "Deleted user"; ' +
          'profile, settings, memberships, relations, notifications, drafts, exports and unsent uploads are ' +
          'erased, and every device of the member is signed out. `confirmHandle` must be the member’s handle.',
        body: z.strictObject({ confirmHandle: z.string().max(64) }),
        response: { 200: z.object({ deleted: z.literal(true) }), 400: errorBodySchema },
      },
    },
    async (request) => {
      const member = memberOf(request);
      if (request.body.confirmHandle.trim().replace(/^@/, '').toLowerCase() !== member.handle.toLowerCase()) {
        throw badRequest(`Type your handle, ${member.handle}, to confirm.`, 'confirmation_mismatch');
      }
      await deleteMember(deps, member.id);
      return { deleted: true as const };
    },
  );
}
