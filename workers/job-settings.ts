import { z } from 'zod';

/**
 * Settings of the jobs layer that sync-server/config.ts does not carry. Sync nodes (producers) and
 * worker processes must agree on the prefix, so both read it from the same variable through here.
 */
const schema = z.object({
  LOUNGE_JOBS_PREFIX: z
    .string()
    .regex(/^[A-Za-z0-9_-]{1,64}$/, 'letters, digits, _ or -, at most 64')
    .default('lounge-jobs'),
  WORKER_CONCURRENCY: z.coerce.number().int().min(1).max(64).default(4),
  WORKER_LOCK_MS: z.coerce.number().int().min(500).max(600_000).default(30_000),
});

export class JobSettingsError extends Error {
  override name = 'JobSettingsError';
}

export interface JobSettings {
  prefix: string;
  concurrency: number;
  lockMs: number;
}

export function readJobSettings(env: NodeJS.ProcessEnv = process.env): JobSettings {
  const cleaned = Object.fromEntries(Object.entries(env).filter(([, v]) => v !== undefined && v !== ''));
  const parsed = schema.safeParse(cleaned);
  if (!parsed.success) {
    const lines = parsed.error.issues.map((i) => `  ${i.path.join('.')}: ${i.message}`);
    throw new JobSettingsError(`Invalid jobs configuration:\n${lines.join('\n')}`);
  }
  return {
    prefix: parsed.data.LOUNGE_JOBS_PREFIX,
    concurrency: parsed.data.WORKER_CONCURRENCY,
    lockMs: parsed.data.WORKER_LOCK_MS,
  };
}
