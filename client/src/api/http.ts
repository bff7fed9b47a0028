import type { ErrorBody } from './types.ts';

/** A failed API call, carrying the server's machine code and its human message. */
export class ApiError extends Error {
  constructor(
    /** HTTP status; 0 when the server could not be reached at all. */
    readonly status: number,
    readonly code: string,
    message: string,
  ) {
    super(message);
    this.name = 'ApiError';
  }
}

export const isApiError = (err: unknown): err is ApiError => err instanceof ApiError;

/** True for answers that mean "this token is no good": the member has to sign in again. */
export const isUnauthorized = (err: unknown): boolean => isApiError(err) && err.status === 401;

/** True when the request never reached the server, e.g. offline: cached data stays valid. */
export const isNetworkError = (err: unknown): boolean => isApiError(err) && err.status === 0;

export interface RequestOptions {
  method?: 'GET' | 'POST' | 'PUT' | 'PATCH' | 'DELETE';
  token?: string | null;
  body?: unknown;
  /** Raw bytes instead of a JSON body (file uploads); the server reads what they are. */
  bytes?: Blob;
  signal?: AbortSignal;
  /** How long to wait for an answer (default REQUEST_TIMEOUT_MS). */
  timeoutMs?: number;
}

/**
 * A request that has not been answered in this time is given up as unreachable. On a train a connection
 * can die without the browser noticing for minutes; until then a view would show "Loading…" and a
 * catch-up would hold the next one back.
 */
export const REQUEST_TIMEOUT_MS = 20_000;

function isErrorBody(value: unknown): value is ErrorBody {
  if (typeof value !== 'object' || value === null || !('error' in value)) return false;
  const error: unknown = value.error;
  return (
    typeof error === 'object' &&
    error !== null &&
    'code' in error &&
    typeof error.code === 'string' &&
    'message' in error &&
    typeof error.message === 'string'
  );
}

async function readJson(response: Response): Promise<unknown> {
  const text = await response.text();
  if (text === '') return undefined;
  try {
    return JSON.parse(text) as unknown;
  } catch {
    return undefined;
  }
}

/**
 * Calls the sync server's REST API. Every failure becomes an ApiError, so views only ever handle one
 * error type and can show `message` to people as it is.
 */
export async function apiRequest<T>(path: string, options: RequestOptions = {}): Promise<T> {
  const headers: Record<string, string> = { accept: 'application/json' };
  if (options.token) headers.authorization = `Bearer ${options.token}`;
  if (options.body !== undefined) headers['content-type'] = 'application/json';
  if (options.bytes !== undefined) headers['content-type'] = 'application/octet-stream';

  const timeout = new AbortController();
  const timer = setTimeout(() => timeout.abort(), options.timeoutMs ?? REQUEST_TIMEOUT_MS);
  const stop = () => timeout.abort();
  if (options.signal?.aborted) stop();
  else options.signal?.addEventListener('abort', stop, { once: true });
  let response: Response;
  let payload: unknown;
  try {
    response = await fetch(path, {
      method: options.method ?? 'GET',
      headers,
      body: options.bytes ?? (options.body === undefined ? undefined : JSON.stringify(options.body)),
      signal: timeout.signal,
    });
    payload = await readJson(response);
  } catch (err) {
    // The caller's own abort stays an abort; the timeout is "unreachable", like a dropped connection.
    if (options.signal?.aborted) throw err;
    if (timeout.signal.aborted) {
      throw new ApiError(0, 'timeout', 'Lounge is taking too long to answer. Check your connection and try again.');
    }
    throw new ApiError(0, 'network_error', "Can't reach Lounge right now. Check your connection and try again.");
  } finally {
    clearTimeout(timer);
    options.signal?.removeEventListener('abort', stop);
  }

  if (!response.ok) {
    if (isErrorBody(payload)) throw new ApiError(response.status, payload.error.code, payload.error.message);
    // A proxy or gateway answered instead of Lounge, so there is no message of ours to show.
    throw new ApiError(
      response.status,
      `http_${response.status}`,
      `Lounge answered with an unexpected error (HTTP ${response.status}).`,
    );
  }
  if (payload === undefined) {
    throw new ApiError(response.status, 'bad_response', 'Lounge sent an answer this app could not read.');
  }
  // The server validates every answer against its schema before sending it, so the contract holds here.
  return payload as T;
}

/**
 * Fetches bytes the member's token opens (a file on a message, a data export) as a Response whose body
 * is still to be read. Failures become the same ApiError as every other call, with the server's sentence.
 */
export async function fetchWithToken(path: string, token: string, unreachable: string): Promise<Response> {
  let response: Response;
  try {
    response = await fetch(path, { headers: { authorization: `Bearer ${token}` } });
  } catch {
    throw new ApiError(0, 'network_error', unreachable);
  }
  if (response.ok) return response;
  const payload = await readJson(response);
  if (isErrorBody(payload)) throw new ApiError(response.status, payload.error.code, payload.error.message);
  throw new ApiError(
    response.status,
    `http_${response.status}`,
    `Lounge answered with an unexpected error (HTTP ${response.status}).`,
  );
}
