import type { FastifyError, FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { hasZodFastifySchemaValidationErrors, isResponseSerializationError } from 'fastify-type-provider-zod';
import { z } from 'zod';

/** The one error shape every non-2xx answer has. */
export const errorBodySchema = z.object({
  error: z.object({ code: z.string(), message: z.string() }),
});
export type ErrorBody = z.infer<typeof errorBodySchema>;

/** An error a handler throws on purpose: its code and message reach the client as they are. */
export class ApiError extends Error {
  constructor(
    readonly statusCode: number,
    readonly code: string,
    message: string,
  ) {
    super(message);
    this.name = 'ApiError';
  }
}

export const badRequest = (message: string, code = 'bad_request') => new ApiError(400, code, message);
export const unauthorized = (message: string, code = 'unauthorized') => new ApiError(401, code, message);
export const forbidden = (message: string, code = 'forbidden') => new ApiError(403, code, message);
export const notFound = (message: string, code = 'not_found') => new ApiError(404, code, message);
export const conflict = (message: string, code = 'conflict') => new ApiError(409, code, message);

function body(code: string, message: string): ErrorBody {
  return { error: { code, message } };
}

interface ValidationIssue {
  keyword?: string;
  instancePath?: string;
  message?: string;
  params?: { keys?: string[] };
}

function describeValidation(context: string | undefined, issues: ValidationIssue[]): string {
  const parts = issues.slice(0, 5).map((issue) => {
    const path = issue.instancePath?.replace(/^\//, '').replace(/\//g, '.');
    if (issue.keyword === 'unrecognized_keys' && issue.params?.keys) {
      const keys = issue.params.keys.map((k) => `"${k}"`).join(', ');
      return `${path ? `${path}: ` : ''}unknown field${issue.params.keys.length > 1 ? 's' : ''} ${keys}`;
    }
    return path ? `${path}: ${issue.message ?? 'invalid'}` : (issue.message ?? 'invalid');
  });
  return `Invalid ${context ?? 'request'}: ${parts.join('; ')}`;
}

/**
 * Maps every failure to the error shape; unexpected errors are logged and answered without details.
 * `serveAppShell`, when given, answers unknown page routes (e.g. /lounge/coding) with the web app.
 */
export function installErrorHandling(
  app: FastifyInstance,
  serveAppShell?: (request: FastifyRequest, reply: FastifyReply) => FastifyReply | undefined,
): void {
  app.setErrorHandler((err: FastifyError, request, reply) => {
    if (err instanceof ApiError) {
      return reply.code(err.statusCode).send(body(err.code, err.message));
    }
    if (hasZodFastifySchemaValidationErrors(err)) {
      return reply
        .code(400)
        .send(body('bad_request', describeValidation(err.validationContext, err.validation as ValidationIssue[])));
    }
    if (isResponseSerializationError(err)) {
      request.log.error({ err, issues: err.cause.issues }, 'response did not match its schema');
      return reply.code(500).send(body('internal', 'The server produced an invalid answer; it has been logged.'));
    }
    const status = err.statusCode ?? 500;
    if (status >= 400 && status < 500) {
      // Fastify's own client errors: bad JSON, wrong content type, body too large.
      const code = status === 413 ? 'payload_too_large' : status === 415 ? 'unsupported_media_type' : 'bad_request';
      return reply.code(status).send(body(code, err.message));
    }
    request.log.error({ err }, 'unhandled error');
    return reply.code(500).send(body('internal', 'Something went wrong on our side. Please try again.'));
  });

  app.setNotFoundHandler((request, reply) => {
    if (serveAppShell?.(request, reply)) return;
    reply.code(404).send(body('not_found', `No route for ${request.method} ${request.url.split('?')[0]}`));
  });
}
