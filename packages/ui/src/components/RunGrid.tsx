import type { DagTask, TaskInstance } from '../api/types.ts';
import { mostUrgentState } from '../format/task-state.ts';
import type { RunGridData } from '../hooks/use-run-grid.ts';
import { paths } from '../routes.ts';
import { Link } from './Link.tsx';

/** Runs × tasks, each cell coloured by the task instance's state; oldest run on the left. */
export function RunGrid({ tasks, grid }: { tasks: readonly DagTask[]; grid: RunGridData }) {
  const runs = [...grid.runs].reverse();
  if (runs.length === 0) return <p className="muted">No runs yet.</p>;
  return (
    <div className="grid-wrap">
      <table className="run-grid" data-testid="run-grid">
        <thead>
          <tr>
            <th className="grid-task">
              <span className="visually-hidden">task</span>
            </th>
            {runs.map((run) => (
              <th key={run.dag_run_id} className="grid-run">
                <Link to={paths.run(run.dag_id, run.dag_run_id)} className={`run-head state-${run.state}`}>
                  <span className="visually-hidden">{run.dag_run_id}</span>
                  <span className="tooltip">
                    {run.dag_run_id}: {run.state}
                  </span>
                </Link>
              </th>
            ))}
          </tr>
        </thead>
        <tbody>
          {tasks.map((task) => (
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
    <Link to={to} className={`cell state-${state}${retried ? ' cell-retried' : ''}`}>
      <span className="visually-hidden">{label}</span>
      <span className="tooltip">{label}</span>
      {tis.length > 1 && <span className="cell-count">{tis.length}</span>}
    </Link>
  );
}
