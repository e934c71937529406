import {
  ALL_DAGS,
  DagNotFoundError,
  DagRunNotFoundError,
  type DagRunOrderField,
  type DagRunResponse,
  dagIdParamsSchema,
  dagRunCollectionSchema,
  dagRunListQuerySchema,
  dagRunParamsSchema,
  dagRunResponseSchema,
  isoOrNull,
  type JsonValue,
  TASK_INSTANCE_STATE_KEYS,
  type TaskInstanceStateKey,
  TidemarkError,
  triggerDagRunBodySchema,
} from '@tidemark/core';
import {
  countTaskInstanceStates,
  type DagRunRecord,
  type DagRunSortColumn,
  deleteDagRun,
  findDag,
  findDagRun,
  listDagRuns,
  triggerDagRun,
} from '@tidemark/db';
import { z } from 'zod';
import type { PublicApp, PublicRouteContext } from '../public-route-context.ts';
import { errorResponses, OP_ERRORS, sortOrderOf, VIEWER_ERRORS } from './dag-route-support.ts';

const SORT_COLUMNS: Readonly<Record<DagRunOrderField, DagRunSortColumn>> = {
  id: 'id',
  dag_id: 'dag_id',
  dag_run_id: 'run_id',
  state: 'state',
  run_type: 'run_type',
  logical_date: 'logical_date',
  queued_at: 'queued_at',
  start_date: 'start_date',
  end_date: 'end_date',
};

/**
 * POST /dags/{dag_id}/dagRuns (op: trigger), GET /dags/{dag_id}/dagRuns (viewer; `~` = every
 * DAG), GET and DELETE /dags/{dag_id}/dagRuns/{dag_run_id} (viewer / op).
 *
 * A paused DAG can be triggered: pausing stops the scheduler's runs, not a person's (Airflow
 * queues such a run until unpause; Tidemark runs it). An inactive DAG cannot: its file no longer
 * defines it, so no worker could run its tasks.
 */
export function registerDagRunRoutes(app: PublicApp, context: PublicRouteContext): void {
  const viewer = context.auth.requireRole('viewer');
  const op = context.auth.requireRole('op');

  app.post(
    '/dags/:dag_id/dagRuns',
    {
      onRequest: op,
      schema: {
        tags: ['DagRun'],
        summary: 'Trigger a DAG run',
        description:
          'Creates a manual run with its task instances; the scheduler starts it. `dag_run_id` defaults to ' +
          '`manual__<now>`, `logical_date` to now, `conf` to `{}`. A paused DAG can be triggered.',
        params: dagIdParamsSchema,
        body: triggerDagRunBodySchema.nullish(),
        response: { 200: dagRunResponseSchema, ...OP_ERRORS, ...errorResponses(404, 409) },
      },
    },
    async (request) => {
      const { dag_id: dagId } = request.params;
      const body = request.body ?? {};
      const dag = await findDag(context.database.db, dagId);
      if (!dag) throw new DagNotFoundError(dagId);
      if (!dag.isActive) {
        throw new TidemarkError(
          'dag_not_found',
          `DAG "${dagId}" is no longer defined by its file (${dag.fileloc}); it cannot be triggered`,
          { dag_id: dagId },
        );
      }
      const created = await triggerDagRun(
        context.database,
        {
          dagId,
          ...(body.dag_run_id ? { runId: body.dag_run_id } : {}),
          conf: (body.conf ?? {}) as Record<string, JsonValue>,
          logicalDate: body.logical_date ? Date.parse(body.logical_date) : null,
        },
        context.now(),
      );
      request.log.info({ dag_id: dagId, run_id: created.runId, user: request.user?.sub }, 'DAG run triggered');
      return requireDagRunResponse(context, dagId, created.runId);
    },
  );

  app.get(
    '/dags/:dag_id/dagRuns',
    {
      onRequest: viewer,
      schema: {
        tags: ['DagRun'],
        summary: 'List DAG runs',
        description:
          'The runs of one DAG, or of every DAG with `dag_id` `~`. Newest first by default. Each run carries ' +
          '`task_instance_states`, the count of its TIs per state.',
        params: dagIdParamsSchema,
        querystring: dagRunListQuerySchema,
        response: { 200: dagRunCollectionSchema, ...VIEWER_ERRORS, ...errorResponses(404) },
      },
    },
    async (request) => {
      const { dag_id: dagId } = request.params;
      const query = request.query;
      if (dagId !== ALL_DAGS && !(await findDag(context.database.db, dagId))) throw new DagNotFoundError(dagId);
      const page = await listDagRuns(context.database.db, {
        limit: query.limit,
        offset: query.offset,
        order: sortOrderOf(query.order_by, SORT_COLUMNS),
        ...(dagId === ALL_DAGS ? {} : { dagId }),
        ...(query.state ? { states: query.state } : {}),
        ...(query.run_type ? { runTypes: query.run_type } : {}),
        ...(query.logical_date_gte === undefined ? {} : { logicalDateGte: query.logical_date_gte }),
        ...(query.logical_date_lte === undefined ? {} : { logicalDateLte: query.logical_date_lte }),
        ...(query.start_date_gte === undefined ? {} : { startDateGte: query.start_date_gte }),
        ...(query.start_date_lte === undefined ? {} : { startDateLte: query.start_date_lte }),
      });
      return { dag_runs: await dagRunResponses(context, page.items), total_entries: page.totalEntries };
    },
  );

  app.get(
    '/dags/:dag_id/dagRuns/:dag_run_id',
    {
      onRequest: viewer,
      schema: {
        tags: ['DagRun'],
        summary: 'Get a DAG run',
        params: dagRunParamsSchema,
        response: { 200: dagRunResponseSchema, ...VIEWER_ERRORS, ...errorResponses(404) },
      },
    },
    async (request) => requireDagRunResponse(context, request.params.dag_id, request.params.dag_run_id),
  );

  app.delete(
    '/dags/:dag_id/dagRuns/:dag_run_id',
    {
      onRequest: op,
      schema: {
        tags: ['DagRun'],
        summary: 'Delete a DAG run',
        description: 'Its task instances, XComs and task state go with it.',
        params: dagRunParamsSchema,
        response: { 204: z.undefined().describe('Deleted'), ...OP_ERRORS, ...errorResponses(404) },
      },
    },
    async (request, reply) => {
      const { dag_id: dagId, dag_run_id: runId } = request.params;
      if (!(await deleteDagRun(context.database.db, dagId, runId))) throw new DagRunNotFoundError(dagId, runId);
      request.log.info({ dag_id: dagId, run_id: runId, user: request.user?.sub }, 'DAG run deleted');
      return reply.code(204).send();
    },
  );
}

async function requireDagRunResponse(
  context: PublicRouteContext,
  dagId: string,
  runId: string,
): Promise<DagRunResponse> {
  const run = await findDagRun(context.database.db, dagId, runId);
  if (!run) throw new DagRunNotFoundError(dagId, runId);
  const [response] = await dagRunResponses(context, [run]);
  return response as DagRunResponse;
}

async function dagRunResponses(context: PublicRouteContext, runs: readonly DagRunRecord[]): Promise<DagRunResponse[]> {
  const counts = await countTaskInstanceStates(
    context.database.db,
    runs.map((run) => run.id),
  );
  return runs.map((run) => ({
    dag_run_id: run.runId,
    dag_id: run.dagId,
    state: run.state,
    run_type: run.runType,
    logical_date: isoOrNull(run.logicalDate),
    data_interval_start: isoOrNull(run.dataIntervalStart),
    data_interval_end: isoOrNull(run.dataIntervalEnd),
    queued_at: isoOrNull(run.queuedAt),
    start_date: isoOrNull(run.startDate),
    end_date: isoOrNull(run.endDate),
    conf: run.conf,
    note: null,
    task_instance_states: taskInstanceStates(counts.get(run.id) ?? {}),
  }));
}

function taskInstanceStates(counts: Readonly<Record<string, number>>): Record<TaskInstanceStateKey, number> {
  return Object.fromEntries(TASK_INSTANCE_STATE_KEYS.map((state) => [state, counts[state] ?? 0])) as Record<
    TaskInstanceStateKey,
    number
  >;
}
