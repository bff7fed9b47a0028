import { withOfflineCache } from '../lib/offline-cache.ts';
import { apiRequest } from './http.ts';
import type { AuthConfig, MeResponse, SignInResponse, User } from './types.ts';

/** Cached for offline starts: a signed-in member's header keeps its links without the network. */
export const fetchAuthConfig = (): Promise<AuthConfig> =>
  withOfflineCache('lounge.auth-config.v1', () => apiRequest<AuthConfig>('/api/auth/config'));

export interface DemoSignInInput {
  handle: string;
  displayName?: string;
}

export const demoSignIn = (input: DemoSignInInput): Promise<SignInResponse> =>
  apiRequest<SignInResponse>('/api/auth/demo', { method: 'POST', body: input });

export async function fetchMe(token: string): Promise<User> {
  const { user } = await apiRequest<MeResponse>('/api/me', { token });
  return user;
}
