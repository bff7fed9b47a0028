import { randomBytes } from 'node:crypto';
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { z } from 'zod';

const secretsSchema = z.object({ hostJwtSecret: z.string().min(32), signingSecret: z.string().min(32) });
export type EmbeddedSecrets = z.infer<typeof secretsSchema>;

/**
 * The embedded default needs secrets without asking anyone for them: generate them on first start and
 * keep them in DATA_DIR so sessions survive a restart. Production configuration always names its own.
 */
export async function loadOrCreateEmbeddedSecrets(dataDir: string): Promise<EmbeddedSecrets> {
  const file = join(dataDir, 'secrets.json');
  try {
    return secretsSchema.parse(JSON.parse(await readFile(file, 'utf8')));
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'ENOENT') {
      throw new Error(`${file} is unreadable or corrupt; delete it to generate new secrets`, { cause: err });
    }
  }
  const secrets = {
    hostJwtSecret: randomBytes(32).toString('hex'),
    signingSecret: randomBytes(32).toString('hex'),
  };
  await mkdir(dataDir, { recursive: true });
  await writeFile(file, JSON.stringify(secrets), { mode: 0o600 });
  return secrets;
}
