import {
  xcomEntriesPathSchema,
  xcomEntryCollectionSchema,
  xcomEntryListQuerySchema,
  xcomEntryPathSchema,
  xcomEntryQuerySchema,
  xcomEntryWithValueSchema,
} from '@tidemark/core';
import { findXcomEntry, listTaskInstancePage, listXcomEntryPage, type XcomEntryRow } from '@tidemark/db';
import { TaskInstanceNotInRunError, XcomNotFoundError } from '../../errors.ts';
import type { PublicApp, PublicRouteContext } from '../public-route-context.ts';
import { requireDagRun, requireTaskInstance } from './task-instance-lookup.ts';
import { errorResponses } from './task-instance-response.ts';

const TAGS = ['xcom'];

/** XComs of a task instance (read only): list their keys, get one with its value. */
export function registerXcomEntryRoutes(app: PublicApp, context: PublicRouteContext): void {
  const { db } = context.database;

  app.get(
    '/dags/:dag_id/dagRuns/:dag_run_id/taskInstances/:task_id/xcomEntries',
    {
      schema: {
        tags: TAGS,
        summary: 'List the XComs of a task instance',
        description: 'Ordered by map index, then key. Without map_index: the XComs of every map index of the task.',
        params: xcomEntriesPathSchema,
        querystring: xcomEntryListQuerySchema,
        response: { 200: xcomEntryCollectionSchema, ...errorResponses(401, 404, 422) },
      },
      preHandler: context.auth.requireRole('viewer'),
    },
    async (request) => {
      const { dag_id, dag_run_id, task_id } = request.params;
      const { map_index, limit, offset } = request.query;
      const run = await requireDagRun(db, dag_id, dag_run_id);
      const tis = await listTaskInstancePage(
        db,
        { dagRunId: run.id, taskId: task_id, ...(map_index === undefined ? {} : { mapIndex: map_index }) },
        { limit: 1, offset: 0 },
      );
      if (tis.total === 0) {
        throw new TaskInstanceNotInRunError({
          dagId: dag_id,
          runId: dag_run_id,
          taskId: task_id,
          mapIndex: map_index ?? -1,
        });
      }
      const page = await listXcomEntryPage(
        db,
        { dagRunId: run.id, taskId: task_id, ...(map_index === undefined ? {} : { mapIndex: map_index }) },
        { limit, offset },
      );
      return { xcom_entries: page.rows.map(toXcomEntry), total_entries: page.total };
    },
  );

  app.get(
    '/dags/:dag_id/dagRuns/:dag_run_id/taskInstances/:task_id/xcomEntries/:xcom_key',
    {
      schema: {
        tags: TAGS,
        summary: 'Get an XCom of a task instance, with its value',
        description: 'A mapped task’s TIs need map_index; without it, -1 (an unmapped task).',
        params: xcomEntryPathSchema,
        querystring: xcomEntryQuerySchema,
        response: { 200: xcomEntryWithValueSchema, ...errorResponses(401, 404, 422) },
      },
      preHandler: context.auth.requireRole('viewer'),
    },
    async (request) => {
      const { dag_id, dag_run_id, task_id, xcom_key: key } = request.params;
      const { run, ti } = await requireTaskInstance(db, {
        dagId: dag_id,
        runId: dag_run_id,
        taskId: task_id,
        mapIndex: request.query.map_index,
      });
      const entry = await findXcomEntry(db, { dagRunId: run.id, taskId: ti.task_id, mapIndex: ti.map_index, key });
      if (!entry) throw new XcomNotFoundError({ runId: run.runId, taskId: ti.task_id, mapIndex: ti.map_index, key });
      return { ...toXcomEntry(entry), value: JSON.parse(entry.value) as unknown };
    },
  );
}

function toXcomEntry(row: XcomEntryRow) {
  return {
    key: row.key,
    timestamp: new Date(row.created_at).toISOString(),
    map_index: row.map_index,
    task_id: row.task_id,
    dag_id: row.dag_id,
    run_id: row.run_id,
  };
}
