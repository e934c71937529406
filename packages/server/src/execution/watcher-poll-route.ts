import {
  assetScope,
  checkAssetEventExtraSize,
  type StateWriter,
  TRIGGERER_ROUTES,
  type WatcherPollResponse,
  watcherPollRequestSchema,
} from '@tidemark/core';
import {
  commitWatcherPoll,
  findAsset,
  type LeasedWatcherRow,
  MetastoreStateBackend,
  recordWatcherPollFailure,
} from '@tidemark/db';
import type { FastifyInstance } from 'fastify';
import { RequestValidationError } from '../errors.ts';
import { triggererOf } from './execution-auth.ts';
import type { ExecutionContext } from './execution-context.ts';
import { parseRequest } from './parse-request.ts';
import { leasedWatcherOf } from './watcher-request.ts';
import { type AppliedChange, applyThrough, applyWithin, checkStateChanges } from './watcher-state-changes.ts';

/**
 * POST /execution/watchers/{watcher_id}/polls (triggerer token) — one poll's outcome, under the
 * lease generation it ran with (else 409 `watcher_lease_lost`, nothing written):
 * * `ok`: its events and state changes commit in ONE transaction (metastore backend): each event
 *   recorded and queued for the DAGs scheduled on the asset (source `watcher`), each state change
 *   written on the watcher's own asset (writer `watcher`; another asset: 403) with compare-and-set
 *   (`if_version`; a mismatch: 412 `state_conflict` and nothing at all is written); the failure
 *   count resets and the next poll is one interval after `polled_at`.
 * * `error`: one more failure in a row, the error kept, the next poll after the backoff
 *   (`min(max(every, 1 s) × 2^(failures − 1), triggerer.max_backoff)`); events or state: 422.
 * → 200 WatcherPollResponse.
 */
export function registerWatcherPollRoute(app: FastifyInstance, context: ExecutionContext): void {
  app.post(TRIGGERER_ROUTES.watcherPolls, { preHandler: context.auth.requireTriggerer }, async (request) => {
    const body = parseRequest(watcherPollRequestSchema, request.body, 'body');
    const watcher = await leasedWatcherOf(context, request, body.lease);
    const lease = { watcherId: watcher.id, owner: triggererOf(request).sub, lease: body.lease, now: context.now() };
    if (body.outcome === 'error') {
      if (body.events.length > 0 || body.state.length > 0) {
        throw new RequestValidationError(
          'a poll with outcome "error" commits nothing: send its events and state changes with outcome "ok"',
        );
      }
      const failure = await recordWatcherPollFailure(context.database, {
        lease,
        polledAt: body.polled_at,
        error: body.error ?? 'the watcher failed without a message',
        maxBackoffMs: context.config.triggerer.max_backoff,
      });
      return {
        event_ids: [],
        state: [],
        next_poll_at: failure.nextPollAt,
        failure_count: failure.failureCount,
      } satisfies WatcherPollResponse;
    }
    const assetName = await assetNameOf(context, watcher);
    const maxValueBytes = context.config.state.max_value_bytes;
    checkStateChanges(body.state, { name: watcher.name, assetName }, maxValueBytes);
    for (const event of body.events) checkAssetEventExtraSize(assetName, event.extra ?? {}, maxValueBytes);

    const scope = assetScope(watcher.assetId);
    const writer: StateWriter = { kind: 'watcher', watcher: watcher.name, dagId: watcher.dagId };
    const backend = context.stateBackend;
    const poll = { lease, polledAt: body.polled_at, events: body.events };
    let committed: { eventIds: number[]; state: AppliedChange[]; nextPollAt: number; failureCount: number };
    if (backend instanceof MetastoreStateBackend) {
      committed = await commitWatcherPoll(context.database, poll, (trx) =>
        applyWithin(backend, trx, scope, body.state, writer),
      );
    } else {
      const applied = await applyThrough(backend, scope, body.state, writer);
      committed = await commitWatcherPoll(context.database, poll, async () => applied);
    }
    return {
      event_ids: committed.eventIds,
      state: committed.state,
      next_poll_at: committed.nextPollAt,
      failure_count: committed.failureCount,
    } satisfies WatcherPollResponse;
  });
}

async function assetNameOf(context: ExecutionContext, watcher: LeasedWatcherRow): Promise<string> {
  return (await findAsset(context.database.db, watcher.assetId))?.name ?? '';
}
