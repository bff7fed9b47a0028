import { randomUUID } from 'node:crypto';
import { mkdir, open, rename, unlink, writeFile } from 'node:fs/promises';
import path from 'node:path';
import type { Readable } from 'node:stream';
import type { AttachmentStore } from './attachment-store.ts';

/**
 * Keys are made by the server, so a bad one means a bug; refusing it here keeps such a bug from ever
 * reading or writing outside the folder.
 */
function keyPath(root: string, key: string): string {
  if (key === '' || key.includes('..') || key.startsWith('/') || key.includes('\\') || key.includes('\0')) {
    throw new Error(`Refusing attachment key ${JSON.stringify(key)}`);
  }
  const file = path.resolve(root, key);
  // Belt and braces: the checks above should make this impossible.
  if (!file.startsWith(root + path.sep)) throw new Error(`Attachment key ${JSON.stringify(key)} leaves the folder`);
  return file;
}

const isCode = (err: unknown, ...codes: string[]): boolean =>
  typeof err === 'object' && err !== null && 'code' in err && codes.includes(String(err.code));

/** Writes to a temp file beside the target and renames it over, so a reader never sees half a file. */
async function writeAtomically(file: string, bytes: Uint8Array | Readable): Promise<void> {
  await mkdir(path.dirname(file), { recursive: true });
  // Same directory, hence same filesystem: the rename is atomic.
  const temp = path.join(path.dirname(file), `.${path.basename(file)}.${randomUUID()}.tmp`);
  try {
    await writeFile(temp, bytes);
    await rename(temp, file);
  } catch (err) {
    await unlink(temp).catch(() => undefined);
    throw err;
  }
}

/**
 * Attachments as files under `dir` (the embedded default, no S3 needed). The content type is not kept:
 * the attachment's database row carries it, as with S3 where it is only a convenience.
 */
export function createDiskAttachmentStore(dir: string): AttachmentStore {
  const root = path.resolve(dir);

  return {
    async put(key, bytes) {
      await writeAtomically(keyPath(root, key), bytes);
    },

    async get(key) {
      const file = keyPath(root, key);
      let handle;
      try {
        handle = await open(file, 'r');
      } catch (err) {
        if (isCode(err, 'ENOENT', 'ENOTDIR')) return null;
        throw err;
      }
      try {
        // Size and bytes from the same open file: a concurrent overwrite renames a new file in and
        // leaves this one intact, so they always agree.
        const stat = await handle.stat();
        if (!stat.isFile()) {
          await handle.close();
          return null;
        }
        return { stream: handle.createReadStream(), size: stat.size };
      } catch (err) {
        await handle.close();
        throw err;
      }
    },

    async delete(keys) {
      const files = keys.map((key) => keyPath(root, key));
      // Emptied key folders are left behind: they are few (keys share prefixes) and harmless.
      await Promise.all(
        files.map((file) =>
          unlink(file).catch((err: unknown) => {
            if (!isCode(err, 'ENOENT', 'ENOTDIR')) throw err;
          }),
        ),
      );
    },

    async check() {
      // A real write, not access(): root passes access() whatever the permission bits say.
      const probe = path.join(root, `.check-${randomUUID()}`);
      await writeAtomically(probe, new Uint8Array());
      await unlink(probe);
    },
  };
}
