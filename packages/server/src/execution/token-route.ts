import { EXECUTION_ROUTES } from '@tidemark/core';
import { findTaskInstance, isCurrentAttempt, notCurrentAttemptError } from '@tidemark/db';
import type { FastifyInstance } from 'fastify';
import { issueAttemptToken } from './attempt-token.ts';
import { attemptOf } from './execution-auth.ts';
import type { ExecutionContext } from './execution-context.ts';

/**
 * POST /execution/token/refresh (attempt token) → 200 `{token, token_expires_at}` for the same
 * attempt; 409 `stale_attempt` once the attempt is no longer running, so a zombie cannot live on.
 */
export function registerTokenRoute(app: FastifyInstance, context: ExecutionContext): void {
  app.post(EXECUTION_ROUTES.refreshToken, { preHandler: context.auth.requireAttempt }, async (request) => {
    const claims = attemptOf(request);
    const attempt = { tiId: claims.sub, tryNumber: claims.try };
    const ti = await findTaskInstance(context.database.db, attempt.tiId);
    if (!isCurrentAttempt(ti, attempt.tryNumber)) throw notCurrentAttemptError(attempt, ti);
    const { token, expiresAt } = issueAttemptToken(
      context.secretKey,
      attempt,
      context.config.api.token_ttl,
      context.now(),
    );
    return { token, token_expires_at: expiresAt };
  });
}
