import { type SerializedTask, type TaskInstanceState, uuidV7 } from '@tidemark/core';
import type { Db } from '../open-database.ts';

/** The scheduler's view of a TI. */
export interface SchedulableTaskInstance {
  readonly id: string;
  readonly task_id: string;
  readonly map_index: number;
  readonly state: TaskInstanceState | null;
  readonly try_number: number;
  readonly max_tries: number;
  readonly next_retry_at: number | null;
}

export interface RunIdentity {
  readonly dagRunId: number;
  readonly dagId: string;
  readonly runId: string;
}

/** One TI per task of a new run, in state none; mapped tasks get a placeholder at map index -1. */
export async function createTaskInstances(
  db: Db,
  run: RunIdentity,
  tasks: readonly SerializedTask[],
  now: number,
): Promise<void> {
  if (tasks.length === 0) return;
  await db
    .insertInto('task_instance')
    .values(tasks.map((task) => newTaskInstance(run, task, -1, null, now)))
    .execute();
}

export async function listRunTaskInstances(db: Db, dagRunId: number): Promise<SchedulableTaskInstance[]> {
  const rows = await db
    .selectFrom('task_instance')
    .select(['id', 'task_id', 'map_index', 'state', 'try_number', 'max_tries', 'next_retry_at'])
    .where('dag_run_id', '=', dagRunId)
    .orderBy('task_id')
    .orderBy('map_index')
    .execute();
  return rows as SchedulableTaskInstance[];
}

/**
 * Dynamic task mapping: the placeholder at map index -1 becomes one queued TI per element of the
 * upstream's list, at map indices 0…n-1.
 */
export async function expandMappedTask(
  db: Db,
  run: RunIdentity,
  placeholderId: string,
  task: SerializedTask,
  count: number,
  now: number,
): Promise<void> {
  await db.deleteFrom('task_instance').where('id', '=', placeholderId).execute();
  const rows = Array.from({ length: count }, (_, mapIndex) => newTaskInstance(run, task, mapIndex, 'queued', now));
  for (let start = 0; start < rows.length; start += 500) {
    await db
      .insertInto('task_instance')
      .values(rows.slice(start, start + 500))
      .execute();
  }
}

export interface ZombieTaskInstance {
  readonly id: string;
  readonly try_number: number;
  readonly heartbeat_at: number | null;
}

/** Running TIs whose worker stopped heartbeating before `heartbeatBefore`. */
export async function findZombies(db: Db, heartbeatBefore: number): Promise<ZombieTaskInstance[]> {
  return db
    .selectFrom('task_instance')
    .select(['id', 'try_number', 'heartbeat_at'])
    .where('state', '=', 'running')
    .where((eb) => eb.or([eb('heartbeat_at', 'is', null), eb('heartbeat_at', '<', heartbeatBefore)]))
    .execute();
}

function newTaskInstance(
  run: RunIdentity,
  task: SerializedTask,
  mapIndex: number,
  state: TaskInstanceState | null,
  now: number,
) {
  return {
    id: uuidV7(now),
    dag_run_id: run.dagRunId,
    dag_id: run.dagId,
    run_id: run.runId,
    task_id: task.taskId,
    map_index: mapIndex,
    state,
    try_number: 0,
    max_tries: task.retries + 1,
    queued_at: state === 'queued' ? now : null,
    start_date: null,
    end_date: null,
    heartbeat_at: null,
    next_retry_at: null,
    worker: null,
    created_at: now,
    updated_at: now,
  };
}

/**
 * SPEC §17: records the item key the TI's attempt `tryNumber` uses for its item-keyed task state,
 * so that clearing the TI discards that item's state. Only while `tryNumber` is the TI's latest
 * try (an older attempt's request changes nothing); writes only when the key changed.
 */
export async function recordStateItemKey(db: Db, tiId: string, tryNumber: number, itemKey: string): Promise<void> {
  await db
    .updateTable('task_instance')
    .set({ state_item_key: itemKey })
    .where('id', '=', tiId)
    .where('try_number', '=', tryNumber)
    .where((eb) => eb.or([eb('state_item_key', 'is', null), eb('state_item_key', '!=', itemKey)]))
    .execute();
}
