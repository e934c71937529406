import { request } from './http.ts';

export interface TokenResponse {
  readonly access_token: string;
  readonly expires_at: string;
}

/** POST /auth/token: username + password → a bearer token carrying the user's role. */
export function requestToken(username: string, password: string): Promise<TokenResponse> {
  return request('/auth/token', { method: 'POST', body: { username, password } });
}
