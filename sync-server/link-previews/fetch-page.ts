import { lookup as dnsLookup } from 'node:dns';
import http, { type IncomingMessage } from 'node:http';
import https from 'node:https';
import type { LookupFunction } from 'node:net';
import { isPublicAddress } from './public-address.ts';

export interface FetchPageOptions {
  /** Host names whose private addresses may be read (an intranet wiki); none by default. */
  privateHosts: readonly string[];
  timeoutMs: number;
  maxBytes: number;
}

const MAX_REDIRECTS = 3;
const USER_AGENT = 'LoungeBot/1.0 (link previews; +https://github.com/lounge)';

/** Why a page was not read; the job logs it and caches "no preview". */
export class PageRefused extends Error {}

/** What a fetch accepts: the Accept header sent, the content types taken, and whether a cut body will do. */
interface Wanted {
  accept: string;
  types: RegExp;
  /** True: a body over the limit is refused (a cut image is no image); false: it is cut (a page's head is at its start). */
  whole: boolean;
}

const PAGE: Wanted = {
  accept: 'text/html,application/xhtml+xml',
  types: /^\s*(text\/html|application\/xhtml\+xml)/i,
  whole: false,
};
const IMAGE: Wanted = { accept: 'image/png,image/jpeg,image/gif,image/webp', types: /^\s*image\//i, whole: true };

/**
 * Reads an HTML page the way a link preview may: http(s) only, at most three redirects (each checked
 * again), a time limit for the whole exchange, at most `maxBytes` read, HTML only. Every address a host
 * name resolves to must be public (see public-address.ts) unless the host is listed in `privateHosts`, and
 * the connection goes to the address that was checked — a name that resolves differently a moment later
 * (DNS rebinding) cannot slip an internal address in.
 */
export async function fetchPage(url: string, options: FetchPageOptions): Promise<{ url: string; html: string }> {
  const found = await fetchWeb(url, options, PAGE);
  return { url: found.url, html: decode(found.bytes, /charset=([\w-]+)/i.exec(found.type)?.[1]) };
}

/**
 * Reads a page's picture under the same rules, whole or not at all (over `maxBytes` it is refused). The
 * type the site claims is only a first filter: the caller reads what the bytes really are.
 */
export async function fetchImage(url: string, options: FetchPageOptions): Promise<Buffer> {
  return (await fetchWeb(url, options, IMAGE)).bytes;
}

async function fetchWeb(
  url: string,
  options: FetchPageOptions,
  wanted: Wanted,
): Promise<{ url: string; bytes: Buffer; type: string }> {
  const deadline = AbortSignal.timeout(options.timeoutMs);
  let current = new URL(url);
  for (let hop = 0; ; hop++) {
    if (current.protocol !== 'http:' && current.protocol !== 'https:')
      throw new PageRefused(`not a web address: ${current.protocol}`);
    const response = await request(current, options, wanted.accept, deadline);
    const status = response.statusCode ?? 0;
    if (status >= 300 && status < 400 && response.headers.location) {
      response.resume();
      if (hop >= MAX_REDIRECTS) throw new PageRefused('too many redirects');
      current = new URL(response.headers.location, current);
      continue;
    }
    if (status !== 200) {
      response.resume();
      throw new PageRefused(`answered ${status}`);
    }
    const type = response.headers['content-type'] ?? '';
    if (!wanted.types.test(type)) {
      response.resume();
      throw new PageRefused(`not what was asked for: ${type || 'no type'}`);
    }
    const declared = Number(response.headers['content-length']);
    if (wanted.whole && declared > options.maxBytes) {
      response.destroy();
      throw new PageRefused(`too large: ${declared} bytes`);
    }
    const bytes = await readCapped(response, options.maxBytes, deadline, wanted.whole);
    return { url: current.href, bytes, type };
  }
}

function request(url: URL, options: FetchPageOptions, accept: string, signal: AbortSignal): Promise<IncomingMessage> {
  const privateAllowed = options.privateHosts.includes(url.hostname.toLowerCase());
  const lookup: LookupFunction = (hostname, lookupOptions, callback) => {
    dnsLookup(hostname, { all: true, family: lookupOptions.family ?? 0 }, (err, addresses) => {
      if (err) return callback(err, '', 0);
      const refused = addresses.find((a) => !privateAllowed && !isPublicAddress(a.address));
      if (refused || addresses.length === 0)
        return callback(new PageRefused(`${hostname} is not a public address`), '', 0);
      if (lookupOptions.all) (callback as unknown as (e: null, all: typeof addresses) => void)(null, addresses);
      else callback(null, addresses[0]!.address, addresses[0]!.family);
    });
  };
  // An address written in the link is checked the same way (no look-up happens for it).
  const literal = url.hostname.replace(/^\[|\]$/g, '');
  if (/^[\d.]+$|:/.test(literal) && !privateAllowed && !isPublicAddress(literal))
    return Promise.reject(new PageRefused(`${literal} is not a public address`));
  const client = url.protocol === 'https:' ? https : http;
  return new Promise((resolve, reject) => {
    const req = client.get(
      url,
      {
        lookup,
        signal,
        headers: { 'user-agent': USER_AGENT, accept, 'accept-language': 'en' },
      },
      resolve,
    );
    req.on('error', reject);
  });
}

async function readCapped(
  response: IncomingMessage,
  maxBytes: number,
  signal: AbortSignal,
  whole: boolean,
): Promise<Buffer> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of response) {
    if (signal.aborted) throw new PageRefused('too slow');
    const buffer = chunk as Buffer;
    if (whole && size + buffer.length > maxBytes) {
      response.destroy();
      throw new PageRefused(`too large: over ${maxBytes} bytes`);
    }
    // The head is at the start: a page larger than this is cut, not refused.
    chunks.push(buffer.subarray(0, Math.max(0, maxBytes - size)));
    size += buffer.length;
    if (size >= maxBytes) {
      response.destroy();
      break;
    }
  }
  return Buffer.concat(chunks);
}

function decode(bytes: Buffer, charset: string | undefined): string {
  try {
    return new TextDecoder(charset ?? 'utf-8').decode(bytes);
  } catch {
    return new TextDecoder('utf-8').decode(bytes);
  }
}
