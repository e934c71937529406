import type { TaskInstanceState } from '@tidemark/core';
import type { Selectable } from 'kysely';
import type { Db } from '../open-database.ts';
import type { TaskInstanceTable } from '../schema/database-schema.ts';

/** Read-only queries behind the public API's task-instance routes (listing, one TI, a run's key). */

export type TaskInstanceRow = Selectable<TaskInstanceTable>;

/** A DAG run as the public API addresses it: `dag_id` + `run_id` → its surrogate id. */
export interface DagRunKey {
  readonly id: number;
  readonly dagId: string;
  readonly runId: string;
  readonly state: string;
}

export interface TaskInstanceFilter {
  readonly dagRunId: number;
  /** `null` selects TIs in state none. Empty or omitted: every state. */
  readonly states?: readonly (TaskInstanceState | null)[];
  readonly taskId?: string;
  readonly mapIndex?: number;
}

export interface OffsetPage {
  readonly limit: number;
  readonly offset: number;
}

export interface TaskInstancePage {
  /** Ordered by task id, then map index. */
  readonly rows: TaskInstanceRow[];
  /** Matching TIs over all pages. */
  readonly total: number;
}

export async function findDagRunKey(db: Db, dagId: string, runId: string): Promise<DagRunKey | undefined> {
  const row = await db
    .selectFrom('dag_run')
    .select(['id', 'dag_id', 'run_id', 'state'])
    .where('dag_id', '=', dagId)
    .where('run_id', '=', runId)
    .executeTakeFirst();
  return row && { id: row.id, dagId: row.dag_id, runId: row.run_id, state: row.state };
}

/** One page of a run's TIs matching the filter, and how many match in all. */
export async function listTaskInstancePage(
  db: Db,
  filter: TaskInstanceFilter,
  page: OffsetPage,
): Promise<TaskInstancePage> {
  const base = filterTaskInstances(db, filter);
  const [rows, count] = await Promise.all([
    base.selectAll().orderBy('task_id').orderBy('map_index').limit(page.limit).offset(page.offset).execute(),
    base.select((eb) => eb.fn.countAll<number | string | bigint>().as('total')).executeTakeFirstOrThrow(),
  ]);
  return { rows, total: Number(count.total) };
}

/** The TI of a task at one map index in a run. */
export async function findRunTaskInstance(
  db: Db,
  ti: { readonly dagRunId: number; readonly taskId: string; readonly mapIndex: number },
): Promise<TaskInstanceRow | undefined> {
  return db
    .selectFrom('task_instance')
    .selectAll()
    .where('dag_run_id', '=', ti.dagRunId)
    .where('task_id', '=', ti.taskId)
    .where('map_index', '=', ti.mapIndex)
    .executeTakeFirst();
}

/** How many map indices (≥ 0) a task has in a run: 0 when it is not mapped or not expanded yet. */
export async function countMappedTaskInstances(
  db: Db,
  ti: { readonly dagRunId: number; readonly taskId: string },
): Promise<number> {
  const row = await db
    .selectFrom('task_instance')
    .select((eb) => eb.fn.countAll<number | string | bigint>().as('total'))
    .where('dag_run_id', '=', ti.dagRunId)
    .where('task_id', '=', ti.taskId)
    .where('map_index', '>=', 0)
    .executeTakeFirstOrThrow();
  return Number(row.total);
}

function filterTaskInstances(db: Db, filter: TaskInstanceFilter) {
  let query = db.selectFrom('task_instance').where('dag_run_id', '=', filter.dagRunId);
  if (filter.taskId !== undefined) query = query.where('task_id', '=', filter.taskId);
  if (filter.mapIndex !== undefined) query = query.where('map_index', '=', filter.mapIndex);
  const states = filter.states ?? [];
  if (states.length > 0) {
    const named = states.filter((state): state is TaskInstanceState => state !== null);
    const none = states.includes(null);
    query = query.where((eb) =>
      eb.or([...(named.length > 0 ? [eb('state', 'in', named)] : []), ...(none ? [eb('state', 'is', null)] : [])]),
    );
  }
  return query;
}
