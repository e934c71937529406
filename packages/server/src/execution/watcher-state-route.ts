import { assetScope, TRIGGERER_ROUTES, validateStateKey, type WatcherStateEntry } from '@tidemark/core';
import type { FastifyInstance } from 'fastify';
import { z } from 'zod';
import { StateNotFoundError } from '../errors.ts';
import type { ExecutionContext } from './execution-context.ts';
import { parseRequest } from './parse-request.ts';
import { etag } from './state-store-route-support.ts';
import { leasedWatcherOf } from './watcher-request.ts';

/** Listing reads the whole asset state of the watcher; this bounds it. */
const MAX_LISTED_ENTRIES = 10_000;

const watcherStateQuerySchema = z.object({ key: z.string().optional() });

/**
 * GET /execution/watchers/{watcher_id}/state (triggerer token) — the state of the watcher's own
 * asset, through the configured state backend (values decrypted there; offload envelopes are
 * returned as stored, for the triggerer to resolve). Only while the triggerer holds the watcher's
 * lease: 409 `watcher_lease_lost` otherwise, 404 `watcher_not_found` for an unknown id.
 *   `?key=` → 200 `{key, value, version}` + ETag, 404 `state_not_found` when absent;
 *   no key  → 200 `{entries: [{key, value, version}]}` (at most 10 000, by key).
 */
export function registerWatcherStateRoute(app: FastifyInstance, context: ExecutionContext): void {
  app.get(TRIGGERER_ROUTES.watcherState, { preHandler: context.auth.requireTriggerer }, async (request, reply) => {
    const query = parseRequest(watcherStateQuerySchema, request.query, 'query');
    const key = query.key === undefined ? undefined : validateStateKey(query.key);
    const watcher = await leasedWatcherOf(context, request);
    const scope = assetScope(watcher.assetId);
    if (key === undefined) {
      const page = await context.stateBackend.list(scope, { limit: MAX_LISTED_ENTRIES });
      return { entries: page.entries.map(({ key, value, version }) => ({ key, value, version })) };
    }
    const entry = await context.stateBackend.get(scope, key);
    if (!entry) throw new StateNotFoundError(key, `the asset of watcher "${watcher.name}"`);
    void reply.header('etag', etag(entry.version));
    return { key: entry.key, value: entry.value, version: entry.version } satisfies WatcherStateEntry;
  });
}
