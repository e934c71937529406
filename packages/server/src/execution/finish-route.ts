import {
  checkAssetEventExtraSize,
  EXECUTION_ROUTES,
  encodeDeferralValue,
  encodeStateValue,
  type FinishRequest,
  type FinishResponse,
  finishRequestSchema,
  formatDurationMs,
  type JsonValue,
  type OutletEventExtra,
} from '@tidemark/core';
import {
  type AttemptOutcome,
  type AttemptRef,
  deferTry,
  finishAttemptSkipped,
  finishAttemptSuccess,
  recordAttemptFailure,
  type StoredWait,
} from '@tidemark/db';
import type { FastifyBaseLogger, FastifyInstance } from 'fastify';
import { appendAttemptLog } from './attempt-log.ts';
import { attemptOf } from './execution-auth.ts';
import type { ExecutionContext } from './execution-context.ts';
import { parseRequest } from './parse-request.ts';
import { clearTaskStateOnSuccess, replayStagedWrites, stagedWritesPolicy } from './success-state-effects.ts';

/**
 * PATCH …/state (attempt token): how the attempt ended → 200 `{state, next_retry_at}`; the server
 * decides retry or failure from the TI's policy. 409 `stale_attempt` when the attempt is no longer
 * the running one (nothing changes); 413 when the return value (or a deferral's poll arguments) is
 * over `state.max_value_bytes`. `deferred` (SPEC §16): the TI becomes `deferred` and its wait is
 * stored in the same transaction, with its times computed on the server's clock.
 */
export function registerFinishRoute(app: FastifyInstance, context: ExecutionContext): void {
  app.patch(EXECUTION_ROUTES.finish, { preHandler: context.auth.requireAttempt }, async (request) => {
    const claims = attemptOf(request);
    const finish = parseRequest(finishRequestSchema, request.body, 'body');
    const attempt: AttemptRef = { tiId: claims.sub, tryNumber: claims.try };
    const { outcome, notes } = await finishAttempt(context, attempt, finish);
    await logOutcome(context, attempt, finish, outcome, notes, request.log);
    return { state: outcome.state, next_retry_at: outcome.nextRetryAt } satisfies FinishResponse;
  });
}

interface FinishResult {
  readonly outcome: AttemptOutcome;
  /** Extra lines for the attempt's log. */
  readonly notes: readonly string[];
}

async function finishAttempt(
  context: ExecutionContext,
  attempt: AttemptRef,
  finish: FinishRequest,
): Promise<FinishResult> {
  const now = context.now();
  switch (finish.state) {
    case 'success':
      return finishSuccessfully(context, attempt, finish.return_value, finish.outlet_events ?? [], now);
    case 'skipped':
      return { outcome: await finishAttemptSkipped(context.database, { ...attempt, now }), notes: [] };
    case 'failed': {
      const outcome = await recordAttemptFailure(context.database, {
        ...attempt,
        error: finish.error,
        retryable: finish.retryable,
        now,
      });
      return { outcome, notes: [] };
    }
    case 'deferred': {
      const wait = storedWait(finish.wait, now, context.config.state.max_value_bytes);
      const timeoutAt = finish.timeout_ms === undefined ? null : now + finish.timeout_ms;
      const outcome = await deferTry(context.database, { ...attempt, wait, timeoutAt, now });
      return { outcome, notes: [describeWait(wait, timeoutAt, now)] };
    }
  }
}

type DeferredFinish = Extract<FinishRequest, { state: 'deferred' }>;

function storedWait(wait: DeferredFinish['wait'], now: number, maxValueBytes: number): StoredWait {
  if (wait.kind === 'timer') return { kind: 'timer', fireAt: wait.until ?? now + (wait.delay_ms ?? 0) };
  const args = encodeDeferralValue(wait.args, `the arguments of poll "${wait.name}"`, maxValueBytes);
  return { kind: 'poll', name: wait.name, args, everyMs: wait.every_ms };
}

function describeWait(wait: StoredWait, timeoutAt: number | null, now: number): string {
  const what =
    wait.kind === 'timer'
      ? `a timer firing at ${new Date(wait.fireAt).toISOString()}`
      : `poll "${wait.name}" every ${formatDurationMs(wait.everyMs)}`;
  const timeout = timeoutAt === null ? 'no timeout' : `timeout after ${formatDurationMs(timeoutAt - now)}`;
  return `waiting for ${what} (${timeout}); the task runs again, with the same try number, when it fires`;
}

/** Success commits first; a custom backend's staged writes and `state.clear_on_success` follow it. */
async function finishSuccessfully(
  context: ExecutionContext,
  attempt: AttemptRef,
  returnValue: JsonValue | null | undefined,
  outletEvents: readonly OutletEventExtra[],
  now: number,
): Promise<FinishResult> {
  for (const event of outletEvents)
    checkAssetEventExtraSize(event.name, event.extra, context.config.state.max_value_bytes);
  const outcome = await finishAttemptSuccess(context.database, {
    ...attempt,
    outletEvents,
    // A task that returned nothing (or null) leaves no XCom, as in Airflow.
    ...(returnValue === undefined || returnValue === null
      ? {}
      : { returnValue: encodeStateValue(returnValue, context.config.state.max_value_bytes) }),
    stagedWrites: stagedWritesPolicy(context.config, context.stateBackend),
    now,
  });
  const notes = await replayStagedWrites(context.stateBackend, outcome.stagedWrites);
  if (context.config.state.clear_on_success) {
    const ti = await context.identities.get(attempt.tiId);
    await clearTaskStateOnSuccess(context.config, context.stateBackend, ti, {
      kind: 'task',
      dagId: ti.dagId,
      runId: ti.runId,
      taskId: ti.taskId,
      mapIndex: ti.mapIndex,
      tryNumber: attempt.tryNumber,
    });
    notes.push('state.clear_on_success: the task state of this task instance was cleared');
  }
  return { outcome, notes };
}

/** One line in the attempt's log with the server's decision, so a reader sees whether and when it retries. */
async function logOutcome(
  context: ExecutionContext,
  attempt: AttemptRef,
  finish: FinishRequest,
  outcome: AttemptOutcome,
  notes: readonly string[],
  log: FastifyBaseLogger,
): Promise<void> {
  const retry = outcome.nextRetryAt === null ? '' : `; next try at ${new Date(outcome.nextRetryAt).toISOString()}`;
  const finished = outcome.state === 'deferred' ? 'deferred' : 'finished';
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
        message: `attempt ${attempt.tryNumber} ${finished}: task instance is ${outcome.state}${why}${retry}`,
      },
      ...notes.map((message) => ({ ts: context.now(), level: 'info' as const, source: 'server' as const, message })),
    ]);
  } catch (error) {
    log.error({ err: error, ti_id: attempt.tiId }, 'could not write the attempt log');
  }
}
