import { type LeasedWatcher, type LeaseResponse, leaseRequestSchema, TRIGGERER_ROUTES } from '@tidemark/core';
import { type LeasedWatcherRecord, leaseWatchers, releaseAllWatcherLeases } from '@tidemark/db';
import type { FastifyInstance } from 'fastify';
import { triggererOf } from './execution-auth.ts';
import type { ExecutionContext } from './execution-context.ts';
import { attachLeasedStates, readLeasedState } from './leased-watcher-states.ts';
import { parseRequest } from './parse-request.ts';

/**
 * The leases of a triggerer (SPEC §15.3), triggerer token whose subject is `:triggerer_id`:
 *   POST   /execution/triggerers/{triggerer_id}/leases → 200 LeaseResponse: records the idle polls
 *          reported, renews this triggerer's leases, gives back those of watchers no longer active
 *          (or of a paused DAG), takes free or expired ones up to `capacity`, and lists what it holds;
 *          with `with_state`, each with its asset's state when that is small (leased-watcher-states.ts).
 *   DELETE /execution/triggerers/{triggerer_id}/leases → 204: gives every lease back (a graceful stop).
 */
export function registerTriggererLeaseRoutes(app: FastifyInstance, context: ExecutionContext): void {
  const preHandler = context.auth.requireTriggerer;

  app.post(TRIGGERER_ROUTES.leases, { preHandler }, async (request) => {
    const triggerer = triggererOf(request);
    const body = parseRequest(leaseRequestSchema, request.body, 'body');
    const leaseTimeoutMs = context.config.triggerer.lease_timeout;
    const grant = await leaseWatchers(context.database, {
      owner: triggerer.sub,
      hostname: body.hostname,
      capacity: body.capacity,
      idlePolls: (body.idle_polls ?? []).map((poll) => ({
        watcherId: poll.watcher_id,
        lease: poll.lease,
        polledAt: poll.polled_at,
      })),
      now: context.now(),
      leaseTimeoutMs,
    });
    const watchers = grant.watchers.map(leasedWatcherResponse);
    if (body.with_state) {
      await attachLeasedStates(watchers, (assetId) => readLeasedState(context.stateBackend, assetId));
    }
    return { lease_expires_at: grant.expiresAt, lease_timeout_ms: leaseTimeoutMs, watchers } satisfies LeaseResponse;
  });

  app.delete(TRIGGERER_ROUTES.releaseLeases, { preHandler }, async (request, reply) => {
    await releaseAllWatcherLeases(context.database.db, triggererOf(request).sub, context.now());
    return reply.code(204).send();
  });
}

function leasedWatcherResponse(watcher: LeasedWatcherRecord): LeasedWatcher {
  return {
    id: watcher.id,
    name: watcher.name,
    asset: { id: watcher.assetId, name: watcher.assetName, uri: watcher.assetUri },
    dag_id: watcher.dagId,
    fileloc: watcher.fileloc,
    every_ms: watcher.everyMs,
    lease: watcher.lease,
    next_poll_at: watcher.nextPollAt,
    failure_count: watcher.failureCount,
  };
}
