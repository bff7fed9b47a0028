import { createHash, timingSafeEqual } from 'node:crypto';
import type { FastifyRequest } from 'fastify';
import { ApiError, unauthorized } from '../../http/errors.ts';

const digest = (value: string) => createHash('sha256').update(value, 'utf8').digest();

/**
 * The host platform's server-to-server calls carry `Authorization: Bearer <INTEGRATION_SECRET>`.
 * Both sides are hashed to equal-length digests before `timingSafeEqual`, so the comparison takes the
 * same time whatever the guess and leaks neither the secret's content nor its length.
 */
export function checkIntegrationSecret(secret: string | undefined, request: FastifyRequest): void {
  if (!secret) {
    throw new ApiError(
      503,
      'integration_disabled',
      'The integration API is turned off on this server: set INTEGRATION_SECRET to enable it.',
    );
  }
  const match = /^Bearer\s+(\S+)$/i.exec(request.headers.authorization ?? '');
  const given = match?.[1] ?? '';
  if (!timingSafeEqual(digest(given), digest(secret)) || given.length === 0) {
    throw unauthorized('The integration secret is missing or wrong.', 'bad_integration_secret');
  }
}
