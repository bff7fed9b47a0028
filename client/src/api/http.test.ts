import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { apiRequest, isNetworkError, type ApiError } from './http.ts';

/** The API client against a real local HTTP server that answers slowly, or not at all. */
let server: Server;
let base: string;

beforeAll(async () => {
  server = createServer((req, res) => {
    if (req.url === '/silent') return; // accepts the request and never answers (a dead connection)
    if (req.url === '/half') {
      // Headers, then a body that never ends.
      res.writeHead(200, { 'content-type': 'application/json' });
      res.write('{"messages": [');
      return;
    }
    res.writeHead(200, { 'content-type': 'application/json' });
    res.end(JSON.stringify({ ok: true }));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});

afterAll(async () => {
  server.closeAllConnections();
  await new Promise<void>((resolve) => server.close(() => resolve()));
});

describe('API requests', () => {
  it('answers what the server sent', async () => {
    expect(await apiRequest(`${base}/ok`)).toEqual({ ok: true });
  });

  it('gives up on a server that never answers, as unreachable, with a message to show', async () => {
    const started = performance.now();
    const err = (await apiRequest(`${base}/silent`, { timeoutMs: 200 }).catch((e: unknown) => e)) as ApiError;
    expect(performance.now() - started).toBeLessThan(2_000);
    expect(isNetworkError(err)).toBe(true);
    expect(err.code).toBe('timeout');
    expect(err.message).toMatch(/taking too long/);
  });

  it('gives up on an answer whose body stops halfway', async () => {
    const err = (await apiRequest(`${base}/half`, { timeoutMs: 200 }).catch((e: unknown) => e)) as ApiError;
    expect(isNetworkError(err)).toBe(true);
  });

  it("a caller's own abort stays an abort (not reported as a lost connection)", async () => {
    const controller = new AbortController();
    const pending = apiRequest(`${base}/silent`, { signal: controller.signal });
    controller.abort();
    const err = (await pending.catch((e: unknown) => e)) as Error;
    expect(err.name).toBe('AbortError');
    // Aborted before it was even asked: not sent, and not reported as a lost connection either.
    const already = (await apiRequest(`${base}/silent`, { signal: AbortSignal.abort() }).catch(
      (e: unknown) => e,
    )) as Error;
    expect(already.name).toBe('AbortError');
  });
});
