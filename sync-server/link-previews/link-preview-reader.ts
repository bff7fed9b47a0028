import type { LinkPreview } from '../../shared/sync/channel-doc.ts';
import { fetchPage } from './fetch-page.ts';
import { readPreview } from './read-preview.ts';

const TIMEOUT_MS = 5000;
// A page's <head> is at its start; more is never needed for a card.
const MAX_BYTES = 512 * 1024;

/** Reads the page behind an address for its card (see fetch-page.ts for what it refuses to read). */
export function createLinkPreviewReader(options: {
  privateHosts: readonly string[];
}): (url: string) => Promise<LinkPreview | null> {
  return async (url) => {
    const page = await fetchPage(url, {
      privateHosts: options.privateHosts,
      timeoutMs: TIMEOUT_MS,
      maxBytes: MAX_BYTES,
    });
    // The card links to the address the member wrote; the page may have redirected elsewhere.
    return readPreview(page.html, url);
  };
}
