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

/**
 * Reads an HTML page the way a link preview may: http(s) only, at most three redirects (each checked
 * again), a time limit for the whole exchange, at most `maxBytes` read, HTML only. Every address a host
 * name resolves to must be public (see public-address.ts) unless the host is listed in `privateHosts`, and
 * the connection goes to the address that was checked — a name that resolves differently a moment later
 * (DNS rebinding) cannot slip an internal address in.
 */
export async function fetchPage(url: string, options: FetchPageOptions): Promise<{ url: string; html: string }> {
  const deadline = AbortSignal.timeout(options.timeoutMs);
  let current = new URL(url);
  for (let hop = 0; ; hop++) {
    if (current.protocol !== 'http:' && current.protocol !== 'https:')
      throw new PageRefused(`not a web address: ${current.protocol}`);
    const response = await request(current, options, deadline);
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
    if (!/^\s*(text\/html|application\/xhtml\+xml)/i.test(type)) {
      response.resume();
      throw new PageRefused(`not a page: ${type || 'no type'}`);
    }
    const bytes = await readCapped(response, options.maxBytes, deadline);
    return { url: current.href, html: decode(bytes, /charset=([\w-]+)/i.exec(type)?.[1]) };
  }
}

function request(url: URL, options: FetchPageOptions, signal: AbortSignal): Promise<IncomingMessage> {
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
        headers: { 'user-agent': USER_AGENT, accept: 'text/html,application/xhtml+xml', 'accept-language': 'en' },
      },
      resolve,
    );
    req.on('error', reject);
  });
}

async function readCapped(response: IncomingMessage, maxBytes: number, signal: AbortSignal): Promise<Buffer> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of response) {
    if (signal.aborted) throw new PageRefused('too slow');
    const buffer = chunk as Buffer;
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
