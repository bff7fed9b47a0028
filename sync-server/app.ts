import { randomUUID } from 'node:crypto';
import { existsSync } from 'node:fs';
import { resolve } from 'node:path';
import fastifyStatic from '@fastify/static';
import fastifySwagger from '@fastify/swagger';
import fastifySwaggerUi from '@fastify/swagger-ui';
import Fastify, { type FastifyBaseLogger, type FastifyInstance, type FastifyReply, type FastifyRequest } from 'fastify';
import { jsonSchemaTransform, serializerCompiler, validatorCompiler } from 'fastify-type-provider-zod';
import type { AppDeps } from './app-deps.ts';
import { authPlugin } from './auth/auth-plugin.ts';
import { historyRoutes } from './features/history/history-routes.ts';
import { settingsRoutes } from './features/settings/settings-routes.ts';
import { moderationRoutes } from './features/moderation/moderation-routes.ts';
import { standingRoutes } from './features/members/standing-routes.ts';
import { healthRoutes } from './features/health/health-routes.ts';
import { loungeRoutes } from './features/lounge/lounge-routes.ts';
import { circleRoutes } from './features/circles/circle-routes.ts';
import { channelMessagesRoutes } from './features/threads/channel-messages-routes.ts';
import { threadsRoutes } from './features/threads/thread-list-routes.ts';
import { searchRoutes } from './features/search/search-routes.ts';
import { membersRoutes } from './features/members/members-routes.ts';
import { membershipRoutes } from './features/memberships/membership-routes.ts';
import { usersRoutes } from './features/users/users-routes.ts';
import { roomsAdminRoutes } from './features/rooms-admin/rooms-admin-routes.ts';
import { integrationRoutes } from './features/integration/integration-routes.ts';
import { embedRoutes } from './features/integration/embed-routes.ts';
import { installErrorHandling } from './http/errors.ts';
import { syncRoutes } from './sync/sync-routes.ts';
import { attachmentRoutes } from './features/attachments/attachment-routes.ts';
import { linkImageRoutes } from './features/link-images/link-image-routes.ts';
import { privacyRoutes } from './features/privacy/privacy-routes.ts';
import { pushRoutes } from './features/push/push-routes.ts';

// API bodies are small JSON (a message is at most 4,000 chars); uploads have their own route and limit.
const API_BODY_LIMIT_BYTES = 64 * 1024;

/** Builds the HTTP app over its dependencies; tests call `inject()` on it without opening a port. */
export async function buildApp(deps: AppDeps): Promise<FastifyInstance> {
  const app: FastifyInstance = Fastify({
    loggerInstance: deps.logger as FastifyBaseLogger,
    bodyLimit: API_BODY_LIMIT_BYTES,
    requestIdHeader: 'x-request-id',
    genReqId: () => randomUUID(),
  });
  app.setValidatorCompiler(validatorCompiler);
  app.setSerializerCompiler(serializerCompiler);
  app.addHook('onSend', async (request, reply) => {
    reply.header('x-request-id', request.id);
  });
  installErrorHandling(app, webApp(app, deps.config.clientDistDir));
  // The API speaks JSON only; a text/plain body is refused with 415 instead of reaching a handler.
  app.removeContentTypeParser('text/plain');

  await app.register(fastifySwagger, {
    openapi: {
      info: {
        title: 'Lounge API',
        description: 'Rooms, threads, DMs and moderation of the Lounge community.',
        version: '0.1.0',
      },
      components: {
        securitySchemes: { bearer: { type: 'http', scheme: 'bearer', bearerFormat: 'JWT' } },
      },
      security: [{ bearer: [] }],
    },
    transform: jsonSchemaTransform,
  });
  await app.register(fastifySwaggerUi, { routePrefix: '/docs' });
  app.get('/openapi.json', { config: { public: true }, schema: { hide: true } }, async () => app.swagger());

  await app.register(async (scope) => healthRoutes(scope, deps));
  // Auth decorates requests for every route, so it is registered at the root, not encapsulated.
  await authPlugin(app, deps);
  await app.register(async (scope) => loungeRoutes(scope, deps));
  await app.register(async (scope) => circleRoutes(scope, deps));
  await app.register(async (scope) => historyRoutes(scope, deps));
  await app.register(async (scope) => threadsRoutes(scope, deps));
  await app.register(async (scope) => channelMessagesRoutes(scope, deps));
  await app.register(async (scope) => searchRoutes(scope, deps));
  await app.register(async (scope) => membersRoutes(scope, deps));
  await app.register(async (scope) => membershipRoutes(scope, deps));
  await app.register(async (scope) => usersRoutes(scope, deps));
  await app.register(async (scope) => roomsAdminRoutes(scope, deps));
  await app.register(async (scope) => integrationRoutes(scope, deps));
  await app.register(async (scope) => embedRoutes(scope, deps));
  await app.register(async (scope) => settingsRoutes(scope, deps));
  await app.register(async (scope) => moderationRoutes(scope, deps));
  await app.register(async (scope) => standingRoutes(scope, deps));
  await app.register(async (scope) => attachmentRoutes(scope, deps));
  await app.register(async (scope) => linkImageRoutes(scope, deps));
  await app.register(async (scope) => privacyRoutes(scope, deps));
  await app.register(async (scope) => pushRoutes(scope, deps));
  await app.register(async (scope) => syncRoutes(scope, deps));

  return app;
}

/**
 * The built PWA, when there is one: static files, and index.html for client-side routes such as
 * /lounge/coding (never for API, docs or sync paths, nor for missing files with an extension).
 */
function webApp(app: FastifyInstance, distDir: string) {
  const root = resolve(distDir);
  if (!existsSync(resolve(root, 'index.html'))) {
    app.log.warn({ root }, 'client build not found; run `npm run build:client` to serve the web app');
    return undefined;
  }
  void app.register(fastifyStatic, { root, wildcard: false, index: ['index.html'] });
  return (request: FastifyRequest, reply: FastifyReply) => {
    const path = request.url.split('?')[0] ?? '';
    const isPageRoute =
      request.method === 'GET' &&
      !/^\/(api|docs|openapi\.json|healthz|readyz|sync)(\/|$)/.test(path) &&
      !/\.[a-z0-9]+$/i.test(path);
    return isPageRoute ? reply.type('text/html').sendFile('index.html') : undefined;
  };
}
