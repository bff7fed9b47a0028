import { mkdir, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { z } from 'zod';
import { generateVapidKeys } from './web-push-sender.ts';

const keysSchema = z.object({ publicKey: z.string().min(80), privateKey: z.string().min(40) });

/**
 * The embedded default's VAPID keys: made on first start and kept in DATA_DIR, because every browser's
 * subscription is tied to the public key (new keys would orphan them all).
 */
export async function loadOrCreateVapidKeys(dataDir: string): Promise<z.infer<typeof keysSchema>> {
  const file = join(dataDir, 'vapid.json');
  try {
    return keysSchema.parse(JSON.parse(await readFile(file, 'utf8')));
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'ENOENT') {
      throw new Error(`${file} is unreadable or corrupt; delete it to make new push keys`, { cause: err });
    }
  }
  const keys = generateVapidKeys();
  await mkdir(dataDir, { recursive: true });
  await writeFile(file, JSON.stringify(keys), { mode: 0o600 });
  return keys;
}
