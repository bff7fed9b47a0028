import { readCached, writeCached } from '../lib/offline-cache.ts';
import { apiRequest } from './http.ts';
import type { CirclesResponse } from './types.ts';

/** The member's Thrive Circles: active first, newest cohort first (the server's order). */
export function fetchCircles(token: string): Promise<CirclesResponse> {
  return apiRequest<CirclesResponse>('/api/circles', { token });
}

/** Kept per member like the Lounge's room list, and wiped with it at sign-out (Replica.destroy). */
export const circlesCacheKey = (userId: string) => `lounge.circles.v1.${userId}`;

/** The circles this device last saw for a member: shown at once, and offline. */
export function cachedCircles(userId: string): CirclesResponse | undefined {
  return readCached<CirclesResponse>(circlesCacheKey(userId));
}

export function rememberCircles(userId: string, data: CirclesResponse): void {
  writeCached(circlesCacheKey(userId), data);
}
