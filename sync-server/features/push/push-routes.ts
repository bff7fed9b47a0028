import type { FastifyInstance } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { z } from 'zod';
import type { AppDeps } from '../../app-deps.ts';
import { memberOf } from '../../auth/auth-plugin.ts';
import { ApiError, badRequest, errorBodySchema } from '../../http/errors.ts';

const base64url = (max: number) =>
  z
    .string()
    .regex(/^[A-Za-z0-9_-]+=*$/, 'base64url')
    .max(max);

/** A browser's PushSubscription as `toJSON()` gives it. */
const subscriptionSchema = z.object({
  endpoint: z.url().max(2048),
  keys: z.object({ p256dh: base64url(256), auth: base64url(64) }),
  expirationTime: z.number().nullable().optional(),
});

/** A host the server may post pushes to: one named, or a subdomain of one named with a leading dot. */
export function isAllowedPushHost(hostname: string, allowed: readonly string[]): boolean {
  const host = hostname.toLowerCase();
  return allowed.some((a) => (a.startsWith('.') ? host.endsWith(a) : host === a));
}

const unavailable = () => new ApiError(503, 'push_unavailable', 'This server does not send push notifications.');

/**
 * Web Push subscriptions: the app asks for the server's public key, subscribes the browser with it, and
 * hands the subscription over. Each browser is one row (subscribing again replaces it); the endpoint must
 * be a known push service, since the server will post to it.
 */
export async function pushRoutes(app: FastifyInstance, deps: AppDeps): Promise<void> {
  const { db } = deps;
  const r = app.withTypeProvider<ZodTypeProvider>();

  r.get(
    '/api/push/key',
    {
      schema: {
        tags: ['push'],
        summary: "The server's public key for subscribing a browser to push (VAPID)",
        response: { 200: z.object({ publicKey: z.string() }), 503: errorBodySchema },
      },
    },
    async () => {
      if (!deps.push) throw unavailable();
      return { publicKey: deps.push.sender.publicKey };
    },
  );

  r.put(
    '/api/me/push-subscriptions',
    {
      schema: {
        tags: ['push'],
        summary: "Push to this browser (its PushSubscription's JSON)",
        body: subscriptionSchema,
        response: { 204: z.null(), 400: errorBodySchema, 503: errorBodySchema },
      },
    },
    async (request, reply) => {
      const member = memberOf(request);
      if (!deps.push) throw unavailable();
      const { endpoint, keys } = request.body;
      const url = new URL(endpoint);
      if (url.protocol !== 'https:')
        throw badRequest('A push subscription must be an https address.', 'bad_subscription');
      if (!isAllowedPushHost(url.hostname, deps.push.allowedHosts))
        throw badRequest(`Lounge does not send pushes to ${url.hostname}.`, 'bad_subscription');
      // A browser is one subscription: signed in as someone else now, it is theirs.
      await db.query(
        `INSERT INTO push_subscriptions (user_id, endpoint, p256dh, auth) VALUES ($1, $2, $3, $4)
         ON CONFLICT (endpoint) DO UPDATE SET user_id = EXCLUDED.user_id, p256dh = EXCLUDED.p256dh, auth = EXCLUDED.auth`,
        [member.id, endpoint, keys.p256dh, keys.auth],
      );
      return reply.code(204).send(null);
    },
  );

  r.delete(
    '/api/me/push-subscriptions',
    {
      schema: {
        tags: ['push'],
        summary: 'Stop pushing to this browser',
        body: z.strictObject({ endpoint: z.url().max(2048) }),
        response: { 204: z.null() },
      },
    },
    async (request, reply) => {
      const member = memberOf(request);
      await db.query('DELETE FROM push_subscriptions WHERE user_id = $1 AND endpoint = $2', [
        member.id,
        request.body.endpoint,
      ]);
      return reply.code(204).send(null);
    },
  );
}
