import { readFile } from 'node:fs/promises';
import { resolve } from 'node:path';
import type { FastifyReply } from 'fastify';
import { ApiError } from '../../http/errors.ts';

/**
 * What the widget page may load and where it may connect: its own scripts and styles, the API and the
 * sync socket of this origin, avatars from the host's https URLs. `frame-ancestors` is left open on
 * purpose: any page may frame the widget, but only a page that holds a member's token can sign it in,
 * and the widget never uses a Lounge session stored on this origin while it is framed.
 */
const WIDGET_CSP = [
  "default-src 'self'",
  "script-src 'self'",
  // Solid sets style attributes (avatar sizes, colours).
  "style-src 'self' 'unsafe-inline'",
  "img-src 'self' https: data:",
  "connect-src 'self'",
  "manifest-src 'self'",
  "base-uri 'none'",
  "form-action 'none'",
  "object-src 'none'",
].join('; ');

/**
 * Answers the built widget page (client/dist/widget.html). It is read on every request rather than kept,
 * so a rebuild while the server runs is served at once; it is a small file.
 */
export async function sendWidgetPage(reply: FastifyReply, distDir: string): Promise<FastifyReply> {
  let html: string;
  try {
    html = await readFile(resolve(distDir, 'widget.html'), 'utf8');
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'ENOENT') throw err;
    throw new ApiError(
      503,
      'widget_not_built',
      'The chat widget has not been built on this server: run `npm run build:client`.',
    );
  }
  return reply
    .header('content-security-policy', WIDGET_CSP)
    .header('cache-control', 'no-cache')
    .header('referrer-policy', 'no-referrer')
    .header('x-content-type-options', 'nosniff')
    .type('text/html; charset=utf-8')
    .send(html);
}
