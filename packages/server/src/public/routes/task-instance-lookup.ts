import { DagRunNotFoundError } from '@tidemark/core';
import {
  countMappedTaskInstances,
  type DagRunKey,
  type Db,
  findDagRunKey,
  findRunTaskInstance,
  type TaskInstanceRow,
} from '@tidemark/db';
import { MapIndexRequiredError, TaskInstanceNotInRunError } from '../../errors.ts';

/** The run a public route addresses; 404 `dag_run_not_found`. */
export async function requireDagRun(db: Db, dagId: string, runId: string): Promise<DagRunKey> {
  const run = await findDagRunKey(db, dagId, runId);
  if (!run) throw new DagRunNotFoundError(dagId, runId);
  return run;
}

export interface TaskInstanceAddress {
  readonly dagId: string;
  readonly runId: string;
  readonly taskId: string;
  /** Omitted: -1, unless the task is mapped, which is then an error asking for it. */
  readonly mapIndex?: number | undefined;
}

/** The TI a public route addresses; 404 `dag_run_not_found` or `task_instance_not_found`. */
export async function requireTaskInstance(
  db: Db,
  address: TaskInstanceAddress,
): Promise<{ run: DagRunKey; ti: TaskInstanceRow }> {
  const run = await requireDagRun(db, address.dagId, address.runId);
  const mapIndex = address.mapIndex ?? -1;
  const ti = await findRunTaskInstance(db, { dagRunId: run.id, taskId: address.taskId, mapIndex });
  if (ti) return { run, ti };
  if (address.mapIndex === undefined) {
    const mapIndexCount = await countMappedTaskInstances(db, { dagRunId: run.id, taskId: address.taskId });
    if (mapIndexCount > 0) throw new MapIndexRequiredError({ runId: run.runId, taskId: address.taskId, mapIndexCount });
  }
  throw new TaskInstanceNotInRunError({ dagId: run.dagId, runId: run.runId, taskId: address.taskId, mapIndex });
}
