import { TidemarkError } from '@tidemark/core';

/** The public API's task-instance errors: a TI addressed by run, task and map index (not by its id). */

export class TaskInstanceNotInRunError extends TidemarkError {
  constructor(ti: {
    readonly dagId: string;
    readonly runId: string;
    readonly taskId: string;
    readonly mapIndex: number;
  }) {
    const mapped = ti.mapIndex === -1 ? '' : ` at map index ${ti.mapIndex}`;
    super(
      'task_instance_not_found',
      `DAG run "${ti.runId}" of DAG "${ti.dagId}" has no task instance of task "${ti.taskId}"${mapped}`,
      { dag_id: ti.dagId, run_id: ti.runId, task_id: ti.taskId, map_index: ti.mapIndex },
    );
  }
}

/** A mapped task's TIs are addressed one map index at a time. */
export class MapIndexRequiredError extends TidemarkError {
  constructor(ti: { readonly runId: string; readonly taskId: string; readonly mapIndexCount: number }) {
    super(
      'task_instance_not_found',
      `task "${ti.taskId}" is mapped: it has ${ti.mapIndexCount} task instance${ti.mapIndexCount === 1 ? '' : 's'} ` +
        `in run "${ti.runId}", at map_index 0…${ti.mapIndexCount - 1}; pass ?map_index= to choose one`,
      { task_id: ti.taskId, map_index_count: ti.mapIndexCount },
    );
  }
}

/** No log for that try: it has not started, or its worker has not sent a line yet. */
export class TaskLogNotFoundError extends TidemarkError {
  constructor(ti: { readonly taskId: string; readonly mapIndex: number; readonly tryNumber: number }, tries: number) {
    const which = ti.mapIndex === -1 ? `task "${ti.taskId}"` : `task "${ti.taskId}" at map index ${ti.mapIndex}`;
    const existing =
      tries === 0 ? 'it has not run yet' : tries === 1 ? 'its only try is 1' : `its tries are 1…${tries}`;
    const reason =
      ti.tryNumber > tries ? existing : `try ${ti.tryNumber} has no log yet (its worker has not sent a line)`;
    super('not_found', `no log for try ${ti.tryNumber} of ${which}: ${reason}`, {
      task_id: ti.taskId,
      map_index: ti.mapIndex,
      try_number: ti.tryNumber,
      tries,
    });
  }
}
