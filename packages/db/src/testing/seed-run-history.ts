import { randomUUID } from 'node:crypto';
import type { SerializedDag } from '@tidemark/core';
import type { Insertable } from 'kysely';
import type { Db } from '../open-database.ts';
import { createDagRun } from '../repositories/dag-run-repository.ts';
import type { TaskInstanceTable, TaskInstanceTryTable } from '../schema/database-schema.ts';
import type { SeededDagRun } from './seed-task-instance.ts';

/** How `seedRunHistory` shapes the runs it makes. */
export interface RunHistoryShape {
  /** How many finished runs. */
  readonly runs: number;
  /** The first run's logical date (epoch ms); each next run `intervalMs` later. */
  readonly firstLogicalDate: number;
  readonly intervalMs: number;
  /** How long each task instance runs (a layer of the DAG after another). */
  readonly taskMs: number;
  /** Every `failEvery`-th run fails at its middle task (its downstream upstream_failed); 0: none fails. */
  readonly failEvery?: number;
  /** Every `retryEvery`-th task of a run needed a second try (its first try recorded); 0: none. */
  readonly retryEvery?: number;
}

const BATCH = 200;

/**
 * A DAG's past: `shape.runs` finished runs of `dag` (already registered, e.g. by `seedDag`), each
 * with one TI per task, run layer after layer of the DAG with plausible queued/start/end times,
 * oldest first. Bulk inserts (creations, not transitions): for UI tests and benchmarks that need
 * hundreds of runs × hundreds of tasks without running them.
 */
export async function seedRunHistory(db: Db, dag: SerializedDag, shape: RunHistoryShape): Promise<SeededDagRun[]> {
  const layers = layerOf(dag);
  const runs: SeededDagRun[] = [];
  for (let index = 0; index < shape.runs; index++) {
    const logicalDate = shape.firstLogicalDate + index * shape.intervalMs;
    const runId = `scheduled__${new Date(logicalDate).toISOString()}`;
    const failed = shape.failEvery ? (index + 1) % shape.failEvery === 0 : false;
    const dagRunId = await createDagRun(
      db,
      { dagId: dag.dagId, runId, conf: {}, logicalDate, runType: 'scheduled' },
      logicalDate,
    );
    const run = { dagRunId, dagId: dag.dagId, runId };
    const { tis, tries, end } = runTaskInstances(dag, layers, run, logicalDate + 1_000, shape, failed);
    for (let at = 0; at < tis.length; at += BATCH) {
      await db
        .insertInto('task_instance')
        .values(tis.slice(at, at + BATCH))
        .execute();
    }
    if (tries.length > 0) await db.insertInto('task_instance_try').values(tries).execute();
    await db
      .updateTable('dag_run')
      .set({ state: failed ? 'failed' : 'success', start_date: logicalDate + 1_000, end_date: end, updated_at: end })
      .where('id', '=', dagRunId)
      .execute();
    runs.push(run);
  }
  return runs;
}

/** Each task's depth: 0 for a task with no upstream, else one more than its deepest upstream. */
function layerOf(dag: SerializedDag): Map<string, number> {
  const layers = new Map<string, number>();
  for (const task of dag.tasks) {
    const upstream = task.upstreamTaskIds.map((id) => layers.get(id) ?? 0);
    layers.set(task.taskId, upstream.length === 0 ? 0 : Math.max(...upstream) + 1);
  }
  return layers;
}

function downstreamOf(dag: SerializedDag, taskId: string): Set<string> {
  const found = new Set<string>();
  for (const task of dag.tasks) {
    if (task.upstreamTaskIds.some((id) => id === taskId || found.has(id))) found.add(task.taskId);
  }
  return found;
}

function runTaskInstances(
  dag: SerializedDag,
  layers: ReadonlyMap<string, number>,
  run: SeededDagRun,
  runStart: number,
  shape: RunHistoryShape,
  failed: boolean,
) {
  const failing = failed ? dag.tasks[Math.floor(dag.tasks.length / 2)]?.taskId : undefined;
  const blocked = failing ? downstreamOf(dag, failing) : new Set<string>();
  const tis: Insertable<TaskInstanceTable>[] = [];
  const tries: Insertable<TaskInstanceTryTable>[] = [];
  let end = runStart;
  dag.tasks.forEach((task, index) => {
    const id = randomUUID();
    const slot = runStart + (layers.get(task.taskId) ?? 0) * (shape.taskMs + 300);
    // Every row names every column: a bulk insert takes its columns from all rows.
    const base = {
      id,
      dag_run_id: run.dagRunId,
      dag_id: run.dagId,
      run_id: run.runId,
      task_id: task.taskId,
      map_index: -1,
      heartbeat_at: null,
      next_retry_at: null,
    };
    if (blocked.has(task.taskId)) {
      tis.push({
        ...base,
        state: 'upstream_failed',
        try_number: 0,
        max_tries: 1,
        queued_at: null,
        start_date: null,
        end_date: slot,
        worker: null,
        created_at: runStart,
        updated_at: slot,
      });
      return;
    }
    const retried = shape.retryEvery ? (index + 1) % shape.retryEvery === 0 : false;
    const queued = slot + (index % 7) * 20;
    const start = queued + 100 + (retried ? shape.taskMs + 500 : 0);
    const finish = start + shape.taskMs - (index % 5) * Math.floor(shape.taskMs / 10);
    end = Math.max(end, finish);
    tis.push({
      ...base,
      state: task.taskId === failing ? 'failed' : 'success',
      try_number: retried ? 2 : 1,
      max_tries: retried ? 2 : 1,
      queued_at: retried ? start - 100 : queued,
      start_date: start,
      end_date: finish,
      worker: 'seeded:1',
      created_at: runStart,
      updated_at: finish,
    });
    if (retried) {
      const firstEnd = queued + 100 + shape.taskMs / 2;
      tries.push({
        ti_id: id,
        try_number: 1,
        state: 'up_for_retry',
        max_tries: 2,
        queued_at: queued,
        start_date: queued + 100,
        end_date: firstEnd,
        next_retry_at: start - 100,
        worker: 'seeded:1',
      });
    }
  });
  return { tis, tries, end };
}
