import type { Config } from '../config.ts';
import type { AttachmentStore } from './attachment-store.ts';
import { createDiskAttachmentStore } from './disk-attachment-store.ts';
import { createS3AttachmentStore } from './s3-attachment-store.ts';

/** The store the configuration names; sync nodes and worker processes must pick the same one. */
export function createAttachmentStore(config: Config['attachments']): AttachmentStore {
  if (config.kind === 'disk') return createDiskAttachmentStore(config.dir);
  const { kind: _kind, port, ...options } = config;
  return createS3AttachmentStore({ ...options, ...(port !== undefined ? { port } : {}) });
}
