import {
  isoOrNull,
  type TaskInstanceState,
  type TaskInstanceTryResponse,
  taskInstanceMapIndexQuerySchema,
  taskInstancePathSchema,
  taskInstanceTryCollectionSchema,
} from '@tidemark/core';
import { listTaskInstanceTries, type TaskInstanceRow, type TaskInstanceTryRow } from '@tidemark/db';
import type { PublicApp, PublicRouteContext } from '../public-route-context.ts';
import { requireTaskInstance } from './task-instance-lookup.ts';
import { errorResponses } from './task-instance-response.ts';

/**
 * GET …/taskInstances/{task_id}/tries (Airflow 3's route and shape): every try of the TI, oldest
 * first, each with its own queued/start/end times and the state it ended in; the live try last.
 */
export function registerTaskInstanceTriesRoute(app: PublicApp, context: PublicRouteContext): void {
  app.get(
    '/dags/:dag_id/dagRuns/:dag_run_id/taskInstances/:task_id/tries',
    {
      schema: {
        tags: ['task instances'],
        summary: 'List the tries of a task instance',
        description:
          'Oldest first. A try that failed and was retried has state up_for_retry and its next_retry_at; the ' +
          'running try is running; the next try waiting for a worker is queued, with no start yet. ' +
          'A mapped task’s TIs need `map_index`; without it, -1 (an unmapped task).',
        params: taskInstancePathSchema,
        querystring: taskInstanceMapIndexQuerySchema,
        response: { 200: taskInstanceTryCollectionSchema, ...errorResponses(401, 404, 422) },
      },
      preHandler: context.auth.requireRole('viewer'),
    },
    async (request) => {
      const { dag_id, dag_run_id, task_id } = request.params;
      const { ti } = await requireTaskInstance(context.database.db, {
        dagId: dag_id,
        runId: dag_run_id,
        taskId: task_id,
        mapIndex: request.query.map_index,
      });
      const tries = await listTaskInstanceTries(context.database.db, ti);
      return { task_instances: tries.map((row) => toTryResponse(ti, row)), total_entries: tries.length };
    },
  );
}

function toTryResponse(ti: TaskInstanceRow, row: TaskInstanceTryRow): TaskInstanceTryResponse {
  return {
    task_id: ti.task_id,
    dag_id: ti.dag_id,
    dag_run_id: ti.run_id,
    map_index: ti.map_index,
    try_number: row.try_number,
    max_tries: row.max_tries,
    state: row.state as TaskInstanceState,
    queued_when: isoOrNull(row.queued_at),
    start_date: isoOrNull(row.start_date),
    end_date: isoOrNull(row.end_date),
    duration: row.start_date !== null && row.end_date !== null ? (row.end_date - row.start_date) / 1000 : null,
    hostname: row.worker,
    next_retry_at: isoOrNull(row.next_retry_at),
  };
}
