import type { FastifyInstance, FastifyRequest } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { errorBodySchema, forbidden, unauthorized, conflict } from '../http/errors.ts';
import {
  readUserByHostId,
  HandleTakenError,
  toApiUser,
  mirrorHostUser,
  upsertUser,
  type UserRow,
} from '../features/users/users-repo.ts';
import type { AppDeps } from '../app-deps.ts';
import { MemberIds } from './member-ids.ts';
import { AuthError } from './tokens.ts';
import { apiUserSchema } from '../features/users/user-schema.ts';
import { handleProblem } from '../../shared/rules/handle.ts';

declare module 'fastify' {
  interface FastifyRequest {
    /** The signed-in member; set by the auth hook on every non-public /api route. */
    member: UserRow | undefined;
    /** The signed-in member's id; on `memberIdOnly` routes possibly without `member`. */
    memberId: string | undefined;
  }
  interface FastifyContextConfig {
    /** Routes that answer without a token (health, sign-in, public config). */
    public?: boolean;
    /**
     * The route reads only the member's id (`memberIdOf`): a member this process has seen before is not
     * read from the database first.
     */
    memberIdOnly?: boolean;
  }
}

/** The signed-in member of a request that passed the auth hook. */
export function memberOf(request: FastifyRequest): UserRow {
  if (!request.member) throw unauthorized('Sign in first: this request needs a bearer token.');
  return request.member;
}

/** The signed-in member's id, on any route that passed the auth hook (`memberIdOnly` ones too). */
export function memberIdOf(request: FastifyRequest): string {
  if (!request.memberId) throw unauthorized('Sign in first: this request needs a bearer token.');
  return request.memberId;
}

function bearerToken(request: FastifyRequest): string {
  const header = request.headers.authorization ?? '';
  const match = /^Bearer\s+(\S+)$/i.exec(header);
  return match?.[1] ?? '';
}

// The sign-in form checks the same rule first (shared/rules/handle.ts), in the same words.
const handleSchema = z
  .string()
  .trim()
  .superRefine((handle, ctx) => {
    const problem = handleProblem(handle);
    if (problem) ctx.addIssue({ code: 'custom', message: problem });
  });

export async function authPlugin(app: FastifyInstance, deps: AppDeps): Promise<void> {
  const { db, tokens, config } = deps;
  app.decorateRequest('member', undefined);
  app.decorateRequest('memberId', undefined);
  const memberIds = new MemberIds();

  app.addHook('onRequest', async (request) => {
    if (!request.url.startsWith('/api/') || request.routeOptions.config.public) return;
    let claims;
    try {
      claims = await tokens.verifyMemberToken(bearerToken(request));
    } catch (err) {
      if (err instanceof AuthError)
        throw unauthorized(err.message, err.code === 'token_expired' ? 'token_expired' : 'unauthorized');
      throw err;
    }
    if (request.routeOptions.config.memberIdOnly) {
      const known = memberIds.get(claims.hostUserId);
      if (known) {
        request.memberId = known;
        return;
      }
    }
    let user = await readUserByHostId(db, claims.hostUserId);
    if (!user && claims.handle) {
      // First visit of a member the host platform has not mirrored yet: the token's claims create them.
      try {
        user = await mirrorHostUser(db, {
          hostUserId: claims.hostUserId,
          handle: claims.handle,
          displayName: claims.displayName ?? claims.handle,
          avatarUrl: claims.avatarUrl ?? null,
        });
      } catch (err) {
        if (err instanceof HandleTakenError) throw conflict(err.message, 'handle_taken');
        throw err;
      }
    }
    if (!user) throw unauthorized('This account is not known to Lounge yet.', 'unknown_user');
    memberIds.learn(claims.hostUserId, user.id);
    request.member = user;
    request.memberId = user.id;
  });

  const r = app.withTypeProvider<ZodTypeProvider>();

  r.get(
    '/api/auth/config',
    {
      config: { public: true },
      schema: {
        tags: ['auth'],
        summary: 'How members sign in here, and links of the host platform',
        response: {
          200: z.object({
            mode: z.enum(['embedded', 'production']),
            demoSignIn: z.boolean(),
            links: z.object({ events: z.string(), perks: z.string() }),
          }),
        },
      },
    },
    async () => ({ mode: config.mode, demoSignIn: config.auth.demoSignIn, links: config.links }),
  );

  r.post(
    '/api/auth/demo',
    {
      config: { public: true },
      schema: {
        tags: ['auth'],
        summary: 'Demo sign-in by handle (embedded default only)',
        body: z.strictObject({
          handle: handleSchema,
          displayName: z.string().trim().min(1).max(80).optional(),
        }),
        response: {
          200: z.object({ token: z.string(), user: apiUserSchema }),
          403: errorBodySchema,
          409: errorBodySchema,
        },
      },
    },
    async (request) => {
      if (!config.auth.demoSignIn) {
        throw forbidden(
          'Demo sign-in is turned off on this server; sign in through the host platform.',
          'demo_sign_in_disabled',
        );
      }
      const { handle, displayName } = request.body;
      const hostUserId = `demo:${handle.toLowerCase()}`;
      let user: UserRow;
      try {
        user = await upsertUser(db, { hostUserId, handle, displayName: displayName ?? handle });
      } catch (err) {
        if (err instanceof HandleTakenError) throw conflict(err.message, 'handle_taken');
        throw err;
      }
      const token = await tokens.issueDemoToken({ hostUserId, handle, displayName: user.display_name });
      return { token, user: toApiUser(user) };
    },
  );

  r.post(
    '/api/auth/connection-token',
    {
      schema: {
        tags: ['auth'],
        summary: 'A short-lived token for opening the sync WebSocket',
        response: { 200: z.object({ token: z.string(), expiresAt: z.string(), userId: z.uuid() }) },
      },
    },
    async (request) => {
      const member = memberOf(request);
      const { token, expiresAt } = await tokens.issueConnectionToken({
        id: member.id,
        handle: member.handle,
        name: member.display_name,
      });
      // The token is opaque to clients; the member it was issued to is said here.
      return { token, expiresAt: expiresAt.toISOString(), userId: member.id };
    },
  );

  r.get(
    '/api/me',
    {
      schema: {
        tags: ['auth'],
        summary: 'The signed-in member',
        response: { 200: z.object({ user: apiUserSchema }), 401: errorBodySchema },
      },
    },
    async (request) => ({ user: toApiUser(memberOf(request)) }),
  );
}
