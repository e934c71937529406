import { isFinishedTiState, type SerializedDag, type SerializedTask, type TaskInstanceState } from '@tidemark/core';

/** The scheduler's view of one TI (a subset of the row). */
export interface TaskInstanceView {
  readonly id: string;
  readonly task_id: string;
  readonly map_index: number;
  readonly state: TaskInstanceState | null;
  readonly next_retry_at: number | null;
}

export interface RunDecisions {
  /** Dependencies met, or a retry's delay has passed. */
  readonly queue: string[];
  readonly upstreamFailed: string[];
  readonly skip: string[];
  /** Mapped tasks whose upstream succeeded: expand the placeholder over the upstream's list. */
  readonly expand: { readonly placeholderId: string; readonly task: SerializedTask }[];
  /** TIs of tasks no longer in the DAG. */
  readonly remove: string[];
}

type Outcome = 'success' | 'failed' | 'skipped' | 'pending';

/**
 * `all_success` for every TI not yet decided: it runs when every upstream task succeeded (every
 * map index of a mapped upstream), becomes `upstream_failed` as soon as one upstream TI failed,
 * and `skipped` when an upstream was skipped. Pure: the caller applies the decisions.
 */
export function decideTaskInstances(dag: SerializedDag, tis: readonly TaskInstanceView[], now: number): RunDecisions {
  const decisions: RunDecisions = { queue: [], upstreamFailed: [], skip: [], expand: [], remove: [] };
  const tasks = new Map(dag.tasks.map((task) => [task.taskId, task]));
  const byTask = groupByTask(tis);

  for (const ti of tis) {
    const task = tasks.get(ti.task_id);
    if (!task) {
      if (!isFinishedTiState(ti.state)) decisions.remove.push(ti.id);
      continue;
    }
    if (ti.state === 'up_for_retry') {
      if ((ti.next_retry_at ?? 0) <= now) decisions.queue.push(ti.id);
      continue;
    }
    if (ti.state !== null && ti.state !== 'scheduled') continue;
    switch (upstreamOutcome(task, byTask)) {
      case 'failed':
        decisions.upstreamFailed.push(ti.id);
        break;
      case 'skipped':
        decisions.skip.push(ti.id);
        break;
      case 'success':
        if (task.mapOver !== null && ti.map_index === -1) decisions.expand.push({ placeholderId: ti.id, task });
        else decisions.queue.push(ti.id);
        break;
      case 'pending':
        break;
    }
  }
  return decisions;
}

/** A run is finished when all its TIs are; it failed if any TI failed. */
export function decideRunState(tis: readonly TaskInstanceView[]): 'running' | 'success' | 'failed' {
  if (tis.some((ti) => !isFinishedTiState(ti.state))) return 'running';
  return tis.some((ti) => ti.state === 'failed' || ti.state === 'upstream_failed') ? 'failed' : 'success';
}

function upstreamOutcome(task: SerializedTask, byTask: Map<string, TaskInstanceView[]>): Outcome {
  const outcomes = task.upstreamTaskIds.map((upstream) => taskOutcome(byTask.get(upstream) ?? []));
  if (outcomes.includes('failed')) return 'failed';
  if (outcomes.includes('pending')) return 'pending';
  if (outcomes.includes('skipped')) return 'skipped';
  return 'success';
}

function taskOutcome(tis: readonly TaskInstanceView[]): Outcome {
  if (tis.length === 0) return 'pending';
  if (tis.some((ti) => ti.state === 'failed' || ti.state === 'upstream_failed')) return 'failed';
  if (tis.some((ti) => !isFinishedTiState(ti.state))) return 'pending';
  if (tis.some((ti) => ti.state === 'skipped')) return 'skipped';
  return 'success';
}

function groupByTask(tis: readonly TaskInstanceView[]): Map<string, TaskInstanceView[]> {
  const groups = new Map<string, TaskInstanceView[]>();
  for (const ti of tis) {
    const group = groups.get(ti.task_id);
    if (group) group.push(ti);
    else groups.set(ti.task_id, [ti]);
  }
  return groups;
}
