import {
  DagNotFoundError,
  DagRunNotFoundError,
  MAX_CLEARED_TASK_INSTANCES,
  parseStoredDag,
  type SerializedDag,
  TaskInstanceNotFoundError,
  type TaskInstanceState,
} from '@tidemark/core';
import type { Transaction } from 'kysely';
import type { DialectName } from '../dialect/database-url.ts';
import { TooManyTaskInstancesError } from '../errors.ts';
import type { MetadataDatabase } from '../open-database.ts';
import type { TaskInstanceRow } from '../queries/task-instance-queries.ts';
import type { DatabaseSchema } from '../schema/database-schema.ts';
import { requeueFinishedRuns } from '../transitions/dag-run-transitions.ts';
import {
  clearTaskInstanceStates,
  clearUpstreamFailed,
  markTaskInstanceState,
} from '../transitions/task-instance-transitions.ts';
import { inWriteTransaction } from '../write-transaction.ts';
import { cancelDeferrals } from './task-deferral-rows.ts';

/**
 * What operators do to task instances through the public API and the CLI: clear (run again) and
 * mark (success / failed). Each is one transaction over the TIs, their XComs and their run.
 *
 * Neither touches task state: the state backend is pluggable and need not live in this database,
 * so the caller discards task state through the backend after the commit (SPEC §3).
 *
 * A running attempt that is cleared or marked is not killed here: its TI is no longer `running` at
 * its try, so its next heartbeat gets 409 `stale_attempt` and its supervisor stops it, and its
 * writes (finish, XCom, state) are refused the same way.
 */

type Trx = Transaction<DatabaseSchema>;

export interface ClearTaskInstancesRequest {
  readonly dagId: string;
  /** The run's `run_id`; omitted: every run of the DAG. */
  readonly runId?: string;
  /** Omitted: every task. */
  readonly taskIds?: readonly string[];
  /** Omitted: every map index. */
  readonly mapIndexes?: readonly number[];
  /** Only TIs in `failed` or `upstream_failed`. */
  readonly onlyFailed?: boolean;
  /** Select, check the limit, change nothing. */
  readonly dryRun?: boolean;
  /** Default MAX_CLEARED_TASK_INSTANCES; more matching TIs is an error and nothing changes. */
  readonly maxTaskInstances?: number;
  readonly now: number;
}

export interface ClearedTaskInstances {
  /**
   * The TIs cleared, as they are after the clear (state none); for a dry run, as they are now.
   * Ordered by run, task id, map index.
   */
  readonly taskInstances: TaskInstanceRow[];
  /** Finished runs moved back to `queued` (none for a dry run). */
  readonly requeuedDagRunIds: number[];
}

/**
 * Clears task instances so that the scheduler runs them again. Each matching TI not in state none
 * goes back to none with its dates and heartbeat reset, gets its task's retries again
 * (`max_tries = try_number + retries + 1`), and loses its XComs, its staged asset-state writes and
 * the wait of a deferred try (SPEC §16);
 * each finished run it belongs to goes back to `queued` (a `queued` or `running` run is left as it
 * is: the scheduler is already working on it). A mapped task's TIs are reset index by index: the
 * task is not expanded again, so the number of map indices stays as it was.
 */
export async function clearTaskInstances(
  database: MetadataDatabase,
  request: ClearTaskInstancesRequest,
): Promise<ClearedTaskInstances> {
  const limit = request.maxTaskInstances ?? MAX_CLEARED_TASK_INSTANCES;
  return inWriteTransaction(database, async (trx) => {
    const dag = await trx.selectFrom('dag').select('serialized').where('dag_id', '=', request.dagId).executeTakeFirst();
    if (!dag) throw new DagNotFoundError(request.dagId);
    const dagRunId = request.runId === undefined ? undefined : await requireRunId(trx, request.dagId, request.runId);
    if (!request.dryRun) await lockCandidateRuns(trx, database.dialect, request, dagRunId);
    const matched = await selectClearable(trx, database.dialect, request, dagRunId, limit + 1);
    if (matched.length > limit) {
      throw new TooManyTaskInstancesError(await countClearable(trx, request, dagRunId), limit);
    }
    if (request.dryRun || matched.length === 0) return { taskInstances: matched, requeuedDagRunIds: [] };

    const ids = matched.map((ti) => ti.id);
    await resetTaskInstances(trx, matched, retriesByTask(dag.serialized, request.dagId), request.now);
    await deleteXcomsOf(trx, matched);
    await deletePendingStateWrites(trx, ids);
    await cancelDeferrals(trx, ids);
    const requeuedDagRunIds = await requeueFinishedRuns(
      trx,
      [...new Set(matched.map((ti) => ti.dag_run_id))],
      request.now,
    );
    return { taskInstances: await selectByIds(trx, ids), requeuedDagRunIds };
  });
}

export interface MarkTaskInstanceRequest {
  readonly tiId: string;
  readonly newState: 'success' | 'failed';
  readonly now: number;
}

export interface MarkedTaskInstance {
  /** The TI after the mark. */
  readonly taskInstance: TaskInstanceRow;
  readonly previousState: TaskInstanceState | null;
  /** False when the TI was already in the new state (nothing was written). */
  readonly changed: boolean;
}

/**
 * An operator marks a TI `success` or `failed`: the state and `end_date` are set, its staged
 * asset-state writes are dropped, a deferred try's wait is cancelled, and no asset event is recorded (the task's work did not finish
 * by itself). The scheduler then moves the run on: marking success resets the task's downstream
 * TIs that were `upstream_failed` to none so they can run, and a finished run goes back to
 * `queued` so that its state is settled again.
 */
export async function markTaskInstance(
  database: MetadataDatabase,
  request: MarkTaskInstanceRequest,
): Promise<MarkedTaskInstance> {
  return inWriteTransaction(database, async (trx) => {
    const found = await trx
      .selectFrom('task_instance')
      .select('dag_run_id')
      .where('id', '=', request.tiId)
      .executeTakeFirst();
    if (!found) throw new TaskInstanceNotFoundError(request.tiId);
    await lockRuns(trx, database.dialect, [found.dag_run_id]);
    const ti = await lockTaskInstance(trx, database.dialect, request.tiId);
    const previousState = ti.state as TaskInstanceState | null;
    if (previousState === request.newState) return { taskInstance: ti, previousState, changed: false };

    await markTaskInstanceState(trx, ti.id, request.newState, request.now);
    await deletePendingStateWrites(trx, [ti.id]);
    await cancelDeferrals(trx, [ti.id]);
    if (request.newState === 'success') await resetUpstreamFailedDownstream(trx, ti, request.now);
    await requeueFinishedRuns(trx, [ti.dag_run_id], request.now);
    const [after] = await selectByIds(trx, [ti.id]);
    return { taskInstance: after as TaskInstanceRow, previousState, changed: true };
  });
}

async function requireRunId(trx: Trx, dagId: string, runId: string): Promise<number> {
  const run = await trx
    .selectFrom('dag_run')
    .select('id')
    .where('dag_id', '=', dagId)
    .where('run_id', '=', runId)
    .executeTakeFirst();
  if (!run) throw new DagRunNotFoundError(dagId, runId);
  return run.id;
}

function clearableQuery(trx: Trx, request: ClearTaskInstancesRequest, dagRunId: number | undefined) {
  let query = trx.selectFrom('task_instance').where('dag_id', '=', request.dagId).where('state', 'is not', null);
  if (dagRunId !== undefined) query = query.where('dag_run_id', '=', dagRunId);
  if (request.taskIds !== undefined) query = query.where('task_id', 'in', [...request.taskIds]);
  if (request.mapIndexes !== undefined) query = query.where('map_index', 'in', [...request.mapIndexes]);
  if (request.onlyFailed) query = query.where('state', 'in', ['failed', 'upstream_failed']);
  return query;
}

async function selectClearable(
  trx: Trx,
  dialect: DialectName,
  request: ClearTaskInstancesRequest,
  dagRunId: number | undefined,
  limit: number,
): Promise<TaskInstanceRow[]> {
  const query = clearableQuery(trx, request, dagRunId)
    .selectAll()
    .orderBy('dag_run_id')
    .orderBy('task_id')
    .orderBy('map_index')
    .limit(limit);
  return (dialect === 'postgres' && !request.dryRun ? query.forUpdate() : query).execute();
}

async function countClearable(trx: Trx, request: ClearTaskInstancesRequest, dagRunId: number | undefined) {
  const row = await clearableQuery(trx, request, dagRunId)
    .select((eb) => eb.fn.countAll<number | string | bigint>().as('total'))
    .executeTakeFirstOrThrow();
  return Number(row.total);
}

/**
 * PostgreSQL: lock the runs first, in the scheduler's order (run, then its TIs), so that no
 * scheduling pass settles a run on the TI states this clear is replacing. SQLite has one writer.
 */
async function lockCandidateRuns(
  trx: Trx,
  dialect: DialectName,
  request: ClearTaskInstancesRequest,
  dagRunId: number | undefined,
): Promise<void> {
  if (dialect !== 'postgres') return;
  await trx
    .selectFrom('dag_run')
    .select('id')
    .where('id', 'in', clearableQuery(trx, request, dagRunId).select('dag_run_id'))
    .orderBy('id')
    .forUpdate()
    .execute();
}

async function lockRuns(trx: Trx, dialect: DialectName, dagRunIds: readonly number[]): Promise<void> {
  if (dialect !== 'postgres') return;
  await trx
    .selectFrom('dag_run')
    .select('id')
    .where('id', 'in', [...dagRunIds])
    .orderBy('id')
    .forUpdate()
    .execute();
}

async function lockTaskInstance(trx: Trx, dialect: DialectName, tiId: string): Promise<TaskInstanceRow> {
  const query = trx.selectFrom('task_instance').selectAll().where('id', '=', tiId);
  const ti = await (dialect === 'postgres' ? query.forUpdate() : query).executeTakeFirst();
  if (!ti) throw new TaskInstanceNotFoundError(tiId);
  return ti;
}

/** One update per task: `max_tries` depends on the task's retries. */
async function resetTaskInstances(
  trx: Trx,
  tis: readonly TaskInstanceRow[],
  retries: ReadonlyMap<string, number>,
  now: number,
): Promise<void> {
  for (const [taskId, group] of groupBy(tis, (ti) => ti.task_id)) {
    const extraTries = (retries.get(taskId) ?? 0) + 1;
    await clearTaskInstanceStates(
      trx,
      group.map((ti) => ti.id),
      extraTries,
      now,
    );
  }
}

async function deleteXcomsOf(trx: Trx, tis: readonly TaskInstanceRow[]): Promise<void> {
  for (const group of groupBy(tis, (ti) => `${ti.dag_run_id}\u0000${ti.task_id}`).values()) {
    const first = group[0] as TaskInstanceRow;
    await trx
      .deleteFrom('xcom')
      .where('dag_run_id', '=', first.dag_run_id)
      .where('task_id', '=', first.task_id)
      .where(
        'map_index',
        'in',
        group.map((ti) => ti.map_index),
      )
      .execute();
  }
}

/** Staged writes (`{onSuccess: true}`) of attempts that will never succeed now. */
async function deletePendingStateWrites(trx: Trx, tiIds: readonly string[]): Promise<void> {
  if (tiIds.length === 0) return;
  await trx
    .deleteFrom('state_pending')
    .where('ti_id', 'in', [...tiIds])
    .execute();
}

/** The TIs of every task downstream of `ti`'s (transitively) that never ran because an upstream failed. */
async function resetUpstreamFailedDownstream(trx: Trx, ti: TaskInstanceRow, now: number): Promise<void> {
  const dag = await trx.selectFrom('dag').select('serialized').where('dag_id', '=', ti.dag_id).executeTakeFirst();
  const downstream = downstreamTaskIds(parseDag(dag?.serialized ?? null, ti.dag_id), ti.task_id);
  await clearUpstreamFailed(trx, ti.dag_run_id, downstream, now);
}

/** Every task that depends on `taskId`, directly or not. */
export function downstreamTaskIds(dag: SerializedDag | undefined, taskId: string): string[] {
  const found = new Set<string>();
  const pending = [taskId];
  while (pending.length > 0) {
    const current = pending.pop() as string;
    for (const task of dag?.tasks ?? []) {
      if (task.upstreamTaskIds.includes(current) && !found.has(task.taskId)) {
        found.add(task.taskId);
        pending.push(task.taskId);
      }
    }
  }
  found.delete(taskId);
  return [...found].sort();
}

async function selectByIds(trx: Trx, ids: readonly string[]): Promise<TaskInstanceRow[]> {
  if (ids.length === 0) return [];
  return trx
    .selectFrom('task_instance')
    .selectAll()
    .where('id', 'in', [...ids])
    .orderBy('dag_run_id')
    .orderBy('task_id')
    .orderBy('map_index')
    .execute();
}

function retriesByTask(serialized: string | null, dagId: string): Map<string, number> {
  return new Map((parseDag(serialized, dagId)?.tasks ?? []).map((task) => [task.taskId, task.retries]));
}

function parseDag(serialized: string | null, dagId: string): SerializedDag | undefined {
  return serialized ? parseStoredDag(serialized, dagId) : undefined;
}

function groupBy<T>(items: readonly T[], keyOf: (item: T) => string): Map<string, T[]> {
  const groups = new Map<string, T[]>();
  for (const item of items) {
    const key = keyOf(item);
    const group = groups.get(key);
    if (group) group.push(item);
    else groups.set(key, [item]);
  }
  return groups;
}
