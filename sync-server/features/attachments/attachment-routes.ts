import { randomUUID } from 'node:crypto';
import type { FastifyInstance } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { LIMITS } from '../../../shared/rules/limits.ts';
import { unlockPhrase } from '../../../shared/rules/permissions.ts';
import { trustLevelOf } from '../../../shared/rules/trust.ts';
import { isImageType } from '../../../shared/sync/channel-doc.ts';
import type { AppDeps } from '../../app-deps.ts';
import { classifyUpload, cleanFilename } from '../../attachments/classify-upload.ts';
import { attachmentColumns, attachmentViewOf, type AttachmentRow } from '../../attachments/message-attachments.ts';
import { memberOf, memberIdOf } from '../../auth/auth-plugin.ts';
import { ApiError, badRequest, errorBodySchema, forbidden, notFound } from '../../http/errors.ts';
import { readsHiddenBodies, requireReadable } from '../threads/channel-read.ts';
import { apiAttachmentSchema } from '../history/message-schema.ts';

const megabytes = (bytes: number) => `${(bytes / (1024 * 1024)).toLocaleString('en', { maximumFractionDigits: 1 })} MB`;
const TOO_LARGE = (size?: number) =>
  new ApiError(
    413,
    'too_large',
    `Files can be at most ${megabytes(LIMITS.attachments.maxBytes)}${size ? `; this one is ${megabytes(size)}` : ''}.`,
  );

const GONE = 'That file does not exist (anymore).';

/**
 * Uploads and downloads of message files. An upload is the member's own until a send names it
 * (`attachmentIds` of the send intent claims it in the message's transaction); from then on whoever may
 * read the message may fetch it. Bytes are checked for what they are (classifyUpload), never taken for
 * what the uploader says.
 */
export async function attachmentRoutes(app: FastifyInstance, deps: AppDeps): Promise<void> {
  const { db, attachments: store, rateLimiter } = deps;
  const r = app.withTypeProvider<ZodTypeProvider>();

  // This scope reads the raw bytes of any type (a .json file is a file here, not a request body to parse).
  app.removeAllContentTypeParsers();
  app.addContentTypeParser('*', { parseAs: 'buffer', bodyLimit: LIMITS.attachments.maxBytes }, (_req, body, done) =>
    done(null, body),
  );

  r.post(
    '/api/attachments',
    {
      bodyLimit: LIMITS.attachments.maxBytes,
      // Refused before a byte is read when the size is announced (every browser announces it).
      onRequest: async (request) => {
        const length = Number(request.headers['content-length'] ?? 0);
        if (length > LIMITS.attachments.maxBytes) throw TOO_LARGE(length);
      },
      schema: {
        tags: ['attachments'],
        summary: 'Upload a file to put on a message',
        description:
          `The body is the file's bytes (any Content-Type; the server reads what the bytes are). Accepted: images ` +
          `(PNG, JPEG, GIF, WebP), PDFs and plain text, at most ${megabytes(LIMITS.attachments.maxBytes)}. The answer's ` +
          "`id` goes into a send intent's `attachmentIds`; an upload no message claims within a day is deleted.",
        querystring: z.strictObject({ name: z.string().max(1024).optional() }),
        response: {
          201: apiAttachmentSchema,
          400: errorBodySchema,
          403: errorBodySchema,
          413: errorBodySchema,
          415: errorBodySchema,
          429: errorBodySchema,
        },
      },
    },
    async (request, reply) => {
      const member = memberOf(request);
      const bytes = request.body;
      if (!(bytes instanceof Buffer) || bytes.length === 0) throw badRequest('The file is empty.', 'empty');
      await ensureMayUpload(deps, member);
      const rate = await rateLimiter.consume(`uploads:${member.id}`, LIMITS.rate.uploads, randomUUID());
      if (!rate.allowed) {
        void reply.header('retry-after', Math.ceil(rate.retryAfterMs / 1000));
        throw new ApiError(429, 'rate_limited', 'You have uploaded many files this hour; try again a little later.');
      }
      const found = classifyUpload(bytes);
      if (!found.ok) throw new ApiError(415, 'unsupported_file', found.reason);
      const { rows: used } = await db.query<{ bytes: string | number }>(
        `SELECT coalesce(sum(byte_size), 0) AS bytes FROM attachments
          WHERE uploader_id = $1 AND created_at > now() - interval '1 day'`,
        [member.id],
      );
      if (Number(used[0]!.bytes) + bytes.length > LIMITS.attachments.dailyBytes) {
        throw new ApiError(
          429,
          'quota_exceeded',
          `You have shared ${megabytes(LIMITS.attachments.dailyBytes)} of files in the last day; try again tomorrow.`,
        );
      }

      const id = randomUUID();
      // Made here, never from the file's name: `attachments/<id>` cannot collide or escape.
      const key = `attachments/${id}`;
      // Bytes first: a row never points at bytes that are not there. A row that fails to insert leaves
      // bytes nothing names; they are deleted at once (or stay as harmless garbage if that fails too).
      await store.put(key, bytes, found.type);
      let row: AttachmentRow;
      try {
        const { rows } = await db.query<AttachmentRow>(
          `INSERT INTO attachments (id, uploader_id, storage_key, filename, content_type, byte_size, width, height)
           VALUES ($1, $2, $3, $4, $5, $6, $7, $8) RETURNING ${attachmentColumns()}`,
          [
            id,
            member.id,
            key,
            cleanFilename(request.query.name),
            found.type,
            bytes.length,
            found.width ?? null,
            found.height ?? null,
          ],
        );
        row = rows[0]!;
      } catch (err) {
        await store.delete([key]).catch(() => {});
        throw err;
      }
      return reply.code(201).send(attachmentViewOf(row));
    },
  );

  r.get(
    '/api/attachments/:id',
    {
      config: { memberIdOnly: true },
      schema: {
        tags: ['attachments'],
        summary: "A file's bytes",
        description:
          "For whoever may read the message it is on (a hidden message's: its room's moderators; a deleted " +
          "message's: nobody), or for its uploader before a message claims it. Same id, same bytes: cacheable.",
        params: z.strictObject({ id: z.uuid() }),
        response: {
          200: z.unknown().describe("The file's bytes, of its type"),
          403: errorBodySchema,
          404: errorBodySchema,
        },
      },
    },
    async (request, reply) => {
      const memberId = memberIdOf(request);
      const { rows } = await db.query<
        AttachmentRow & {
          storage_key: string;
          channel_id: string | null;
          is_hidden: boolean | null;
          is_deleted: boolean | null;
        }
      >(
        `SELECT ${attachmentColumns('a')}, a.storage_key, m.channel_id, m.is_hidden, m.is_deleted
           FROM attachments a LEFT JOIN messages m ON m.id = a.message_id
          WHERE a.id = $1`,
        [request.params.id],
      );
      const row = rows[0];
      if (!row || row.removed_at !== null || row.is_deleted) throw notFound(GONE);
      if (row.channel_id === null) {
        // Not on a message (yet): only its uploader knows of it.
        if (row.uploader_id !== memberId) throw notFound(GONE);
      } else {
        const access = await requireReadable(db, row.channel_id, memberId);
        if (row.is_hidden && !readsHiddenBodies(access)) throw forbidden('A moderator hid this message.', 'hidden');
      }
      const object = await store.get(row.storage_key);
      if (!object) {
        request.log.warn({ attachment: row.id }, 'attachment row without bytes');
        throw notFound(GONE);
      }
      const text = row.content_type === 'text/plain';
      return (
        reply
          .header('content-type', text ? 'text/plain; charset=utf-8' : row.content_type)
          .header('content-length', object.size)
          .header('content-disposition', contentDisposition(row.filename, isImageType(row.content_type)))
          // Access can end (a ban, leaving a private room): kept by this browser only, and checked again daily.
          .header('cache-control', 'private, max-age=86400')
          .header('x-content-type-options', 'nosniff')
          // Opened on its own, a file is inert: no script, no plugins, no same-origin powers.
          .header('content-security-policy', "default-src 'none'; img-src 'self'; style-src 'unsafe-inline'; sandbox")
          .header('cross-origin-resource-policy', 'same-origin')
          .send(object.stream)
      );
    },
  );
}

/**
 * New members cannot share files anywhere (spec: `new` can't post links or images), so they cannot fill
 * the store either; a room role of trusted or above vouches for them as it does in that room.
 */
async function ensureMayUpload(deps: AppDeps, member: ReturnType<typeof memberOf>): Promise<void> {
  if (member.is_global_admin) return;
  if (trustLevelOf({ messagesSent: member.messages_sent, joinedAt: member.joined_at }, new Date()) !== 'new') return;
  const { rows } = await deps.db.query<{ vouched: boolean }>(
    `SELECT EXISTS (SELECT 1 FROM room_memberships
                     WHERE user_id = $1 AND role IN ('owner', 'admin', 'moderator', 'trusted')) AS vouched`,
    [member.id],
  );
  if (!rows[0]?.vouched)
    throw forbidden(`You can share images and files ${unlockPhrase('member')}.`, 'new_user_restricted');
}

/** RFC 6266: an ASCII fallback and the exact UTF-8 name. */
function contentDisposition(filename: string, inline: boolean): string {
  const ascii = filename.replace(/[^\x20-\x7e]/g, '_').replace(/["\\]/g, '_');
  return `${inline ? 'inline' : 'attachment'}; filename="${ascii}"; filename*=UTF-8''${encodeURIComponent(filename)}`;
}
