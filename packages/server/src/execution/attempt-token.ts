import { InvalidTokenError, isTriggererId, signJwt, verifyJwt } from '@tidemark/core';

/**
 * Execution API tokens: HS256 JWTs signed with `api.secret_key`.
 *
 * * attempt token — `{sub: <ti id>, kind: "attempt", try: <try number>, iat, exp}`: names one
 *   attempt; returned by the claim and by refresh; every route but the claim needs one.
 * * worker token — `{sub: "worker", kind: "worker", iat, exp}`: lets a worker claim work. A worker
 *   holding the secret key mints its own.
 * * triggerer token — `{sub: <triggerer id>, kind: "triggerer", iat, exp}` (SPEC §15.3): lets a
 *   triggerer lease watchers and commit their polls; minted by the triggerer like a worker's.
 *
 * `iat` and `exp` are epoch seconds (JWT), `exp` rounded up so a token lives at least `ttlMs`.
 */
export type AttemptTokenClaims = {
  readonly sub: string;
  readonly kind: 'attempt';
  readonly try: number;
  readonly iat: number;
  readonly exp: number;
};

export type WorkerTokenClaims = {
  readonly sub: 'worker';
  readonly kind: 'worker';
  readonly iat: number;
  readonly exp: number;
};

export type TriggererTokenClaims = {
  /** The triggerer id (core `TRIGGERER_ID_PATTERN`). */
  readonly sub: string;
  readonly kind: 'triggerer';
  readonly iat: number;
  readonly exp: number;
};

export type ExecutionTokenClaims = AttemptTokenClaims | WorkerTokenClaims | TriggererTokenClaims;

export interface IssuedToken {
  readonly token: string;
  /** Epoch ms (`exp` × 1000). */
  readonly expiresAt: number;
}

export function issueAttemptToken(
  secretKey: string,
  attempt: { readonly tiId: string; readonly tryNumber: number },
  ttlMs: number,
  now = Date.now(),
): IssuedToken {
  const claims: AttemptTokenClaims = {
    sub: attempt.tiId,
    kind: 'attempt',
    try: attempt.tryNumber,
    iat: Math.floor(now / 1000),
    exp: expiry(now, ttlMs),
  };
  return { token: signJwt(claims, secretKey), expiresAt: claims.exp * 1000 };
}

export function issueWorkerToken(secretKey: string, ttlMs: number, now = Date.now()): string {
  const claims: WorkerTokenClaims = {
    sub: 'worker',
    kind: 'worker',
    iat: Math.floor(now / 1000),
    exp: expiry(now, ttlMs),
  };
  return signJwt(claims, secretKey);
}

export function issueTriggererToken(secretKey: string, triggererId: string, ttlMs: number, now = Date.now()): string {
  const claims: TriggererTokenClaims = {
    sub: triggererId,
    kind: 'triggerer',
    iat: Math.floor(now / 1000),
    exp: expiry(now, ttlMs),
  };
  return signJwt(claims, secretKey);
}

/** The claims of a well-signed, unexpired execution token; InvalidTokenError (401) otherwise. */
export function verifyExecutionToken(token: string, secretKey: string, now = Date.now()): ExecutionTokenClaims {
  const claims = verifyJwt(token, secretKey, now);
  if (claims.kind === 'worker' && claims.sub === 'worker') return claims as unknown as WorkerTokenClaims;
  if (claims.kind === 'attempt') {
    if (!Number.isInteger(claims.try) || (claims.try as number) < 1) {
      throw new InvalidTokenError('an attempt token needs a positive integer "try" claim');
    }
    return claims as unknown as AttemptTokenClaims;
  }
  if (claims.kind === 'triggerer') {
    if (!isTriggererId(claims.sub)) {
      throw new InvalidTokenError('a triggerer token needs a "sub" claim of 1–200 letters, digits and . _ : @ -');
    }
    return claims as unknown as TriggererTokenClaims;
  }
  throw new InvalidTokenError('not an execution token (kind "attempt", "worker" or "triggerer" expected)');
}

function expiry(now: number, ttlMs: number): number {
  return Math.ceil((now + ttlMs) / 1000);
}
