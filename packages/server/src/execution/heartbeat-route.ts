import { EXECUTION_ROUTES } from '@tidemark/core';
import { findTaskInstance, notCurrentAttemptError, recordHeartbeat } from '@tidemark/db';
import type { FastifyInstance } from 'fastify';
import { attemptOf } from './execution-auth.ts';
import type { ExecutionContext } from './execution-context.ts';

/** PUT …/heartbeat (attempt token) → 204, or 409 `stale_attempt` when the TI moved on: the supervisor stops the task. */
export function registerHeartbeatRoute(app: FastifyInstance, context: ExecutionContext): void {
  app.put(EXECUTION_ROUTES.heartbeat, { preHandler: context.auth.requireAttempt }, async (request, reply) => {
    const claims = attemptOf(request);
    const attempt = { tiId: claims.sub, tryNumber: claims.try };
    const alive = await recordHeartbeat(context.database.db, { ...attempt, now: context.now() });
    if (!alive) throw notCurrentAttemptError(attempt, await findTaskInstance(context.database.db, attempt.tiId));
    return reply.code(204).send();
  });
}
