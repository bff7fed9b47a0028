import type { FastifyInstance } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { z } from 'zod';
import type { AppDeps } from '../../app-deps.ts';

const readySchema = z.object({
  status: z.enum(['ready', 'unavailable']),
  checks: z.record(z.string(), z.object({ ok: z.boolean(), error: z.string().optional() })),
});

export async function healthRoutes(app: FastifyInstance, deps: AppDeps): Promise<void> {
  const r = app.withTypeProvider<ZodTypeProvider>();

  // Liveness: the process answers. Load balancers restart on failure, so it checks nothing external.
  r.get(
    '/healthz',
    { config: { public: true }, schema: { tags: ['health'], response: { 200: z.object({ status: z.literal('ok') }) } } },
    async () => ({ status: 'ok' as const }),
  );

  // Readiness: the database (and Redis when configured) answer, so traffic may be sent here.
  r.get(
    '/readyz',
    { config: { public: true }, schema: { tags: ['health'], response: { 200: readySchema, 503: readySchema } } },
    async (_request, reply) => {
      const checks: z.infer<typeof readySchema>['checks'] = {};
      const all = [
        { name: 'database', check: async () => void (await deps.db.query('SELECT 1')) },
        ...deps.readinessChecks,
      ];
      await Promise.all(
        all.map(async ({ name, check }) => {
          try {
            await withTimeout(check(), 2000);
            checks[name] = { ok: true };
          } catch (err) {
            checks[name] = { ok: false, error: (err as Error).message };
          }
        }),
      );
      const ready = Object.values(checks).every((c) => c.ok);
      return reply.code(ready ? 200 : 503).send({ status: ready ? 'ready' : 'unavailable', checks });
    },
  );
}

function withTimeout<T>(promise: Promise<T>, ms: number): Promise<T> {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`no answer within ${ms} ms`)), ms);
    promise.then(
      (v) => (clearTimeout(timer), resolve(v)),
      (e: unknown) => (clearTimeout(timer), reject(e instanceof Error ? e : new Error(String(e)))),
    );
  });
}
