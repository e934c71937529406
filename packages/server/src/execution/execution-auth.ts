import { InvalidTokenError } from '@tidemark/core';
import type { FastifyRequest } from 'fastify';
import { ForbiddenError } from '../errors.ts';
import { syncHook } from '../sync-hook.ts';
import {
  type AttemptTokenClaims,
  type ExecutionTokenClaims,
  type TriggererTokenClaims,
  verifyExecutionToken,
} from './attempt-token.ts';

declare module 'fastify' {
  interface FastifyRequest {
    /** Set by the execution API's auth preHandlers. */
    executionToken: ExecutionTokenClaims | null;
  }
}

/** Above this many cached tokens, expired ones are swept; if that is not enough the cache starts over. */
const MAX_CACHED_TOKENS = 10_000;

/**
 * Bearer-token checks for the execution API. Verified tokens' claims are cached until they expire,
 * so the hot path (heartbeats, logs, state) pays one Map lookup instead of an HMAC per request.
 */
export class ExecutionAuth {
  readonly #secretKey: string;
  readonly #now: () => number;
  readonly #verified = new Map<string, ExecutionTokenClaims>();

  constructor(secretKey: string, now: () => number = Date.now) {
    this.#secretKey = secretKey;
    this.#now = now;
  }

  /** preHandler of the claim route: a worker token. */
  readonly requireWorker = syncHook((request) => {
    const claims = this.authenticate(request.headers.authorization);
    if (claims.kind !== 'worker') {
      throw new ForbiddenError(`claiming work needs a worker token (kind "worker"); this is ${describeToken(claims)}`);
    }
    request.executionToken = claims;
  });

  /** preHandler of the attempt routes: an attempt token, for the TI in the path when there is one. */
  readonly requireAttempt = syncHook((request) => {
    const claims = this.authenticate(request.headers.authorization);
    if (claims.kind !== 'attempt') {
      throw new ForbiddenError(
        `this route needs the attempt token returned by the claim (kind "attempt"), not ${describeToken(claims)}`,
      );
    }
    const tiId = (request.params as { ti_id?: string } | undefined)?.ti_id;
    if (tiId !== undefined && tiId !== claims.sub) {
      throw new ForbiddenError(
        `the token of task instance ${claims.sub} may not act on task instance ${tiId}; use that attempt's own token`,
      );
    }
    request.executionToken = claims;
  });

  /**
   * preHandler of the triggerer routes (SPEC §15.3): a triggerer token, whose subject is the
   * `:triggerer_id` of the path when there is one.
   */
  readonly requireTriggerer = syncHook((request) => {
    const claims = this.authenticate(request.headers.authorization);
    if (claims.kind !== 'triggerer') {
      throw new ForbiddenError(`this route needs a triggerer token (kind "triggerer"), not ${describeToken(claims)}`);
    }
    const triggererId = (request.params as { triggerer_id?: string } | undefined)?.triggerer_id;
    if (triggererId !== undefined && triggererId !== claims.sub) {
      throw new ForbiddenError(
        `the token of triggerer "${claims.sub}" may not act as triggerer "${triggererId.slice(0, 200)}"; ` +
          'use the id the token was minted for',
      );
    }
    request.executionToken = claims;
  });

  /** The claims of the `Authorization: Bearer` token; InvalidTokenError (401) when missing, forged or expired. */
  authenticate(authorization: string | undefined): ExecutionTokenClaims {
    const token = bearerToken(authorization);
    const now = this.#now();
    const cached = this.#verified.get(token);
    if (cached) {
      if (cached.exp * 1000 > now) return cached;
      this.#verified.delete(token);
      throw new InvalidTokenError('expired');
    }
    const claims = verifyExecutionToken(token, this.#secretKey, now);
    this.#remember(token, claims, now);
    return claims;
  }

  #remember(token: string, claims: ExecutionTokenClaims, now: number): void {
    if (this.#verified.size >= MAX_CACHED_TOKENS) {
      for (const [cachedToken, cachedClaims] of this.#verified) {
        if (cachedClaims.exp * 1000 <= now) this.#verified.delete(cachedToken);
      }
      if (this.#verified.size >= MAX_CACHED_TOKENS) this.#verified.clear();
    }
    this.#verified.set(token, claims);
  }
}

/** The attempt behind a request that passed `requireAttempt`. */
export function attemptOf(request: FastifyRequest): AttemptTokenClaims {
  const claims = request.executionToken;
  if (claims?.kind !== 'attempt') throw new Error('route registered without the requireAttempt preHandler');
  return claims;
}

/** The triggerer behind a request that passed `requireTriggerer`. */
export function triggererOf(request: FastifyRequest): TriggererTokenClaims {
  const claims = request.executionToken;
  if (claims?.kind !== 'triggerer') throw new Error('route registered without the requireTriggerer preHandler');
  return claims;
}

/** For 403 messages: which token the caller sent. */
function describeToken(claims: ExecutionTokenClaims): string {
  switch (claims.kind) {
    case 'attempt':
      return `the attempt token of task instance ${claims.sub}`;
    case 'worker':
      return 'a worker token';
    case 'triggerer':
      return `the token of triggerer "${claims.sub}"`;
  }
}

function bearerToken(authorization: string | undefined): string {
  if (!authorization) throw new InvalidTokenError('no Authorization header; send "Authorization: Bearer <token>"');
  const match = /^Bearer\s+(\S+)\s*$/i.exec(authorization);
  if (!match) throw new InvalidTokenError('the Authorization header must be "Bearer <token>"');
  return match[1] as string;
}
