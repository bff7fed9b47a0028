import type { FastifyInstance } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { z } from 'zod';
import type { AppDeps } from '../../app-deps.ts';
import { errorBodySchema, notFound } from '../../http/errors.ts';
import { LINK_IMAGE_ID, linkImageKey, linkImageType } from '../../link-previews/link-image-id.ts';

/**
 * The pictures of link previews, as this server copied them from the linked pages. Public and cached for
 * good: they come from public pages, and an id is the hash of the bytes — it names one picture forever and
 * cannot be guessed. Never from members' uploads (those are checked per reader at /api/attachments).
 */
export async function linkImageRoutes(app: FastifyInstance, deps: AppDeps): Promise<void> {
  const r = app.withTypeProvider<ZodTypeProvider>();
  r.get(
    '/api/link-images/:id',
    {
      config: { public: true },
      schema: {
        tags: ['link previews'],
        summary: "A link preview's picture",
        description:
          'The id is the SHA-256 of the bytes and the type (`<hex>.png|jpg|gif|webp`), as the card names it.',
        params: z.strictObject({
          id: z
            .string()
            .regex(
              LINK_IMAGE_ID,
              'must be a picture id from a link preview (64 hex digits and .png, .jpg, .gif or .webp)',
            ),
        }),
        response: { 200: z.unknown().describe("The picture's bytes"), 400: errorBodySchema, 404: errorBodySchema },
      },
    },
    async (request, reply) => {
      const { id } = request.params;
      const type = linkImageType(id);
      const object = type ? await deps.attachments.get(linkImageKey(id)) : null;
      if (!type || !object) throw notFound('That picture is not on this server.');
      return (
        reply
          .header('content-type', type)
          .header('content-length', object.size)
          .header('cache-control', 'public, max-age=31536000, immutable')
          .header('x-content-type-options', 'nosniff')
          // Opened on its own, the picture is inert.
          .header('content-security-policy', "default-src 'none'; sandbox")
          .header('cross-origin-resource-policy', 'same-origin')
          .send(object.stream)
      );
    },
  );
}
