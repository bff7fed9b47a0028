import { apiRequest } from './http.ts';
import type { AuthConfig, MeResponse, SignInResponse, User } from './types.ts';

export const fetchAuthConfig = (): Promise<AuthConfig> => apiRequest<AuthConfig>('/api/auth/config');

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
