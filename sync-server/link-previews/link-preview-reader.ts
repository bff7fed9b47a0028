import { createHash } from 'node:crypto';
import type { Logger } from 'pino';
import type { LinkPreview, LinkPreviewImage } from '../../shared/sync/channel-doc.ts';
import type { AttachmentStore } from '../attachments/attachment-store.ts';
import { classifyUpload } from '../attachments/classify-upload.ts';
import { fetchImage, fetchPage } from './fetch-page.ts';
import { linkImageKey, linkImageId } from './link-image-id.ts';
import { readPreview } from './read-preview.ts';

const TIMEOUT_MS = 5000;
// A page's <head> is at its start; more is never needed for a card.
const MAX_BYTES = 512 * 1024;
// Every reader of the message loads the picture from this server: a card's picture is a thumbnail's
// worth, not a photo's (sites' og:images are typically 50–500 KB).
const MAX_IMAGE_BYTES = 1024 * 1024;

export type LinkPreviewReader = (url: string) => Promise<LinkPreview | null>;

/**
 * Reads the page behind an address for its card (see fetch-page.ts for what it refuses to read) and, when
 * a store is given, copies the picture the page names into it: readers load that copy from this server,
 * so the site never learns who read the message. A picture that cannot be read, is too large, or is not
 * really a PNG, JPEG, GIF or WebP image leaves the card without one.
 */
export function createLinkPreviewReader(options: {
  privateHosts: readonly string[];
  images?: AttachmentStore | undefined;
  onImageRefused?: (imageUrl: string, reason: string) => void;
}): LinkPreviewReader {
  const fetchOptions = { privateHosts: options.privateHosts, timeoutMs: TIMEOUT_MS };
  return async (url) => {
    const page = await fetchPage(url, { ...fetchOptions, maxBytes: MAX_BYTES });
    // The card links to the address the member wrote; the page may have redirected elsewhere.
    const read = readPreview(page.html, url);
    if (!read) return null;
    if (!read.imageUrl || !options.images) return read.card;
    const image = await copyImage(options.images, read.imageUrl, fetchOptions).catch((err: unknown) => {
      options.onImageRefused?.(read.imageUrl!, (err as Error).message);
      return null;
    });
    return image ? { ...read.card, image } : read.card;
  };
}

/** The reader as the server and the worker run it: pictures kept beside attachments, refusals logged. */
export function linkPreviewReaderFor(
  settings: { privateHosts: readonly string[] },
  images: AttachmentStore,
  logger: Logger,
): LinkPreviewReader {
  return createLinkPreviewReader({
    ...settings,
    images,
    onImageRefused: (imageUrl, reason) => logger.info({ imageUrl, reason }, 'a link preview goes without its picture'),
  });
}

async function copyImage(
  store: AttachmentStore,
  imageUrl: string,
  fetchOptions: { privateHosts: readonly string[]; timeoutMs: number },
): Promise<LinkPreviewImage | null> {
  const bytes = await fetchImage(imageUrl, { ...fetchOptions, maxBytes: MAX_IMAGE_BYTES });
  // What the bytes are, not what the site said: a page served as image/png must never be served on.
  const found = classifyUpload(bytes);
  if (!found.ok) throw new Error(found.reason);
  if (!found.width || !found.height) throw new Error(`not a picture: ${found.type}`);
  const id = linkImageId(createHash('sha256').update(bytes).digest('hex'), found.type);
  if (!id) throw new Error(`not a picture: ${found.type}`);
  // Same bytes, same key: a picture many pages share is stored once.
  await store.put(linkImageKey(id), bytes, found.type);
  return { id, width: found.width, height: found.height };
}
