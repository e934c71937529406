import {
  DagNotFoundError,
  type DagOrderField,
  type DagResponse,
  type DagTaskResponse,
  dagCollectionSchema,
  dagDetailsResponseSchema,
  dagIdParamsSchema,
  dagListQuerySchema,
  dagPatchBodySchema,
  dagResponseSchema,
  describeAssetCondition,
  importErrorCollectionSchema,
  importErrorListQuerySchema,
  isoOrNull,
  type SerializedTask,
} from '@tidemark/core';
import {
  type DagRecord,
  type DagRunRecord,
  type DagSortColumn,
  findDag,
  findLatestDagRuns,
  listDags,
  listImportErrorPage,
  setDagPaused,
} from '@tidemark/db';
import type { PublicApp, PublicRouteContext } from '../public-route-context.ts';
import { errorResponses, iso, OP_ERRORS, sortOrderOf, VIEWER_ERRORS } from './dag-route-support.ts';

const SORT_COLUMNS: Readonly<Record<DagOrderField, DagSortColumn>> = {
  dag_id: 'dag_id',
  fileloc: 'fileloc',
  is_paused: 'is_paused',
  last_parsed_time: 'last_parsed_at',
  next_dagrun_run_after: 'next_run_at',
};

/**
 * GET /dags (viewer), GET /dags/{dag_id} (viewer, with its tasks), PATCH /dags/{dag_id} (op,
 * `{is_paused}`), GET /importErrors (viewer).
 *
 * Pausing stops new scheduled runs only: running runs finish, and a paused DAG can still be
 * triggered by hand (POST …/dagRuns). See `setDagPaused` for why unpausing keeps `next_run_at`.
 */
export function registerDagRoutes(app: PublicApp, context: PublicRouteContext): void {
  const viewer = context.auth.requireRole('viewer');
  const op = context.auth.requireRole('op');

  app.get(
    '/dags',
    {
      onRequest: viewer,
      schema: {
        tags: ['DAG'],
        summary: 'List DAGs',
        description:
          'Active DAGs by default (`only_active=false` adds DAGs their files no longer define). ' +
          '`dag_id_pattern` is a case-insensitive substring.',
        querystring: dagListQuerySchema,
        response: { 200: dagCollectionSchema, ...VIEWER_ERRORS },
      },
    },
    async (request) => {
      const query = request.query;
      const page = await listDags(context.database.db, {
        limit: query.limit,
        offset: query.offset,
        order: sortOrderOf(query.order_by, SORT_COLUMNS),
        onlyActive: query.only_active,
        ...(query.paused === undefined ? {} : { paused: query.paused }),
        ...(query.dag_id_pattern === undefined ? {} : { dagIdPattern: query.dag_id_pattern }),
      });
      const latest = await findLatestDagRuns(
        context.database.db,
        page.items.map((dag) => dag.dagId),
      );
      return {
        dags: page.items.map((dag) => dagResponse(dag, latest.get(dag.dagId))),
        total_entries: page.totalEntries,
      };
    },
  );

  app.get(
    '/dags/:dag_id',
    {
      onRequest: viewer,
      schema: {
        tags: ['DAG'],
        summary: 'Get a DAG and its tasks',
        params: dagIdParamsSchema,
        response: { 200: dagDetailsResponseSchema, ...VIEWER_ERRORS, ...errorResponses(404) },
      },
    },
    async (request) => {
      const dag = await requireDag(context, request.params.dag_id);
      const latest = await findLatestDagRuns(context.database.db, [dag.dagId]);
      return { ...dagResponse(dag, latest.get(dag.dagId)), tasks: taskResponses(dag.serialized?.tasks ?? []) };
    },
  );

  app.patch(
    '/dags/:dag_id',
    {
      onRequest: op,
      schema: {
        tags: ['DAG'],
        summary: 'Pause or unpause a DAG',
        description:
          'A paused DAG gets no new scheduled runs; its running runs carry on and it can still be triggered by hand.',
        params: dagIdParamsSchema,
        body: dagPatchBodySchema,
        response: { 200: dagResponseSchema, ...OP_ERRORS, ...errorResponses(404) },
      },
    },
    async (request) => {
      const { dag_id: dagId } = request.params;
      if (!(await setDagPaused(context.database.db, dagId, request.body.is_paused, context.now()))) {
        throw new DagNotFoundError(dagId);
      }
      const dag = await requireDag(context, dagId);
      const latest = await findLatestDagRuns(context.database.db, [dagId]);
      request.log.info({ dag_id: dagId, is_paused: dag.isPaused, user: request.user?.sub }, 'DAG pause flag set');
      return dagResponse(dag, latest.get(dagId));
    },
  );

  app.get(
    '/importErrors',
    {
      onRequest: viewer,
      schema: {
        tags: ['Import Error'],
        summary: 'List DAG files that failed to load',
        querystring: importErrorListQuerySchema,
        response: { 200: importErrorCollectionSchema, ...VIEWER_ERRORS },
      },
    },
    async (request) => {
      const page = await listImportErrorPage(context.database.db, request.query);
      return {
        import_errors: page.items.map((error) => ({
          import_error_id: error.id,
          fileloc: error.fileloc,
          line: error.line,
          message: error.message,
          timestamp: iso(error.createdAt),
        })),
        total_entries: page.totalEntries,
      };
    },
  );
}

async function requireDag(context: PublicRouteContext, dagId: string): Promise<DagRecord> {
  const dag = await findDag(context.database.db, dagId);
  if (!dag) throw new DagNotFoundError(dagId);
  return dag;
}

function dagResponse(dag: DagRecord, latestRun: DagRunRecord | undefined): DagResponse {
  return {
    dag_id: dag.dagId,
    description: dag.description,
    fileloc: dag.fileloc,
    is_paused: dag.isPaused,
    is_active: dag.isActive,
    schedule: dag.schedule,
    asset_expression: dag.serialized?.assetCondition ? describeAssetCondition(dag.serialized.assetCondition) : null,
    tags: [...(dag.serialized?.tags ?? [])],
    start_date: isoOrNull(dag.serialized?.startDate),
    catchup: dag.serialized?.catchup ?? false,
    last_parsed_time: isoOrNull(dag.lastParsedAt),
    next_dagrun_run_after: isoOrNull(dag.nextRunAt),
    latest_dag_run: latestRun
      ? {
          dag_run_id: latestRun.runId,
          state: latestRun.state,
          run_type: latestRun.runType,
          logical_date: isoOrNull(latestRun.logicalDate),
          start_date: isoOrNull(latestRun.startDate),
          end_date: isoOrNull(latestRun.endDate),
        }
      : null,
  };
}

function taskResponses(tasks: readonly SerializedTask[]): DagTaskResponse[] {
  const downstream = new Map<string, string[]>();
  for (const task of tasks) {
    for (const upstream of task.upstreamTaskIds)
      downstream.set(upstream, [...(downstream.get(upstream) ?? []), task.taskId]);
  }
  return tasks.map((task) => ({
    task_id: task.taskId,
    upstream_task_ids: [...task.upstreamTaskIds],
    downstream_task_ids: downstream.get(task.taskId) ?? [],
    map_over: task.mapOver,
    retries: task.retries,
    retry_delay_ms: task.retryDelayMs,
    retry_exponential_backoff: task.retryExponentialBackoff,
    max_retry_delay_ms: task.maxRetryDelayMs,
    execution_timeout_ms: task.executionTimeoutMs,
    inlets: task.inlets.map((asset) => ({ name: asset.name, uri: asset.uri ?? asset.name })),
    outlets: task.outlets.map((asset) => ({ name: asset.name, uri: asset.uri ?? asset.name })),
  }));
}
