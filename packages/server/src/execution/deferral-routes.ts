import {
  DEFERRAL_ROUTES,
  type DeferralErrorResponse,
  type DeferralFireResponse,
  type DeferralLeaseResponse,
  deferralErrorRequestSchema,
  deferralFireRequestSchema,
  deferralIdPathSchema,
  deferralLeaseRequestSchema,
  deferralTakeRequestSchema,
  encodeDeferralValue,
  type LeasedDeferral,
} from '@tidemark/core';
import {
  type DeferredTry,
  failDeferralWait,
  fireDeferral,
  hasFreeDeferral,
  type LeasedDeferralRecord,
  leaseDeferrals,
  releaseAllDeferralLeases,
  takeNewDeferrals,
} from '@tidemark/db';
import type { FastifyBaseLogger, FastifyInstance } from 'fastify';
import { type AttemptLogEntry, appendAttemptLog } from './attempt-log.ts';
import { triggererOf } from './execution-auth.ts';
import type { ExecutionContext } from './execution-context.ts';
import { parseRequest } from './parse-request.ts';

/**
 * The waits of deferred tries, run by triggerers (SPEC §16), triggerer token:
 *   POST   /execution/triggerers/{triggerer_id}/deferral-leases → 200 DeferralLeaseResponse: records
 *          the idle checks reported, renews this triggerer's deferral leases, gives back those that
 *          no longer wait, takes free or expired ones up to `capacity`, and lists what it holds.
 *   DELETE /execution/triggerers/{triggerer_id}/deferral-leases → 204: gives them all back.
 *   POST   /execution/triggerers/{triggerer_id}/deferral-leases/new → 200 DeferralLeaseResponse with
 *          only the deferrals it took now (free or expired, up to the capacity left); with `wait_ms`
 *          a long poll while there are none.
 *   POST   /execution/deferrals/{deferral_id}/fire `{lease, event}` → 200 `{resumed}`: the TI moves
 *          deferred → scheduled and resumes with `event`; a deferral that already fired: `resumed:
 *          false`, nothing changes. 404 `deferral_not_found`: it no longer exists (resumed, timed
 *          out, cancelled); 409 `deferral_lease_lost`; 413: `event` over `state.max_value_bytes`.
 *   POST   /execution/deferrals/{deferral_id}/error `{lease, error}` → 200 `{state, next_retry_at}`:
 *          the try fails with its retry policy.
 * Fire and error add a line to the deferred attempt's log.
 */
export function registerDeferralRoutes(app: FastifyInstance, context: ExecutionContext): void {
  const preHandler = context.auth.requireTriggerer;

  app.post(DEFERRAL_ROUTES.leases, { preHandler }, async (request) => {
    const body = parseRequest(deferralLeaseRequestSchema, request.body, 'body');
    const leaseTimeoutMs = context.config.triggerer.lease_timeout;
    const grant = await leaseDeferrals(context.database, {
      owner: triggererOf(request).sub,
      hostname: body.hostname,
      capacity: body.capacity,
      idleChecks: (body.idle_checks ?? []).map((check) => ({
        deferralId: check.deferral_id,
        lease: check.lease,
        checkedAt: check.checked_at,
      })),
      now: context.now(),
      leaseTimeoutMs,
    });
    return {
      lease_expires_at: grant.expiresAt,
      lease_timeout_ms: leaseTimeoutMs,
      deferrals: grant.deferrals.map(leasedDeferralResponse),
    } satisfies DeferralLeaseResponse;
  });

  app.post(DEFERRAL_ROUTES.take, { preHandler }, async (request) => {
    const body = parseRequest(deferralTakeRequestSchema, request.body, 'body');
    const owner = triggererOf(request).sub;
    const leaseTimeoutMs = context.config.triggerer.lease_timeout;
    const deadline = performance.now() + (body.wait_ms ?? 0);
    const hungUp = () => request.raw.socket?.destroyed === true;
    for (;;) {
      const grant = await takeNewDeferrals(context.database, {
        owner,
        hostname: body.hostname,
        capacity: body.capacity,
        now: context.now(),
        leaseTimeoutMs,
      });
      const done = grant.deferrals.length > 0 || grant.room === 0;
      if (done || !(await waitForFreeDeferral(context, deadline, hungUp))) {
        return {
          lease_expires_at: grant.expiresAt,
          lease_timeout_ms: leaseTimeoutMs,
          deferrals: grant.deferrals.map(leasedDeferralResponse),
        } satisfies DeferralLeaseResponse;
      }
    }
  });

  app.delete(DEFERRAL_ROUTES.releaseLeases, { preHandler }, async (request, reply) => {
    await releaseAllDeferralLeases(context.database.db, triggererOf(request).sub, context.now());
    return reply.code(204).send();
  });

  app.post(DEFERRAL_ROUTES.fire, { preHandler }, async (request) => {
    const { deferral_id: deferralId } = parseRequest(deferralIdPathSchema, request.params, 'path');
    const body = parseRequest(deferralFireRequestSchema, request.body, 'body');
    const event = encodeDeferralValue(
      body.event,
      `the event of deferral ${deferralId}`,
      context.config.state.max_value_bytes,
    );
    const now = context.now();
    const fired = await fireDeferral(context.database, {
      deferralId,
      owner: triggererOf(request).sub,
      lease: body.lease,
      event,
      now,
    });
    if (fired.resumed) {
      await logToAttempt(context, fired, request.log, {
        ts: now,
        level: 'info',
        source: 'server',
        message: `the wait fired (triggerer ${triggererOf(request).sub}): task instance is scheduled to resume attempt ${fired.tryNumber}`,
      });
    }
    return { resumed: fired.resumed } satisfies DeferralFireResponse;
  });

  app.post(DEFERRAL_ROUTES.error, { preHandler }, async (request) => {
    const { deferral_id: deferralId } = parseRequest(deferralIdPathSchema, request.params, 'path');
    const body = parseRequest(deferralErrorRequestSchema, request.body, 'body');
    const now = context.now();
    const failed = await failDeferralWait(context.database, {
      deferralId,
      owner: triggererOf(request).sub,
      lease: body.lease,
      now,
    });
    const retry = failed.nextRetryAt === null ? '' : `; next try at ${new Date(failed.nextRetryAt).toISOString()}`;
    await logToAttempt(context, failed, request.log, {
      ts: now,
      level: 'error',
      source: 'server',
      message: `attempt ${failed.tryNumber} failed in its wait: ${body.error}; task instance is ${failed.state}${retry}`,
    });
    return { state: failed.state, next_retry_at: failed.nextRetryAt } satisfies DeferralErrorResponse;
  });
}

/** How often a waiting take looks for free deferrals. */
const FREE_CHECK_INTERVAL_MS = 50;

/** Polls (a read) until a deferral is free: true then, false when the deadline passed or the triggerer left. */
async function waitForFreeDeferral(
  context: ExecutionContext,
  deadline: number,
  hungUp: () => boolean,
): Promise<boolean> {
  while (performance.now() < deadline && !hungUp()) {
    await new Promise((resolve) => setTimeout(resolve, FREE_CHECK_INTERVAL_MS));
    if (await hasFreeDeferral(context.database.db, context.now())) return true;
  }
  return false;
}

/** One line in the deferred attempt's log; a log that cannot be written is logged, not an error of the request. */
export async function logToAttempt(
  context: Pick<ExecutionContext, 'identities' | 'logsFolder'>,
  attempt: DeferredTry,
  log: FastifyBaseLogger,
  entry: AttemptLogEntry,
): Promise<void> {
  try {
    const ti = await context.identities.get(attempt.tiId);
    await appendAttemptLog(context.logsFolder, { ...ti, tryNumber: attempt.tryNumber }, [entry]);
  } catch (error) {
    log.error({ err: error, ti_id: attempt.tiId }, 'could not write the attempt log');
  }
}

function leasedDeferralResponse(deferral: LeasedDeferralRecord): LeasedDeferral {
  return {
    id: deferral.id,
    lease: deferral.lease,
    kind: deferral.kind,
    ti: {
      id: deferral.ti.id,
      dag_id: deferral.ti.dagId,
      run_id: deferral.ti.runId,
      task_id: deferral.ti.taskId,
      map_index: deferral.ti.mapIndex,
      try_number: deferral.ti.tryNumber,
    },
    fileloc: deferral.fileloc,
    poll_name: deferral.pollName,
    args: deferral.args,
    every_ms: deferral.everyMs,
    next_check_at: deferral.nextCheckAt,
    timeout_at: deferral.timeoutAt,
  };
}
