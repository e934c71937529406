import { EXECUTION_ROUTES, logBatchSchema } from '@tidemark/core';
import type { FastifyInstance } from 'fastify';
import { appendAttemptLog } from './attempt-log.ts';
import { attemptOf } from './execution-auth.ts';
import type { ExecutionContext } from './execution-context.ts';
import { parseRequest } from './parse-request.ts';

/**
 * POST …/logs (attempt token) body `{lines}` → 204: appended to the attempt's log file. Accepted
 * from a stale attempt too: its lines go to its own try's file and explain what it was doing.
 */
export function registerLogsRoute(app: FastifyInstance, context: ExecutionContext): void {
  app.post(EXECUTION_ROUTES.logs, { preHandler: context.auth.requireAttempt }, async (request, reply) => {
    const claims = attemptOf(request);
    const { lines } = parseRequest(logBatchSchema, request.body, 'body');
    const ti = await context.identities.get(claims.sub);
    await appendAttemptLog(context.logsFolder, { ...ti, tryNumber: claims.try }, lines);
    return reply.code(204).send();
  });
}
