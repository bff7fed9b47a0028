import { isNetworkError } from '../api/http.ts';

/**
 * Small REST answers the app needs to open at all (the auth config, the Lounge's room list), kept in
 * localStorage so a member who opens Lounge offline gets the last known ones instead of an error.
 * Only network failures fall back to the cache: a real error answer from the server is shown as it is.
 */
export function readCached<T>(key: string): T | undefined {
  try {
    const raw = localStorage.getItem(key);
    return raw ? (JSON.parse(raw) as T) : undefined;
  } catch {
    return undefined;
  }
}

export function writeCached(key: string, value: unknown): void {
  try {
    localStorage.setItem(key, JSON.stringify(value));
  } catch {
    // Full or disabled storage: the app works online as before.
  }
}

/** Fetches and caches; offline, answers the cached value when there is one. */
export async function withOfflineCache<T>(key: string, fetcher: () => Promise<T>): Promise<T> {
  try {
    const value = await fetcher();
    writeCached(key, value);
    return value;
  } catch (err) {
    const cached = isNetworkError(err) ? readCached<T>(key) : undefined;
    if (cached !== undefined) return cached;
    throw err;
  }
}
