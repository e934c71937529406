import { useState } from 'react';
import type { DagRun, DagTask, TaskInstance } from '../api/types.ts';
import { mostUrgentState } from '../format/task-state.ts';
import { elapsedSeconds, formatDuration, formatTime } from '../format/time.ts';
import { tasksInDependencyOrder } from '../graph/task-order.ts';
import type { RunGridData } from '../hooks/use-run-grid.ts';
import { paths } from '../routes.ts';
import { Link } from './Link.tsx';

const BAR_MIN_PX = 6;
const BAR_MAX_PX = 40;

/** A run's bar is as tall as its duration is long, next to the longest of the grid. */
function barHeight(seconds: number | null, longest: number): number {
  if (seconds === null || longest <= 0) return BAR_MIN_PX;
  return Math.round(BAR_MIN_PX + (BAR_MAX_PX - BAR_MIN_PX) * (seconds / longest));
}

/** When the run is for: its logical date, or when it was queued (a manual or asset-triggered run). */
function runDate(run: DagRun): string | null {
  return run.logical_date ?? run.queued_at ?? run.start_date;
}

function shortDate(iso: string | null): string {
  if (!iso) return '';
  return new Date(iso).toLocaleString(undefined, {
    month: '2-digit',
    day: '2-digit',
    hour: '2-digit',
    minute: '2-digit',
    hour12: false,
  });
}

/**
 * Runs × tasks (in dependency order), each cell coloured by the task instance's state; oldest run
 * on the left, each with its date and a bar as tall as its duration.
 */
export function RunGrid({ tasks, grid }: { tasks: readonly DagTask[]; grid: RunGridData }) {
  const [state, setState] = useState('');
  const all = [...grid.runs].reverse();
  if (all.length === 0) return <p className="muted">No runs yet.</p>;
  const runs = all.filter((run) => state === '' || run.state === state);
  const longest = Math.max(0, ...runs.map((run) => elapsedSeconds(run.start_date, run.end_date) ?? 0));
  const ordered = tasksInDependencyOrder(tasks);
  return (
    <>
      <search className="filters" aria-label="Filter runs">
        <label className="inline">
          Run state
          <select value={state} onChange={(event) => setState(event.target.value)} aria-label="Run state">
            <option value="">any</option>
            {['success', 'failed', 'running', 'queued'].map((name) => (
              <option key={name} value={name}>
                {name}
              </option>
            ))}
          </select>
        </label>
        <span className="muted small">
          {runs.length} of the latest {all.length} runs
        </span>
      </search>
      {runs.length === 0 && <p className="muted">No run in this state among the latest.</p>}
      {runs.length > 0 && (
        <div className="grid-wrap">
          <table className="run-grid" data-testid="run-grid">
            <thead>
              <tr className="grid-dates">
                <th className="grid-task">
                  <span className="visually-hidden">run date</span>
                </th>
                {runs.map((run) => (
                  <th key={run.dag_run_id} className="grid-run">
                    <span className="grid-run-date">{shortDate(runDate(run))}</span>
                  </th>
                ))}
              </tr>
              <tr>
                <th className="grid-task">
                  <span className="visually-hidden">task</span>
                </th>
                {runs.map((run) => {
                  const duration = elapsedSeconds(run.start_date, run.end_date);
                  const label = `${run.dag_run_id}: ${run.state}, ${formatTime(runDate(run))}, ${formatDuration(duration)}`;
                  return (
                    <th key={run.dag_run_id} className="grid-run">
                      <Link
                        to={paths.run(run.dag_id, run.dag_run_id)}
                        className={`run-head state-${run.state}`}
                        style={{ height: `${barHeight(duration, longest)}px` }}
                        tooltip={label}
                      >
                        <span className="visually-hidden">{run.dag_run_id}</span>
                      </Link>
                    </th>
                  );
                })}
              </tr>
            </thead>
            <tbody>
              {ordered.map((task) => (
                <tr key={task.task_id}>
                  <th className="grid-task" scope="row">
                    {task.task_id}
                    {task.map_over && <span className="muted small"> [mapped]</span>}
                  </th>
                  {runs.map((run) => (
                    <td key={run.dag_run_id}>
                      <GridCell
                        dagId={run.dag_id}
                        runId={run.dag_run_id}
                        taskId={task.task_id}
                        tis={(grid.taskInstances.get(run.dag_run_id) ?? []).filter((ti) => ti.task_id === task.task_id)}
                      />
                    </td>
                  ))}
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}
    </>
  );
}

function GridCell({
  dagId,
  runId,
  taskId,
  tis,
}: {
  dagId: string;
  runId: string;
  taskId: string;
  tis: readonly TaskInstance[];
}) {
  if (tis.length === 0) return <span className="cell cell-empty" />;
  const state = mostUrgentState(tis.map((ti) => ti.state));
  const only = tis.length === 1 ? tis[0] : undefined;
  const to = only ? paths.task(dagId, runId, taskId, only.map_index) : paths.run(dagId, runId);
  const retried = tis.some((ti) => ti.try_number > 1);
  const label = `${taskId} in ${runId}: ${state}${tis.length > 1 ? ` (${tis.length} mapped)` : ''}${retried ? ', retried' : ''}`;
  return (
    <Link to={to} className={`cell state-${state}${retried ? ' cell-retried' : ''}`} tooltip={label}>
      <span className="visually-hidden">{label}</span>
      {tis.length > 1 && <span className="cell-count">{tis.length}</span>}
    </Link>
  );
}
