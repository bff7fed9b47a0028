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

/** An app device's FCM registration token, as the Firebase SDK of a native app (or a host page) gives it. */
const deviceSchema = z.strictObject({
  token: z
    .string()
    .min(20)
    .max(4096)
    .regex(/^[A-Za-z0-9_:.-]+$/, 'an FCM registration token'),
  platform: z.enum(['android', 'ios', 'web']),
});

// A member's app devices kept for pushes; registering one more forgets the one not seen the longest.
const MAX_DEVICES = 20;

/**
 * Web Push subscriptions: the app asks for the server's public key, subscribes the browser with it, and
 * hands the subscription over. Each browser is one row (subscribing again replaces it); the endpoint must
 * be a known push service, since the server will post to it. App devices (a native shell, a host page
 * with Firebase's SDK) register their FCM token instead, which the server hands to FCM.
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

  r.put(
    '/api/me/devices',
    {
      schema: {
        tags: ['push'],
        summary: 'Push to this app device (its FCM registration token); again on every app start, as tokens rotate',
        body: deviceSchema,
        response: { 204: z.null(), 400: errorBodySchema, 503: errorBodySchema },
      },
    },
    async (request, reply) => {
      const member = memberOf(request);
      if (!deps.appDevicePush)
        throw new ApiError(503, 'push_unavailable', 'This server does not send push notifications to apps.');
      const { token, platform } = request.body;
      // A device is one token: signed in as someone else now, it is theirs.
      await db.query(
        `WITH registered AS (
           INSERT INTO device_tokens (user_id, token, platform) VALUES ($1, $2, $3)
           ON CONFLICT (token) DO UPDATE SET user_id = EXCLUDED.user_id, platform = EXCLUDED.platform, last_seen_at = now()
           RETURNING id)
         DELETE FROM device_tokens WHERE id IN (
           SELECT id FROM device_tokens WHERE user_id = $1 AND id NOT IN (SELECT id FROM registered)
            ORDER BY last_seen_at DESC OFFSET $4)`,
        [member.id, token, platform, MAX_DEVICES - 1],
      );
      return reply.code(204).send(null);
    },
  );

  r.delete(
    '/api/me/devices',
    {
      schema: {
        tags: ['push'],
        summary: 'Stop pushing to this app device (on signing out of the app)',
        // The same shape as on registering: anything else names no device (and NUL would fail in PostgreSQL).
        body: z.strictObject({ token: deviceSchema.shape.token }),
        response: { 204: z.null() },
      },
    },
    async (request, reply) => {
      const member = memberOf(request);
      await db.query('DELETE FROM device_tokens WHERE user_id = $1 AND token = $2', [member.id, request.body.token]);
      return reply.code(204).send(null);
    },
  );
}
