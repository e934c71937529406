import { INT32_MAX } from '@tidemark/core';
import { type LeasedWatcherRow, requireWatcherLease } from '@tidemark/db';
import type { FastifyRequest } from 'fastify';
import { z } from 'zod';
import { triggererOf } from './execution-auth.ts';
import type { ExecutionContext } from './execution-context.ts';
import { parseRequest } from './parse-request.ts';

/** What the watcher routes share: the watcher id of the path, and the lease its triggerer must hold. */

const watcherPathSchema = z.object({ watcher_id: z.coerce.number().int().min(1).max(INT32_MAX) });

export function watcherIdOf(request: FastifyRequest): number {
  return parseRequest(watcherPathSchema, request.params, 'path').watcher_id;
}

/**
 * The watcher of the path, if the token's triggerer holds its lease now (with generation `lease`
 * when given): 404 `watcher_not_found`, 409 `watcher_lease_lost` otherwise. A read: the commit
 * checks again under a row lock.
 */
export function leasedWatcherOf(
  context: ExecutionContext,
  request: FastifyRequest,
  lease?: number,
): Promise<LeasedWatcherRow> {
  return requireWatcherLease(
    context.database.db,
    context.database.dialect,
    {
      watcherId: watcherIdOf(request),
      owner: triggererOf(request).sub,
      ...(lease === undefined ? {} : { lease }),
      now: context.now(),
    },
    { lock: false },
  );
}
