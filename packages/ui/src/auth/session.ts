/**
 * The signed-in user: the bearer token from POST /auth/token, kept in localStorage, and what its
 * payload says. The api-server's user tokens are JWTs whose claims carry `sub` (the username),
 * `role` and `exp`; the UI reads them only to decide what to show. The server checks the role of
 * every request on its own.
 */

export type UserRole = 'viewer' | 'op' | 'admin';

export interface Session {
  readonly token: string;
  readonly username: string;
  readonly role: UserRole;
  /** Epoch ms. */
  readonly expiresAt: number;
}

const STORAGE_KEY = 'tidemark.session.token';
/** Dispatched on window when the API answers 401: the app shows the sign-in page again. */
export const SESSION_ENDED_EVENT = 'tidemark:session-ended';
const ROLE_RANK: Readonly<Record<UserRole, number>> = { viewer: 0, op: 1, admin: 2 };

/** The session a token describes, or null when it is malformed or expired. */
export function sessionOf(token: string, now = Date.now()): Session | null {
  const claims = decodeClaims(token);
  if (!claims) return null;
  const { sub, role, exp } = claims;
  if (typeof sub !== 'string' || typeof exp !== 'number' || !isRole(role)) return null;
  if (exp * 1000 <= now) return null;
  return { token, username: sub, role, expiresAt: exp * 1000 };
}

export function loadSession(): Session | null {
  const token = window.localStorage.getItem(STORAGE_KEY);
  return token ? sessionOf(token) : null;
}

export function saveSession(session: Session): void {
  window.localStorage.setItem(STORAGE_KEY, session.token);
}

export function forgetSession(): void {
  window.localStorage.removeItem(STORAGE_KEY);
}

/** `op` and `admin` trigger, pause, clear and edit state; `viewer` reads. */
export function canOperate(session: Session | null): boolean {
  return session !== null && ROLE_RANK[session.role] >= ROLE_RANK.op;
}

function decodeClaims(token: string): Record<string, unknown> | null {
  const payload = token.split('.')[1];
  if (!payload) return null;
  try {
    const base64 = payload.replaceAll('-', '+').replaceAll('_', '/');
    const json = new TextDecoder().decode(Uint8Array.from(atob(base64), (char) => char.charCodeAt(0)));
    const claims = JSON.parse(json) as unknown;
    return claims && typeof claims === 'object' ? (claims as Record<string, unknown>) : null;
  } catch {
    return null;
  }
}

function isRole(value: unknown): value is UserRole {
  return value === 'viewer' || value === 'op' || value === 'admin';
}
