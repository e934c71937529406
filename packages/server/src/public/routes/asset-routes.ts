import {
  type AssetEventOrderField,
  AssetNotFoundError,
  type AssetOrderField,
  type AssetResponse,
  assetCollectionSchema,
  assetEventCollectionSchema,
  assetEventListQuerySchema,
  assetIdParamsSchema,
  assetListQuerySchema,
  assetResponseSchema,
} from '@tidemark/core';
import {
  type AssetEventSortColumn,
  type AssetRecord,
  type AssetSortColumn,
  findAsset,
  findLatestAssetEvents,
  listActiveSerializedDags,
  listAssetEvents,
  listAssets,
} from '@tidemark/db';
import type { PublicApp, PublicRouteContext } from '../public-route-context.ts';
import { assetEventResponse } from './asset-event-response.ts';
import { AssetTaskIndex } from './asset-task-references.ts';
import { errorResponses, iso, sortOrderOf, VIEWER_ERRORS } from './dag-route-support.ts';

const ASSET_SORT_COLUMNS: Readonly<Record<AssetOrderField, AssetSortColumn>> = {
  id: 'id',
  name: 'name',
  uri: 'uri',
  created_at: 'created_at',
  updated_at: 'updated_at',
};

const EVENT_SORT_COLUMNS: Readonly<Record<AssetEventOrderField, AssetEventSortColumn>> = {
  id: 'id',
  timestamp: 'created_at',
  asset_id: 'asset_id',
  source_dag_id: 'source_dag_id',
};

/**
 * GET /assets, GET /assets/events, GET /assets/{asset_id} (all viewer). `/assets/events` is a
 * static path, which Fastify's router prefers over `/assets/:asset_id` whatever the order; a
 * non-integer asset id answers 422.
 */
export function registerAssetRoutes(app: PublicApp, context: PublicRouteContext): void {
  const viewer = context.auth.requireRole('viewer');

  app.get(
    '/assets',
    {
      onRequest: viewer,
      schema: {
        tags: ['Asset'],
        summary: 'List assets',
        description:
          'Assets some active DAG declares by default (`only_active=false` adds the others), with the tasks ' +
          'that consume (inlets) and produce (outlets) them.',
        querystring: assetListQuerySchema,
        response: { 200: assetCollectionSchema, ...VIEWER_ERRORS },
      },
    },
    async (request) => {
      const query = request.query;
      const page = await listAssets(context.database.db, {
        limit: query.limit,
        offset: query.offset,
        order: sortOrderOf(query.order_by, ASSET_SORT_COLUMNS),
        onlyActive: query.only_active,
        ...(query.name_pattern === undefined ? {} : { namePattern: query.name_pattern }),
        ...(query.uri_pattern === undefined ? {} : { uriPattern: query.uri_pattern }),
      });
      return { assets: await assetResponses(context, page.items), total_entries: page.totalEntries };
    },
  );

  app.get(
    '/assets/events',
    {
      onRequest: viewer,
      schema: {
        tags: ['Asset'],
        summary: 'List asset events',
        description:
          'Events of producing tasks (outlets), of `POST /assets/events` and of watchers, with their source. ' +
          'Newest first by default.',
        querystring: assetEventListQuerySchema,
        response: { 200: assetEventCollectionSchema, ...VIEWER_ERRORS },
      },
    },
    async (request) => {
      const query = request.query;
      const page = await listAssetEvents(context.database.db, {
        limit: query.limit,
        offset: query.offset,
        order: sortOrderOf(query.order_by, EVENT_SORT_COLUMNS),
        ...(query.asset_id === undefined ? {} : { assetId: query.asset_id }),
        ...(query.source_dag_id === undefined ? {} : { sourceDagId: query.source_dag_id }),
        ...(query.source_run_id === undefined ? {} : { sourceRunId: query.source_run_id }),
        ...(query.source_task_id === undefined ? {} : { sourceTaskId: query.source_task_id }),
        ...(query.source_map_index === undefined ? {} : { sourceMapIndex: query.source_map_index }),
        ...(query.timestamp_gte === undefined ? {} : { createdAtGte: query.timestamp_gte }),
        ...(query.timestamp_lte === undefined ? {} : { createdAtLte: query.timestamp_lte }),
      });
      return { asset_events: page.items.map(assetEventResponse), total_entries: page.totalEntries };
    },
  );

  app.get(
    '/assets/:asset_id',
    {
      onRequest: viewer,
      schema: {
        tags: ['Asset'],
        summary: 'Get an asset',
        params: assetIdParamsSchema,
        response: { 200: assetResponseSchema, ...VIEWER_ERRORS, ...errorResponses(404) },
      },
    },
    async (request) => {
      const asset = await findAsset(context.database.db, request.params.asset_id);
      if (!asset) throw new AssetNotFoundError(`with id ${request.params.asset_id}`);
      const [response] = await assetResponses(context, [asset]);
      return response as AssetResponse;
    },
  );
}

async function assetResponses(context: PublicRouteContext, assets: readonly AssetRecord[]): Promise<AssetResponse[]> {
  if (assets.length === 0) return [];
  const { db } = context.database;
  const [tasks, latestEvents] = await Promise.all([
    listActiveSerializedDags(db).then((dags) => new AssetTaskIndex(dags)),
    findLatestAssetEvents(
      db,
      assets.map((asset) => asset.id),
    ),
  ]);
  return assets.map((asset) => {
    const { consuming, producing, scheduled } = tasks.tasksOf(asset);
    const latest = latestEvents.get(asset.id);
    return {
      id: asset.id,
      name: asset.name,
      uri: asset.uri,
      group: asset.group,
      extra: asset.extra,
      created_at: iso(asset.createdAt),
      updated_at: iso(asset.updatedAt),
      active: asset.active,
      consuming_tasks: [...consuming],
      producing_tasks: [...producing],
      scheduled_dags: [...scheduled],
      last_asset_event: latest ? { id: latest.id, timestamp: iso(latest.createdAt) } : null,
    };
  });
}
