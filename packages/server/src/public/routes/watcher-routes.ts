import {
  AssetNotFoundError,
  assetIdParamsSchema,
  isoOrNull,
  paginationQuerySchema,
  type WatcherResponse,
  watcherCollectionSchema,
  watcherListQuerySchema,
} from '@tidemark/core';
import { findAsset, listWatchers, type WatcherRecord } from '@tidemark/db';
import type { PublicApp, PublicRouteContext } from '../public-route-context.ts';
import { errorResponses, VIEWER_ERRORS } from './dag-route-support.ts';

const STATUS_DESCRIPTION =
  'Status: `running` (a triggerer holds its lease), `backing_off` (its last poll failed and it waits out ' +
  'its backoff), `waiting` (no triggerer holds it: none runs, or all are full), `inactive` (its DAG is ' +
  'paused, or no active DAG declares it).';

/**
 * GET /watchers and GET /assets/{asset_id}/watchers (viewer): the asset watchers the DAG files
 * declare (SPEC §15.3), with their status, triggerer, last poll and event, and failures.
 */
export function registerWatcherRoutes(app: PublicApp, context: PublicRouteContext): void {
  const viewer = context.auth.requireRole('viewer');

  app.get(
    '/watchers',
    {
      onRequest: viewer,
      schema: {
        tags: ['Watcher'],
        summary: 'List asset watchers',
        description: `Every watcher, by asset name then name; filter by \`status\` or \`dag_id\`. ${STATUS_DESCRIPTION}`,
        querystring: watcherListQuerySchema,
        response: { 200: watcherCollectionSchema, ...VIEWER_ERRORS },
      },
    },
    async (request) => {
      const query = request.query;
      const page = await listWatchers(context.database.db, {
        limit: query.limit,
        offset: query.offset,
        now: context.now(),
        ...(query.status === undefined ? {} : { status: query.status }),
        ...(query.dag_id === undefined ? {} : { dagId: query.dag_id }),
      });
      return { watchers: page.items.map(watcherResponse), total_entries: page.totalEntries };
    },
  );

  app.get(
    '/assets/:asset_id/watchers',
    {
      onRequest: viewer,
      schema: {
        tags: ['Watcher'],
        summary: "List an asset's watchers",
        description: `The watchers declared on the asset, by name. ${STATUS_DESCRIPTION}`,
        params: assetIdParamsSchema,
        querystring: paginationQuerySchema,
        response: { 200: watcherCollectionSchema, ...VIEWER_ERRORS, ...errorResponses(404) },
      },
    },
    async (request) => {
      const { asset_id: assetId } = request.params;
      if (!(await findAsset(context.database.db, assetId))) throw new AssetNotFoundError(`with id ${assetId}`);
      const page = await listWatchers(context.database.db, {
        limit: request.query.limit,
        offset: request.query.offset,
        now: context.now(),
        assetId,
      });
      return { watchers: page.items.map(watcherResponse), total_entries: page.totalEntries };
    },
  );
}

function watcherResponse(watcher: WatcherRecord): WatcherResponse {
  return {
    id: watcher.id,
    name: watcher.name,
    asset_id: watcher.assetId,
    asset_name: watcher.assetName,
    asset_uri: watcher.assetUri,
    dag_id: watcher.dagId,
    every_ms: watcher.everyMs,
    status: watcher.status,
    triggerer: watcher.triggerer,
    lease_expires_at: isoOrNull(watcher.leaseExpiresAt),
    last_poll_at: isoOrNull(watcher.lastPollAt),
    last_event_at: isoOrNull(watcher.lastEventAt),
    event_count: watcher.eventCount,
    last_error: watcher.lastError,
    last_error_at: isoOrNull(watcher.lastErrorAt),
    failure_count: watcher.failureCount,
    next_poll_at: isoOrNull(watcher.nextPollAt),
  };
}
