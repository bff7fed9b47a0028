import { readCached, writeCached } from '../lib/offline-cache.ts';
import { apiRequest } from './http.ts';
import type { LoungeResponse } from './types.ts';

/** The Lounge with its rooms in the order members see them. */
export async function fetchLounge(token: string): Promise<LoungeResponse> {
  const data = await apiRequest<LoungeResponse>('/api/lounge', { token });
  // The server already orders by position; sorting again keeps the sidebar stable if that ever changes.
  return { ...data, rooms: [...data.rooms].sort((a, b) => a.position - b.position || a.name.localeCompare(b.name)) };
}

const loungeCacheKey = (userId: string) => `lounge.rooms.v1.${userId}`;

/** The room list this device last saw for a member: shown at once, and offline. */
export function cachedLounge(userId: string): LoungeResponse | undefined {
  return readCached<LoungeResponse>(loungeCacheKey(userId));
}

export function rememberLounge(userId: string, data: LoungeResponse): void {
  writeCached(loungeCacheKey(userId), data);
}

/** Whether the member may open the room at this address (a 403 says why: banned, private). */
export const checkLoungeRoom = (token: string, slug: string) =>
  apiRequest<{ room: { id: string; slug: string; name: string } }>(`/api/lounge/rooms/${encodeURIComponent(slug)}`, {
    token,
  });
