import {
  AssetNotFoundError,
  assetEventCollectionSchema,
  assetEventResponseSchema,
  assetsOfCondition,
  checkAssetEventExtraSize,
  createAssetEventBodySchema,
  DagNotFoundError,
  DagRunNotFoundError,
  dagIdParamsSchema,
  dagRunParamsSchema,
  describeAssetCondition,
  queuedEventCollectionSchema,
} from '@tidemark/core';
import {
  findAsset,
  findAssetEvent,
  findDag,
  findDagRun,
  inWriteTransaction,
  listQueuedAssetEvents,
  listRunAssetEvents,
  recordAssetEvent,
} from '@tidemark/db';
import type { PublicApp, PublicRouteContext } from '../public-route-context.ts';
import { assetEventResponse } from './asset-event-response.ts';
import { errorResponses, iso, OP_ERRORS, VIEWER_ERRORS } from './dag-route-support.ts';
import { userOf } from './task-instance-response.ts';

/**
 * Data-aware scheduling (SPEC §15): POST /assets/events (op) records an event from outside;
 * GET /dags/{dag_id}/assets/queuedEvents shows what a DAG is waiting for; GET
 * /dags/{dag_id}/dagRuns/{dag_run_id}/upstreamAssetEvents lists the events that triggered a run.
 */
export function registerAssetEventRoutes(app: PublicApp, context: PublicRouteContext): void {
  const viewer = context.auth.requireRole('viewer');
  const op = context.auth.requireRole('op');

  app.post(
    '/assets/events',
    {
      onRequest: op,
      schema: {
        tags: ['Asset'],
        summary: 'Create an asset event',
        description:
          'Records an event of the asset (source `api`, with the user), queued for every DAG scheduled on it. ' +
          '`extra` is a JSON object of at most `state.max_value_bytes`.',
        body: createAssetEventBodySchema,
        response: { 200: assetEventResponseSchema, ...OP_ERRORS, ...errorResponses(404, 413) },
      },
    },
    async (request) => {
      const { asset_id: assetId, extra = {} } = request.body;
      const asset = await findAsset(context.database.db, assetId);
      if (!asset) throw new AssetNotFoundError(`with id ${assetId}`);
      checkAssetEventExtraSize(asset.name, extra, context.config.state.max_value_bytes);
      const user = userOf(request);
      const eventId = await inWriteTransaction(context.database, (trx) =>
        recordAssetEvent(trx, { assetId, extra, source: { kind: 'api', user } }, context.now()),
      );
      request.log.info({ asset: asset.name, asset_event_id: eventId, user }, 'asset event created');
      const event = await findAssetEvent(context.database.db, eventId);
      return assetEventResponse(event as NonNullable<typeof event>);
    },
  );

  app.get(
    '/dags/:dag_id/assets/queuedEvents',
    {
      onRequest: viewer,
      schema: {
        tags: ['DAG'],
        summary: "List a DAG's queued asset events",
        description:
          'The events queued for the DAG since its last asset-triggered run, and the assets of its condition ' +
          'that have none yet. A paused DAG keeps its queue.',
        params: dagIdParamsSchema,
        response: { 200: queuedEventCollectionSchema, ...VIEWER_ERRORS, ...errorResponses(404) },
      },
    },
    async (request) => {
      const dagId = request.params.dag_id;
      const dag = await findDag(context.database.db, dagId);
      if (!dag) throw new DagNotFoundError(dagId);
      const condition = dag.serialized?.assetCondition ?? null;
      const queued = await listQueuedAssetEvents(context.database.db, dagId);
      const withEvents = new Set(queued.map((event) => JSON.stringify([event.assetName, event.assetUri])));
      return {
        asset_expression: condition ? describeAssetCondition(condition) : null,
        queued_events: queued.map((event) => ({
          asset_id: event.assetId,
          asset_name: event.assetName,
          asset_uri: event.assetUri,
          asset_event_id: event.assetEventId,
          created_at: iso(event.createdAt),
        })),
        waiting_for: condition
          ? assetsOfCondition(condition).filter((asset) => !withEvents.has(JSON.stringify([asset.name, asset.uri])))
          : [],
        total_entries: queued.length,
      };
    },
  );

  app.get(
    '/dags/:dag_id/dagRuns/:dag_run_id/upstreamAssetEvents',
    {
      onRequest: viewer,
      schema: {
        tags: ['DagRun'],
        summary: 'List the asset events that triggered a run',
        description: 'Empty for runs not triggered by assets.',
        params: dagRunParamsSchema,
        response: { 200: assetEventCollectionSchema, ...VIEWER_ERRORS, ...errorResponses(404) },
      },
    },
    async (request) => {
      const { dag_id: dagId, dag_run_id: runId } = request.params;
      const run = await findDagRun(context.database.db, dagId, runId);
      if (!run) throw new DagRunNotFoundError(dagId, runId);
      const events = await listRunAssetEvents(context.database.db, run.id);
      return { asset_events: events.map(assetEventResponse), total_entries: events.length };
    },
  );
}
