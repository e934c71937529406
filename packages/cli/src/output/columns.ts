import type { DagRunResponse, TaskInstanceResponse } from '@tidemark/core';
import { formatDuration, formatTime } from './print.ts';
import { summarizeTaskStates } from './run-progress.ts';
import type { Column } from './table.ts';

/** Table columns shared by several commands. */

export const DAG_RUN_COLUMNS: readonly Column<DagRunResponse>[] = [
  { header: 'RUN_ID', value: (run) => run.dag_run_id },
  { header: 'STATE', value: (run) => run.state },
  { header: 'TYPE', value: (run) => run.run_type },
  { header: 'LOGICAL_DATE', value: (run) => formatTime(run.logical_date) },
  { header: 'STARTED', value: (run) => formatTime(run.start_date) },
  { header: 'DURATION', value: (run) => formatDuration(run.start_date, run.end_date), align: 'right' },
  { header: 'TASKS', value: (run) => summarizeTaskStates(run.task_instance_states) },
];

export const TASK_INSTANCE_COLUMNS: readonly Column<TaskInstanceResponse>[] = [
  { header: 'TASK_ID', value: (ti) => ti.task_id },
  { header: 'MAP_INDEX', value: (ti) => (ti.map_index < 0 ? null : ti.map_index), align: 'right' },
  { header: 'STATE', value: (ti) => ti.state ?? 'none' },
  { header: 'TRY', value: (ti) => `${ti.try_number}/${ti.max_tries}`, align: 'right' },
  { header: 'STARTED', value: (ti) => formatTime(ti.start_date) },
  { header: 'DURATION', value: (ti) => (ti.duration === null ? null : `${ti.duration.toFixed(1)}s`), align: 'right' },
  { header: 'HOSTNAME', value: (ti) => ti.hostname },
  { header: 'WAITING_FOR', value: (ti) => describeDeferral(ti) },
];

/** The same list with the run id first, for listings across runs (`tasks clear` without --run-id). */
export const TASK_INSTANCE_WITH_RUN_COLUMNS: readonly Column<TaskInstanceResponse>[] = [
  { header: 'RUN_ID', value: (ti) => ti.dag_run_id },
  ...TASK_INSTANCE_COLUMNS,
];

/** A deferred TI's wait (SPEC §16): `poll spark_job, next check 12:00:05Z, timeout 15:00:00Z`; empty otherwise. */
function describeDeferral(ti: TaskInstanceResponse): string | null {
  const deferral = ti.deferral;
  if (!deferral) return null;
  const what = deferral.kind === 'timer' ? 'timer' : `poll ${deferral.wait}`;
  if (deferral.status === 'fired') return `${what}, fired: resuming`;
  const next =
    deferral.next_check_at === null
      ? ''
      : `, ${deferral.kind === 'timer' ? 'fires' : 'next check'} ${formatTime(deferral.next_check_at)}`;
  const timeout = deferral.timeout_at === null ? '' : `, timeout ${formatTime(deferral.timeout_at)}`;
  return `${what}${next}${timeout}`;
}
