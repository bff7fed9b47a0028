import websocket from '@fastify/websocket';
import type { FastifyInstance, FastifyRequest } from 'fastify';
import type { ServerResponse } from 'node:http';
import type { Socket } from 'node:net';
import type { WebSocket } from 'ws';
import { z } from 'zod';
import { SYNC_LIMITS } from '../../shared/protocol/frames.ts';
import { parseDocName } from '../../shared/sync/doc-names.ts';
import type { AppDeps } from '../app-deps.ts';
import { AuthError } from '../auth/tokens.ts';
import { badRequest, unauthorized } from '../http/errors.ts';
import type { PresenceState } from './awareness-stamp.ts';
import { MuxConnection } from './mux-connection.ts';
import { StockConnection } from './stock-connection.ts';

declare module 'fastify' {
  interface FastifyRequest {
    syncUser: PresenceState['user'] | undefined;
  }
}

const tokenQuery = z.object({ token: z.string().max(2048).optional() }).loose();

/**
 * An upgraded socket keeps the upgrade's HTTP request alive for as long as it stays open — its headers,
 * the URL with the connection token, Fastify's request and reply, a logger: kilobytes per idle
 * connection. Two things hold it: @fastify/websocket's 'error' listener (the connections handle and log
 * their socket's errors themselves, so it goes before they add theirs) and the TCP socket's link to the
 * reply the plugin made for the upgrade and never ends (detached, as Node does when a response ends).
 */
function forgetUpgradeRequest(socket: WebSocket, request: FastifyRequest): void {
  socket.removeAllListeners('error');
  const tcp = request.raw.socket as Socket & { _httpMessage?: ServerResponse | null };
  tcp._httpMessage?.detachSocket(tcp);
}

/**
 * The sync WebSockets. The connection token (from POST /api/auth/connection-token) is checked before the
 * upgrade, so an unauthenticated socket never opens and never costs a doc load.
 */
export async function syncRoutes(app: FastifyInstance, deps: AppDeps): Promise<void> {
  await app.register(websocket, { options: { maxPayload: SYNC_LIMITS.maxFrameBytes } });
  app.decorateRequest('syncUser', undefined);
  const connections = new Set<MuxConnection>();

  const authenticate = async (request: FastifyRequest) => {
    const { token } = tokenQuery.parse(request.query);
    try {
      // The token names the member (issued from their row seconds ago): nothing to read here.
      request.syncUser = await deps.tokens.verifyConnectionToken(token ?? '');
    } catch (err) {
      if (err instanceof AuthError) throw unauthorized(err.message, 'unauthorized');
      throw err;
    }
  };

  app.get('/sync', { websocket: true, preValidation: authenticate, schema: { hide: true } }, (socket, request) => {
    const user = request.syncUser!;
    forgetUpgradeRequest(socket, request);
    const connection = new MuxConnection(socket, user.id, user, deps.sync, deps.logger.child({ reqId: request.id }));
    connections.add(connection);
    socket.on('close', () => connections.delete(connection));
  });

  app.get<{ Params: { docName: string } }>(
    '/sync/doc/:docName',
    {
      websocket: true,
      schema: { hide: true },
      preValidation: async (request) => {
        if (!parseDocName(request.params.docName)) throw badRequest('There is no doc with that name.', 'not_found');
        await authenticate(request);
      },
    },
    (socket, request) => {
      const user = request.syncUser!;
      const docName = request.params.docName;
      forgetUpgradeRequest(socket, request);
      new StockConnection(
        socket,
        user.id,
        user,
        docName,
        parseDocName(docName)!,
        deps.sync,
        deps.logger.child({ reqId: request.id }),
      );
    },
  );

  app.addHook('preClose', async () => {
    for (const connection of connections) connection.shutdown();
  });
}
