import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';

/**
 * A local server that speaks the OpenAI moderation endpoint's wire format (POST /v1/moderations), so
 * the real `openai` SDK can be pointed at it. A message's score comes from a `[score=0.42]` marker in
 * its text (0.01 without one); an image's from the same marker inside its bytes (a PNG text chunk,
 * which viewers ignore) — multi-modal input as the endpoint takes it: `[{ type: 'image_url', image_url:
 * { url: 'data:…;base64,…' } }]`. Failures and slowness are programmable.
 */
export interface LocalOpenAi {
  baseUrl: string;
  /** `input`: the text judged ('' for an image); `images`: the media types of the images judged. */
  requests: Array<{ input: string; images: string[]; model: string; authorization: string | undefined }>;
  /** The next `n` requests answer HTTP 500. */
  failNext(n: number): void;
  /** The next `n` requests wait `ms` before answering (to trip the client's timeout). */
  stallNext(n: number, ms: number): void;
  close(): Promise<void>;
}

const CATEGORIES = [
  'harassment',
  'harassment/threatening',
  'hate',
  'hate/threatening',
  'self-harm',
  'sexual',
  'violence',
];

export async function startLocalOpenAi(): Promise<LocalOpenAi> {
  let failures = 0;
  let stalls = 0;
  let stallMs = 0;
  const requests: LocalOpenAi['requests'] = [];
  const server: Server = createServer((req, res) => {
    let raw = '';
    req.on('data', (chunk: Buffer) => (raw += chunk.toString('utf8')));
    req.on('end', () => {
      if (req.method !== 'POST' || req.url !== '/v1/moderations') {
        res
          .writeHead(404, { 'content-type': 'application/json' })
          .end(JSON.stringify({ error: { message: 'not found' } }));
        return;
      }
      const body = JSON.parse(raw) as { input: unknown; model: string };
      const parts = readInput(body.input);
      if (!parts) {
        res
          .writeHead(400, { 'content-type': 'application/json' })
          .end(JSON.stringify({ error: { message: 'invalid input', type: 'invalid_request_error' } }));
        return;
      }
      requests.push({
        input: parts.text,
        images: parts.images.map((i) => i.type),
        model: body.model,
        authorization: req.headers.authorization,
      });
      const answer = () => {
        if (failures > 0) {
          failures -= 1;
          res
            .writeHead(500, { 'content-type': 'application/json' })
            .end(JSON.stringify({ error: { message: 'upstream exploded', type: 'server_error' } }));
          return;
        }
        const judged = [parts.text, ...parts.images.map((i) => i.bytes.toString('latin1'))].join('\n');
        const score = Number(/\[score=([0-9.]+)\]/.exec(judged)?.[1] ?? 0.01);
        const scores = Object.fromEntries(CATEGORIES.map((c) => [c, c === 'harassment' ? score : 0.001]));
        res.writeHead(200, { 'content-type': 'application/json' }).end(
          JSON.stringify({
            id: `modr-${requests.length}`,
            model: body.model,
            results: [
              {
                flagged: score >= 0.5,
                categories: Object.fromEntries(CATEGORIES.map((c) => [c, scores[c]! >= 0.5])),
                category_scores: scores,
                category_applied_input_types: Object.fromEntries(
                  CATEGORIES.map((c) => [c, parts.images.length > 0 ? ['image'] : ['text']]),
                ),
              },
            ],
          }),
        );
      };
      if (stalls > 0) {
        stalls -= 1;
        setTimeout(answer, stallMs);
      } else answer();
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    baseUrl: `http://127.0.0.1:${port}/v1`,
    requests,
    failNext: (n) => void (failures = n),
    stallNext: (n, ms) => {
      stalls = n;
      stallMs = ms;
    },
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

/** The endpoint's input: a string, or an array of text and image_url parts (images as data URLs). */
function readInput(input: unknown): { text: string; images: Array<{ type: string; bytes: Buffer }> } | null {
  if (typeof input === 'string') return { text: input, images: [] };
  if (!Array.isArray(input)) return null;
  const texts: string[] = [];
  const images: Array<{ type: string; bytes: Buffer }> = [];
  for (const part of input as Array<Record<string, unknown>>) {
    if (part.type === 'text' && typeof part.text === 'string') texts.push(part.text);
    else if (part.type === 'image_url') {
      const url = (part.image_url as { url?: unknown } | undefined)?.url;
      const match = typeof url === 'string' ? /^data:([a-z/+.-]+);base64,(.*)$/s.exec(url) : null;
      if (!match) return null;
      images.push({ type: match[1]!, bytes: Buffer.from(match[2]!, 'base64') });
    } else return null;
  }
  return { text: texts.join('\n'), images };
}
