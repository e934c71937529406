import { InvalidTokenError, isUserRole, roleAllows, signJwt, type UserRole, verifyJwt } from '@tidemark/core';
import type { FastifyRequest } from 'fastify';
import { ForbiddenError } from '../errors.ts';

export interface UserTokenClaims {
  readonly sub: string;
  readonly kind: 'user';
  readonly role: UserRole;
  readonly exp: number;
}

declare module 'fastify' {
  interface FastifyRequest {
    /** The caller of a public API route, set by `requireRole`. */
    user: UserTokenClaims | null;
  }
}

/** Bearer tokens of people, the UI and scripts (`POST /auth/token`), and the role check of every public route. */
export class UserAuth {
  readonly #secretKey: string;
  readonly #now: () => number;

  constructor(secretKey: string, now: () => number = Date.now) {
    this.#secretKey = secretKey;
    this.#now = now;
  }

  issue(username: string, role: UserRole, ttlMs: number): { token: string; expiresAt: number } {
    const exp = Math.ceil((this.#now() + ttlMs) / 1000);
    const token = signJwt(
      { sub: username, kind: 'user', role, iat: Math.floor(this.#now() / 1000), exp },
      this.#secretKey,
    );
    return { token, expiresAt: exp * 1000 };
  }

  /** preHandler: a valid user token whose role is at least `required`; 401 without one, 403 below it. */
  requireRole(required: UserRole) {
    return async (request: FastifyRequest): Promise<void> => {
      const claims = this.authenticate(request.headers.authorization);
      if (!roleAllows(claims.role, required)) {
        throw new ForbiddenError(`this needs the role "${required}"; user "${claims.sub}" has "${claims.role}"`);
      }
      request.user = claims;
    };
  }

  authenticate(authorization: string | undefined): UserTokenClaims {
    const match = /^Bearer\s+(\S+)$/i.exec(authorization ?? '');
    if (!match) {
      throw new InvalidTokenError('send "Authorization: Bearer <token>"; get a token from POST /auth/token');
    }
    const claims = verifyJwt(match[1] as string, this.#secretKey, this.#now());
    if (claims.kind !== 'user') throw new InvalidTokenError('this is not a user token; get one from POST /auth/token');
    // Without this a token with no or an unknown role would pass as a 403 ("has undefined"), not a 401.
    if (!isUserRole(claims.role)) throw new InvalidTokenError('a user token needs a role of viewer, op or admin');
    return claims as unknown as UserTokenClaims;
  }
}
