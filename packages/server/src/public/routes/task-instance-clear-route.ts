import {
  clearTaskInstancesBodySchema,
  clearTaskInstancesPathSchema,
  type StateBackend,
  type StateWriter,
  taskInstanceCollectionSchema,
  taskScope,
} from '@tidemark/core';
import { clearTaskInstances, type TaskInstanceRow } from '@tidemark/db';
import type { PublicApp, PublicRouteContext } from '../public-route-context.ts';
import { errorResponses, toTaskInstanceResponse, userOf } from './task-instance-response.ts';

/** Task-state clears in flight at once after a clear (each is its own backend call). */
const STATE_CLEAR_CONCURRENCY = 8;

/**
 * POST /dags/{dag_id}/clearTaskInstances: the matching TIs go back to state none so that the
 * scheduler runs them again (see `clearTaskInstances` in the db package), and their task state is
 * discarded unless `keep_task_state` (SPEC §3). Returns the TIs cleared, or those a `dry_run` would
 * clear, unchanged.
 */
export function registerClearTaskInstancesRoute(app: PublicApp, context: PublicRouteContext): void {
  app.post(
    '/dags/:dag_id/clearTaskInstances',
    {
      schema: {
        tags: ['task instances'],
        summary: 'Clear task instances so that they run again',
        description:
          'Matching TIs not in state none go back to none, get their retries again and lose their XComs; ' +
          'their finished runs go back to queued. Task state is discarded unless keep_task_state is true. ' +
          'Defaults differ from Airflow: only_failed and dry_run are false. ' +
          'A mapped task is not expanded again: each of its map indices is reset. At most 1000 TIs per call.',
        params: clearTaskInstancesPathSchema,
        body: clearTaskInstancesBodySchema,
        response: { 200: taskInstanceCollectionSchema, ...errorResponses(401, 403, 404, 422) },
      },
      preHandler: context.auth.requireRole('op'),
    },
    async (request) => {
      const body = request.body;
      const cleared = await clearTaskInstances(context.database, {
        dagId: request.params.dag_id,
        ...(body.dag_run_id === undefined ? {} : { runId: body.dag_run_id }),
        ...(body.task_ids === undefined ? {} : { taskIds: body.task_ids }),
        ...(body.map_indexes === undefined ? {} : { mapIndexes: body.map_indexes }),
        onlyFailed: body.only_failed,
        dryRun: body.dry_run,
        now: context.now(),
      });
      if (!body.dry_run && !body.keep_task_state) {
        await discardTaskState(context.stateBackend, cleared.taskInstances, { kind: 'api', user: userOf(request) });
      }
      return {
        task_instances: cleared.taskInstances.map((row) => toTaskInstanceResponse(row)),
        total_entries: cleared.taskInstances.length,
      };
    },
  );
}

/**
 * Discards the task state of each cleared TI. Not in the clear's transaction: the state backend is
 * pluggable (`state.backend`) and need not live in the metadata database. Doing it right after the
 * commit means the cleared attempts are already fenced (they can no longer write); a new attempt
 * needs a scheduler pass, a claim and a process start first, far longer than these calls take.
 * Every scope is tried even when one fails; the first failure is then thrown.
 */
async function discardTaskState(
  backend: StateBackend,
  tis: readonly TaskInstanceRow[],
  writer: StateWriter,
): Promise<void> {
  const failures: unknown[] = [];
  let next = 0;
  const worker = async () => {
    while (next < tis.length) {
      const ti = tis[next++] as TaskInstanceRow;
      const scope = taskScope({ dagId: ti.dag_id, runId: ti.run_id, taskId: ti.task_id, mapIndex: ti.map_index });
      await backend.clear(scope, { writer }).catch((error: unknown) => failures.push(error));
      // SPEC §17: an item-keyed mapped TI also loses the state of the item it last worked on.
      if (ti.state_item_key !== null) {
        const item = taskScope({ ...scope, itemKey: ti.state_item_key });
        await backend.clear(item, { writer }).catch((error: unknown) => failures.push(error));
      }
    }
  };
  await Promise.all(Array.from({ length: Math.min(STATE_CLEAR_CONCURRENCY, tis.length) }, worker));
  if (failures.length > 0) throw failures[0];
}
