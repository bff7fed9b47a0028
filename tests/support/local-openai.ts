import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';

/**
 * A local server that speaks the OpenAI moderation endpoint's wire format (POST /v1/moderations), so
 * the real `openai` SDK can be pointed at it. A message's score comes from a `[score=0.42]` marker in
 * its text (0.01 without one); failures and slowness are programmable.
 */
export interface LocalOpenAi {
  baseUrl: string;
  requests: Array<{ input: string; model: string; authorization: string | undefined }>;
  /** The next `n` requests answer HTTP 500. */
  failNext(n: number): void;
  /** The next `n` requests wait `ms` before answering (to trip the client's timeout). */
  stallNext(n: number, ms: number): void;
  close(): Promise<void>;
}

const CATEGORIES = ['harassment', 'harassment/threatening', 'hate', 'hate/threatening', 'self-harm', 'sexual', 'violence'];

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
        res.writeHead(404, { 'content-type': 'application/json' }).end(JSON.stringify({ error: { message: 'not found' } }));
        return;
      }
      const body = JSON.parse(raw) as { input: string; model: string };
      requests.push({ input: body.input, model: body.model, authorization: req.headers.authorization });
      const answer = () => {
        if (failures > 0) {
          failures -= 1;
          res.writeHead(500, { 'content-type': 'application/json' }).end(JSON.stringify({ error: { message: 'upstream exploded', type: 'server_error' } }));
          return;
        }
        const score = Number(/\[score=([0-9.]+)\]/.exec(body.input)?.[1] ?? 0.01);
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
                category_applied_input_types: Object.fromEntries(CATEGORIES.map((c) => [c, ['text']])),
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
