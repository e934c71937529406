import {
  EXECUTION_ROUTES,
  encodeStateValue,
  type FinishRequest,
  type FinishResponse,
  finishRequestSchema,
} from '@tidemark/core';
import {
  type AttemptOutcome,
  type AttemptRef,
  finishAttemptSkipped,
  finishAttemptSuccess,
  recordAttemptFailure,
} from '@tidemark/db';
import type { FastifyBaseLogger, FastifyInstance } from 'fastify';
import { appendAttemptLog } from './attempt-log.ts';
import { attemptOf } from './execution-auth.ts';
import type { ExecutionContext } from './execution-context.ts';
import { parseRequest } from './parse-request.ts';

/**
 * PATCH …/state (attempt token): how the attempt ended → 200 `{state, next_retry_at}`; the server
 * decides retry or failure from the TI's policy. 409 `stale_attempt` when the attempt is no longer
 * the running one (nothing changes); 413 when the return value is over `state.max_value_bytes`.
 */
export function registerFinishRoute(app: FastifyInstance, context: ExecutionContext): void {
  app.patch(EXECUTION_ROUTES.finish, { preHandler: context.auth.requireAttempt }, async (request) => {
    const claims = attemptOf(request);
    const finish = parseRequest(finishRequestSchema, request.body, 'body');
    const attempt: AttemptRef = { tiId: claims.sub, tryNumber: claims.try };
    const outcome = await finishAttempt(context, attempt, finish);
    await logOutcome(context, attempt, finish, outcome, request.log);
    return { state: outcome.state, next_retry_at: outcome.nextRetryAt } satisfies FinishResponse;
  });
}

function finishAttempt(context: ExecutionContext, attempt: AttemptRef, finish: FinishRequest): Promise<AttemptOutcome> {
  const now = context.now();
  switch (finish.state) {
    case 'success':
      return finishAttemptSuccess(context.database, {
        ...attempt,
        // A task that returned nothing (or null) leaves no XCom, as in Airflow.
        ...(finish.return_value === undefined || finish.return_value === null
          ? {}
          : { returnValue: encodeStateValue(finish.return_value, context.config.state.max_value_bytes) }),
        now,
      });
    case 'skipped':
      return finishAttemptSkipped(context.database, { ...attempt, now });
    case 'failed':
      return recordAttemptFailure(context.database, {
        ...attempt,
        error: finish.error,
        retryable: finish.retryable,
        now,
      });
  }
}

/** One line in the attempt's log with the server's decision, so a reader sees whether and when it retries. */
async function logOutcome(
  context: ExecutionContext,
  attempt: AttemptRef,
  finish: FinishRequest,
  outcome: AttemptOutcome,
  log: FastifyBaseLogger,
): Promise<void> {
  const retry = outcome.nextRetryAt === null ? '' : `; next try at ${new Date(outcome.nextRetryAt).toISOString()}`;
  const why =
    finish.state === 'skipped'
      ? `: ${finish.reason}`
      : finish.state === 'failed' && !finish.retryable
        ? ' (not retryable)'
        : '';
  try {
    const ti = await context.identities.get(attempt.tiId);
    await appendAttemptLog(context.logsFolder, { ...ti, tryNumber: attempt.tryNumber }, [
      {
        ts: context.now(),
        level: outcome.state === 'failed' ? 'error' : 'info',
        source: 'server',
        message: `attempt ${attempt.tryNumber} finished: task instance is ${outcome.state}${why}${retry}`,
      },
    ]);
  } catch (error) {
    log.error({ err: error, ti_id: attempt.tiId }, 'could not write the attempt log');
  }
}
