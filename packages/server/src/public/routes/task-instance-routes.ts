import {
  patchTaskInstanceBodySchema,
  runTaskInstancesPathSchema,
  type TaskInstanceResponse,
  type TaskInstanceStateFilter,
  taskInstanceCollectionSchema,
  taskInstanceListQuerySchema,
  taskInstanceMapIndexQuerySchema,
  taskInstancePathSchema,
  taskInstanceSchema,
} from '@tidemark/core';
import { listTaskInstancePage, markTaskInstance } from '@tidemark/db';
import { clearTaskStateOnSuccess } from '../../execution/success-state-effects.ts';
import type { PublicApp, PublicRouteContext } from '../public-route-context.ts';
import { registerClearTaskInstancesRoute } from './task-instance-clear-route.ts';
import { requireDagRun, requireTaskInstance } from './task-instance-lookup.ts';
import { errorResponses, toTaskInstanceResponse, toTaskInstanceResponses, userOf } from './task-instance-response.ts';
import { registerTaskInstanceTriesRoute } from './task-instance-tries-route.ts';
import { registerTaskLogRoute } from './task-log-route.ts';
import { registerXcomEntryRoutes } from './xcom-entry-routes.ts';

const TAGS = ['task instances'];

/**
 * Task instances of a run (Airflow 3 shapes): list, get one, mark success/failed, clear; and,
 * beside them, their logs and XComs.
 */
export function registerTaskInstanceRoutes(app: PublicApp, context: PublicRouteContext): void {
  const { db } = context.database;

  app.get(
    '/dags/:dag_id/dagRuns/:dag_run_id/taskInstances',
    {
      schema: {
        tags: TAGS,
        summary: 'List the task instances of a DAG run',
        description:
          'Ordered by task id, then map index. `state` takes a comma list or repeats; `none` is not scheduled yet.',
        params: runTaskInstancesPathSchema,
        querystring: taskInstanceListQuerySchema,
        response: { 200: taskInstanceCollectionSchema, ...errorResponses(401, 404, 422) },
      },
      preHandler: context.auth.requireRole('viewer'),
    },
    async (request) => {
      const { dag_id, dag_run_id } = request.params;
      const query = request.query;
      const run = await requireDagRun(db, dag_id, dag_run_id);
      const page = await listTaskInstancePage(
        db,
        {
          dagRunId: run.id,
          ...(query.state === undefined ? {} : { states: query.state.map(stateOrNull) }),
          ...(query.task_id === undefined ? {} : { taskId: query.task_id }),
          ...(query.map_index === undefined ? {} : { mapIndex: query.map_index }),
        },
        { limit: query.limit, offset: query.offset },
      );
      return { task_instances: await toTaskInstanceResponses(db, page.rows), total_entries: page.total };
    },
  );

  app.get(
    '/dags/:dag_id/dagRuns/:dag_run_id/taskInstances/:task_id',
    {
      schema: {
        tags: TAGS,
        summary: 'Get a task instance',
        description: 'A mapped task’s TIs need `map_index`; without it, -1 (an unmapped task).',
        params: taskInstancePathSchema,
        querystring: taskInstanceMapIndexQuerySchema,
        response: { 200: taskInstanceSchema, ...errorResponses(401, 404, 422) },
      },
      preHandler: context.auth.requireRole('viewer'),
    },
    async (request) => {
      const { ti } = await requireTaskInstance(db, addressOf(request.params, request.query.map_index));
      const [response] = await toTaskInstanceResponses(db, [ti]);
      return response as TaskInstanceResponse;
    },
  );

  app.patch(
    '/dags/:dag_id/dagRuns/:dag_run_id/taskInstances/:task_id',
    {
      schema: {
        tags: TAGS,
        summary: 'Mark a task instance success or failed',
        description:
          'Sets the state and end date. A running attempt is stopped at its next heartbeat (409 stale_attempt). ' +
          'Marking success records no asset event; the scheduler then runs the downstream tasks. ' +
          'With state.clear_on_success, marking success discards the TI’s task state.',
        params: taskInstancePathSchema,
        querystring: taskInstanceMapIndexQuerySchema,
        body: patchTaskInstanceBodySchema,
        response: { 200: taskInstanceSchema, ...errorResponses(401, 403, 404, 422) },
      },
      preHandler: context.auth.requireRole('op'),
    },
    async (request) => {
      const { ti } = await requireTaskInstance(db, addressOf(request.params, request.query.map_index));
      const newState = request.body.new_state;
      const marked = await markTaskInstance(context.database, { tiId: ti.id, newState, now: context.now() });
      if (marked.changed && newState === 'success') {
        // After the commit, through the configured backend (it need not live in this database).
        const identity = { dagId: ti.dag_id, runId: ti.run_id, taskId: ti.task_id, mapIndex: ti.map_index };
        await clearTaskStateOnSuccess(context.config, context.stateBackend, identity, {
          kind: 'api',
          user: userOf(request),
        });
      }
      return toTaskInstanceResponse(marked.taskInstance);
    },
  );

  registerClearTaskInstancesRoute(app, context);
  registerTaskInstanceTriesRoute(app, context);
  registerTaskLogRoute(app, context);
  registerXcomEntryRoutes(app, context);
}

function stateOrNull(state: TaskInstanceStateFilter) {
  return state === 'none' ? null : state;
}

function addressOf(
  params: { readonly dag_id: string; readonly dag_run_id: string; readonly task_id: string },
  mapIndex: number | undefined,
) {
  return { dagId: params.dag_id, runId: params.dag_run_id, taskId: params.task_id, mapIndex };
}
