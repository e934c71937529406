import {
  type ClaimBatch,
  type ClaimedAttempt,
  claimRequestSchema,
  EXECUTION_ROUTES,
  triggeringAssetEventToWire,
} from '@tidemark/core';
import { type ClaimedTaskInstance, claimNextAttempts, hasQueuedAttempt, recordAttemptFailure } from '@tidemark/db';
import type { FastifyBaseLogger, FastifyInstance } from 'fastify';
import { appendAttemptLog } from './attempt-log.ts';
import { issueAttemptToken } from './attempt-token.ts';
import { type ExecutionContext, heartbeatIntervalMs } from './execution-context.ts';
import { parseRequest } from './parse-request.ts';

/** A claim fails mapped TIs whose element is missing and claims again, at most this many rounds per request. */
const MAX_CLAIM_ROUNDS_PER_REQUEST = 10;

/** How often a waiting claim looks for queued work. */
const QUEUED_CHECK_INTERVAL_MS = 20;

/**
 * POST /execution/workloads/claim (worker token) → 200 ClaimedAttempt, or 204 when nothing is
 * queued. With `max_attempts` the 200 is a ClaimBatch of up to that many attempts, claimed in one
 * transaction (a worker asks for its free slots). With `wait_ms`, an empty queue holds the request (long poll) until work is queued, the
 * wait is over or the worker hangs up: workers pick up new work within milliseconds without
 * hammering the database with claims.
 */
export function registerClaimRoute(app: FastifyInstance, context: ExecutionContext): void {
  app.post(EXECUTION_ROUTES.claim, { preHandler: context.auth.requireWorker }, async (request, reply) => {
    const {
      worker,
      wait_ms: waitMs = 0,
      max_attempts: maxAttempts,
    } = parseRequest(claimRequestSchema, request.body, 'body');
    const deadline = performance.now() + waitMs;
    // The request itself is destroyed once its body is read; the connection says whether the worker left.
    const hungUp = () => request.raw.socket?.destroyed === true;
    do {
      const claimed = await claimQueuedAttempts(context, worker, maxAttempts ?? 1, request.log);
      if (claimed.length > 0) return toAnswer(claimed, maxAttempts !== undefined, context);
    } while (await waitForQueuedWork(context, deadline, hungUp));
    return reply.code(204).send();
  });
}

/** Up to `limit` runnable claims; mapped TIs without their element are failed on the way and claimed past. */
async function claimQueuedAttempts(
  context: ExecutionContext,
  worker: string,
  limit: number,
  log: FastifyBaseLogger,
): Promise<ClaimedTaskInstance[]> {
  for (let round = 0; round < MAX_CLAIM_ROUNDS_PER_REQUEST; round++) {
    const claimed = await claimNextAttempts(context.database, { worker, now: context.now(), limit });
    if (claimed.length === 0) return [];
    const runnable: ClaimedTaskInstance[] = [];
    for (const attempt of claimed) {
      if (attempt.mapItemError === undefined) runnable.push(attempt);
      else await failUnmappableAttempt(attempt, attempt.mapItemError, context, log);
    }
    if (runnable.length > 0) return runnable;
  }
  return [];
}

function toAnswer(
  claimed: readonly ClaimedTaskInstance[],
  batch: boolean,
  context: ExecutionContext,
): ClaimedAttempt | ClaimBatch {
  const attempts = claimed.map((attempt) => toClaimedAttempt(attempt, context));
  return batch ? { attempts } : (attempts[0] as ClaimedAttempt);
}

/** Polls (a read) until something is queued: true then, false when the deadline passed or the worker left. */
async function waitForQueuedWork(context: ExecutionContext, deadline: number, hungUp: () => boolean): Promise<boolean> {
  if (performance.now() < deadline && !hungUp()) context.onClaimWaiting?.();
  while (performance.now() < deadline && !hungUp()) {
    await new Promise((resolve) => setTimeout(resolve, QUEUED_CHECK_INTERVAL_MS));
    if (await hasQueuedAttempt(context.database.db)) return true;
  }
  return false;
}

function toClaimedAttempt(claimed: ClaimedTaskInstance, context: ExecutionContext): ClaimedAttempt {
  const ti = claimed.taskInstance;
  context.identities.remember(ti);
  context.metrics?.claimed(ti.queued_at, context.now());
  const { token, expiresAt } = issueAttemptToken(
    context.secretKey,
    { tiId: ti.id, tryNumber: ti.try_number },
    context.config.api.token_ttl,
    context.now(),
  );
  return {
    token,
    token_expires_at: expiresAt,
    ti_id: ti.id,
    dag_id: ti.dag_id,
    run_id: ti.run_id,
    task_id: ti.task_id,
    map_index: ti.map_index,
    try_number: ti.try_number,
    max_tries: Math.max(1, ti.max_tries),
    fileloc: claimed.fileloc,
    conf: claimed.conf,
    logical_date: claimed.logicalDate,
    ...(claimed.mapItem !== undefined ? { map_item: claimed.mapItem } : {}),
    ...(claimed.triggeringAssetEvents.length > 0
      ? { triggering_asset_events: claimed.triggeringAssetEvents.map(triggeringAssetEventToWire) }
      : {}),
    execution_timeout_ms: claimed.executionTimeoutMs,
    ...(claimed.resumedWith !== undefined ? { resumed_with: claimed.resumedWith } : {}),
    heartbeat_interval_ms: heartbeatIntervalMs(context.config),
  };
}

/** A mapped TI without its element cannot run: it fails at once (no retry would find the element), saying why in its log. */
async function failUnmappableAttempt(
  claimed: ClaimedTaskInstance,
  reason: string,
  context: ExecutionContext,
  log: FastifyBaseLogger,
): Promise<void> {
  const ti = claimed.taskInstance;
  const now = context.now();
  const address = {
    dagId: ti.dag_id,
    runId: ti.run_id,
    taskId: ti.task_id,
    mapIndex: ti.map_index,
    tryNumber: ti.try_number,
  };
  log.warn({ ti_id: ti.id, ...address }, reason);
  await appendAttemptLog(context.logsFolder, address, [
    { ts: now, level: 'error', source: 'server', message: `cannot run: ${reason}` },
  ]).catch((error: unknown) => log.error({ err: error }, 'could not write the attempt log'));
  await recordAttemptFailure(context.database, {
    tiId: ti.id,
    tryNumber: ti.try_number,
    error: reason,
    retryable: false,
    now,
  });
}
