import type { Readable } from 'node:stream';
/** Where attachment bytes live: S3-compatible storage (MinIO) in production, a local folder in the embedded default. Keys are made by the server (never by a client). */
export interface AttachmentStore {
  /** Stores the bytes under the key (overwrites); a stream for what is made piece by piece (exports). */
  put(key: string, bytes: Uint8Array | Readable, contentType: string): Promise<void>;
  /** The object's bytes as a stream with its size, or null when there is no such object. */
  get(key: string): Promise<{ stream: Readable; size: number } | null>;
  /** Removes the objects; a key that is not there is not an error. */
  delete(keys: readonly string[]): Promise<void>;
  /** Throws when the store cannot be used (readiness check): e.g. the bucket is unreachable. */
  check(): Promise<void>;
}
