import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { IncomingMessage } from 'node:http';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { Client } from 'minio';
import type { AttachmentStore } from './attachment-store.ts';

export interface S3AttachmentStoreOptions {
  endPoint: string;
  port?: number;
  useSSL: boolean;
  accessKey: string;
  secretKey: string;
  bucket: string;
  region?: string;
}

/** S3's DeleteObjects takes at most 1000 keys a request. */
const DELETE_BATCH = 1000;

const errorCode = (err: unknown): string | undefined =>
  typeof err === 'object' && err !== null && 'code' in err && typeof err.code === 'string' ? err.code : undefined;

/** GET answers NoSuchKey; HEAD (statObject) has no body, so the client can only say NotFound. */
const isMissing = (err: unknown): boolean => ['NoSuchKey', 'NotFound'].includes(errorCode(err) ?? '');

/**
 * The client types each failed entry as `{ Error: {...} }` but its parser returns the XML's `<Error>`
 * elements themselves (`{ Key, Code, Message }`); read both shapes.
 */
function describeDeleteFailure(entry: unknown): string {
  const record = (v: unknown): Record<string, unknown> =>
    typeof v === 'object' && v !== null ? (v as Record<string, unknown>) : {};
  const outer = record(entry);
  const inner = 'Error' in outer ? record(outer.Error) : outer;
  return `${String(inner.Key ?? '?')}: ${String(inner.Code ?? 'error')} ${String(inner.Message ?? '')}`.trim();
}

/** Attachments in an S3-compatible bucket (MinIO in production). */
export function createS3AttachmentStore(options: S3AttachmentStoreOptions): AttachmentStore {
  const { bucket } = options;
  const client = new Client({
    endPoint: options.endPoint,
    useSSL: options.useSSL,
    accessKey: options.accessKey,
    secretKey: options.secretKey,
    ...(options.port !== undefined && { port: options.port }),
    // Known up front, the region spares the client a bucket-location lookup before each first request.
    ...(options.region !== undefined && { region: options.region }),
  });

  // One creation attempt shared by every concurrent first use; forgotten on failure so that a store
  // started while S3 was down recovers once S3 is back instead of failing forever.
  let bucketReady: Promise<void> | undefined;
  const ensureBucket = (): Promise<void> => {
    bucketReady ??= (async () => {
      if (await client.bucketExists(bucket)) return;
      try {
        await client.makeBucket(bucket, options.region ?? 'us-east-1');
      } catch (err) {
        // Another node (or process) made it between our check and our request.
        if (!['BucketAlreadyOwnedByYou', 'BucketAlreadyExists'].includes(errorCode(err) ?? '')) throw err;
      }
    })().catch((err: unknown) => {
      bucketReady = undefined;
      throw err;
    });
    return bucketReady;
  };

  return {
    async put(key, bytes, contentType) {
      await ensureBucket();
      if (bytes instanceof Uint8Array) {
        const body = Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
        await client.putObject(bucket, key, body, body.byteLength, { 'Content-Type': contentType });
      } else {
        // Size unknown: spooled to a temp file first, so the upload has a length (not every
        // S3-compatible server takes the streaming upload of unknown size) and memory stays flat.
        const dir = await mkdtemp(path.join(tmpdir(), 'lounge-s3-put-'));
        const file = path.join(dir, 'object');
        try {
          await writeFile(file, bytes);
          await client.fPutObject(bucket, key, file, { 'Content-Type': contentType });
        } finally {
          await rm(dir, { recursive: true, force: true });
        }
      }
    },

    async get(key) {
      await ensureBucket();
      let stream;
      try {
        stream = await client.getObject(bucket, key);
      } catch (err) {
        if (isMissing(err)) return null;
        throw err;
      }
      // The client hands back the HTTP response itself: its Content-Length describes exactly these bytes,
      // where a separate statObject could see a different version after a concurrent overwrite.
      const length = stream instanceof IncomingMessage ? Number(stream.headers['content-length']) : NaN;
      if (Number.isSafeInteger(length)) return { stream, size: length };
      try {
        return { stream, size: (await client.statObject(bucket, key)).size };
      } catch (err) {
        stream.destroy();
        if (isMissing(err)) return null;
        throw err;
      }
    },

    async delete(keys) {
      if (keys.length === 0) return;
      await ensureBucket();
      // One batch after another: the client would send them all at once, which a big purge should not.
      for (let i = 0; i < keys.length; i += DELETE_BATCH) {
        const failures = await client.removeObjects(bucket, keys.slice(i, i + DELETE_BATCH));
        // S3 reports a key that is not there as deleted, so any failure listed here is a real one.
        const real = failures.filter((entry) => entry !== null && entry !== undefined);
        if (real.length > 0) {
          throw new Error(
            `Could not delete ${real.length} attachment(s): ${real.slice(0, 3).map(describeDeleteFailure).join('; ')}`,
          );
        }
      }
    },

    async check() {
      // Not memoized like the first use: readiness must notice the bucket becoming unreachable later.
      if (!(await client.bucketExists(bucket))) {
        bucketReady = undefined;
        await ensureBucket();
      }
    },
  };
}
