import { randomBytes, randomUUID } from 'node:crypto';
import { existsSync } from 'node:fs';
import { mkdtemp, readdir, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { Readable } from 'node:stream';
import { buffer } from 'node:stream/consumers';
import { Client } from 'minio';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { AttachmentStore } from '../../sync-server/attachments/attachment-store.ts';
import { createDiskAttachmentStore } from '../../sync-server/attachments/disk-attachment-store.ts';
import { createS3AttachmentStore } from '../../sync-server/attachments/s3-attachment-store.ts';
import { startLocalS3, type LocalS3 } from '../support/local-s3.ts';

/**
 * One behaviour, two stores: the folder of the embedded default and S3 (a real s3rver in this process,
 * spoken to by the real MinIO client), so switching storage can never change what members see.
 */

interface Harness {
  store: AttachmentStore;
  close(): Promise<void>;
}

const kinds: Array<{ name: string; start(): Promise<Harness> }> = [
  {
    name: 'disk',
    async start() {
      const dir = await mkdtemp(path.join(os.tmpdir(), 'lounge-attachments-'));
      // A folder that does not exist yet: the store must make it on first write.
      const store = createDiskAttachmentStore(path.join(dir, 'attachments'));
      return { store, close: () => rm(dir, { recursive: true, force: true }) };
    },
  },
  {
    name: 'S3',
    async start() {
      const s3 = await startLocalS3();
      // The bucket does not exist yet: the store must make it on first use.
      const store = createS3AttachmentStore({ ...s3, bucket: 'attachments' });
      return { store, close: () => s3.close() };
    },
  },
];

/** A key shaped like the server's: a short fan-out prefix, then a uuid. */
const newKey = () => {
  const id = randomUUID();
  return `a/${id.slice(0, 2)}/${id}`;
};

async function read(store: AttachmentStore, key: string): Promise<Buffer | null> {
  const found = await store.get(key);
  if (found === null) return null;
  const bytes = await buffer(found.stream);
  expect(found.size).toBe(bytes.byteLength);
  return bytes;
}

describe.each(kinds)('$name attachment store', ({ start }) => {
  let harness: Harness;
  let store: AttachmentStore;
  beforeAll(async () => {
    harness = await start();
    store = harness.store;
  });
  afterAll(async () => {
    await harness?.close();
  });

  it('is ready before anything was stored', async () => {
    await expect(store.check()).resolves.toBeUndefined();
  });

  it.each([
    ['a small file', 17],
    ['a ~300 KB file', 300 * 1024 + 7],
    ['an empty file', 0],
  ])('gives back %s byte for byte, with its size', async (_label, length) => {
    const key = newKey();
    const bytes = randomBytes(length);
    await store.put(key, bytes, 'application/octet-stream');
    const found = await store.get(key);
    expect(found).not.toBeNull();
    expect(found!.size).toBe(length);
    expect((await buffer(found!.stream)).equals(bytes)).toBe(true);
  });

  it('takes a Uint8Array that is a view into a larger buffer', async () => {
    const key = newKey();
    const whole = randomBytes(4096);
    const view = new Uint8Array(whole.buffer, whole.byteOffset + 100, 1000);
    await store.put(key, view, 'image/png');
    expect((await read(store, key))?.equals(Buffer.from(view))).toBe(true);
  });

  it('stores a stream made piece by piece (an export), whole', async () => {
    const key = newKey();
    const pieces = Array.from({ length: 40 }, () => randomBytes(64 * 1024 + 3));
    await store.put(key, Readable.from(pieces), 'application/zip');
    const found = await store.get(key);
    expect(found!.size).toBe(pieces.reduce((n, p) => n + p.length, 0));
    expect((await buffer(found!.stream)).equals(Buffer.concat(pieces))).toBe(true);
  });

  it('answers null for a key that was never stored', async () => {
    expect(await store.get(newKey())).toBeNull();
    // A prefix of a stored key is a folder on disk and nothing at all in S3: neither is an object.
    const key = newKey();
    await store.put(key, randomBytes(10), 'text/plain');
    expect(await store.get(key.slice(0, key.lastIndexOf('/')))).toBeNull();
  });

  it('forgets what was deleted, and leaves the rest', async () => {
    const [gone, kept] = [newKey(), newKey()];
    await store.put(gone, randomBytes(100), 'text/plain');
    await store.put(kept, Buffer.from('keep me'), 'text/plain');
    await store.delete([gone]);
    expect(await store.get(gone)).toBeNull();
    expect((await read(store, kept))?.toString()).toBe('keep me');
  });

  it('deletes keys that are not there without complaint', async () => {
    await expect(store.delete([newKey(), newKey()])).resolves.toBeUndefined();
    await expect(store.delete([])).resolves.toBeUndefined();
  });

  it('deletes a long list (more than one S3 batch of 1000), most of it missing', async () => {
    const stored = [newKey(), newKey(), newKey()];
    await Promise.all(stored.map((key) => store.put(key, randomBytes(50), 'text/plain')));
    const keys = Array.from({ length: 2100 }, newKey);
    // One stored key in each batch of 1000.
    keys[5] = stored[0]!;
    keys[1500] = stored[1]!;
    keys[2099] = stored[2]!;
    await store.delete(keys);
    for (const key of stored) expect(await store.get(key)).toBeNull();
  });

  it('replaces the bytes when a key is written again', async () => {
    const key = newKey();
    await store.put(key, randomBytes(300 * 1024), 'image/jpeg');
    const second = Buffer.from('much shorter');
    await store.put(key, second, 'text/plain');
    const found = await store.get(key);
    expect(found?.size).toBe(second.byteLength);
    expect((await buffer(found!.stream)).equals(second)).toBe(true);
  });
});

describe('disk attachment store', () => {
  let dir: string;
  beforeAll(async () => {
    dir = await mkdtemp(path.join(os.tmpdir(), 'lounge-attachments-'));
  });
  afterAll(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  it.each(['../x', 'a/../../x', '/etc/passwd', 'a\\..\\x', 'a\\b', 'a\0b', ''])(
    'refuses the key %j everywhere',
    async (key) => {
      const root = path.join(dir, 'inside');
      const store = createDiskAttachmentStore(root);
      await expect(store.put(key, Buffer.from('x'), 'text/plain')).rejects.toThrow(/key/);
      await expect(store.get(key)).rejects.toThrow(/key/);
      await expect(store.delete([newKey(), key])).rejects.toThrow(/key/);
      expect(existsSync(path.join(dir, 'x'))).toBe(false);
    },
  );

  it('leaves no temp file behind', async () => {
    const root = path.join(dir, 'tidy');
    const store = createDiskAttachmentStore(root);
    const key = 'a/00/tidy';
    await store.put(key, randomBytes(1000), 'text/plain');
    await store.put(key, randomBytes(2000), 'text/plain');
    await store.check();
    expect(await readdir(path.join(root, 'a', '00'))).toEqual(['tidy']);
    expect(await readdir(root)).toEqual(['a']);
  });

  it('is not ready when its folder cannot be made', async () => {
    const file = path.join(dir, 'a-file');
    await writeFile(file, 'not a folder');
    await expect(createDiskAttachmentStore(path.join(file, 'attachments')).check()).rejects.toThrow();
  });
});

describe('S3 attachment store', () => {
  let s3: LocalS3;
  beforeAll(async () => {
    s3 = await startLocalS3();
  });
  afterAll(async () => {
    await s3?.close();
  });

  it('keeps the content type with the object', async () => {
    const store = createS3AttachmentStore({ ...s3, bucket: 'typed' });
    const key = newKey();
    await store.put(key, Buffer.from('<svg/>'), 'image/svg+xml');
    const stat = await new Client({ ...s3 }).statObject('typed', key);
    expect(stat.metaData['content-type']).toBe('image/svg+xml');
  });

  it('makes the bucket once when its first uses come all at once', async () => {
    const store = createS3AttachmentStore({ ...s3, bucket: 'crowded' });
    const keys = Array.from({ length: 8 }, newKey);
    await Promise.all(keys.map((key) => store.put(key, Buffer.from(key), 'text/plain')));
    for (const key of keys) expect((await read(store, key))?.toString()).toBe(key);
  });

  it('is not ready while S3 is down, and recovers once it is back', async () => {
    // A server started and stopped again: its port is free, so nothing answers there.
    const down = await startLocalS3();
    await down.close();
    const store = createS3AttachmentStore({ ...down, bucket: 'later' });
    await expect(store.check()).rejects.toThrow();
    await expect(store.put(newKey(), Buffer.from('x'), 'text/plain')).rejects.toThrow();

    const up = await startLocalS3({ port: down.port });
    try {
      await store.check();
      const key = newKey();
      await store.put(key, Buffer.from('made it'), 'text/plain');
      expect((await read(store, key))?.toString()).toBe('made it');
    } finally {
      await up.close();
    }
  });
});
