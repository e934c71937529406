/**
 * Airflow's TI states; `null` is "none" (created, not yet scheduled). `deferred`: the try's process
 * ended and a triggerer waits for it (SPEC §16); it holds no worker slot.
 */
export const TASK_INSTANCE_STATES = [
  'scheduled',
  'queued',
  'running',
  'deferred',
  'success',
  'failed',
  'up_for_retry',
  'upstream_failed',
  'skipped',
  'removed',
] as const;

export type TaskInstanceState = (typeof TASK_INSTANCE_STATES)[number];

/** States a TI does not leave by itself (only an operator's clear or mark moves it). */
export const FINISHED_TI_STATES: ReadonlySet<TaskInstanceState> = new Set([
  'success',
  'failed',
  'upstream_failed',
  'skipped',
  'removed',
]);

export function isFinishedTiState(state: TaskInstanceState | null): boolean {
  return state !== null && FINISHED_TI_STATES.has(state);
}

export const DAG_RUN_STATES = ['queued', 'running', 'success', 'failed'] as const;
export type DagRunState = (typeof DAG_RUN_STATES)[number];

export const DAG_RUN_TYPES = ['manual', 'scheduled', 'asset_triggered'] as const;
export type DagRunType = (typeof DAG_RUN_TYPES)[number];
