import { dagRunsQuery, dagsQuery } from '../api/queries.ts';
import type { DagRun } from '../api/types.ts';
import { scheduleLabel } from '../format/schedule.ts';
import { formatTime } from '../format/time.ts';
import { usePolling } from '../hooks/use-polling.ts';
import { paths } from '../routes.ts';
import { ErrorNotice } from './ErrorNotice.tsx';
import { ImportErrors } from './ImportErrors.tsx';
import { Link } from './Link.tsx';
import { PauseToggle } from './PauseToggle.tsx';
import { RunStrip } from './RunStrip.tsx';
import { StateBadge } from './StateBadge.tsx';

const REFRESH_MS = 5_000;
const RUNS_PER_DAG = 12;

/** Every DAG: schedule, paused, and its recent runs by state. */
export function DagListPage() {
  const dags = usePolling(dagsQuery(), REFRESH_MS);
  const runs = usePolling(dagRunsQuery('~', 500), REFRESH_MS);
  const runsByDag = groupRuns(runs.data ?? []);

  return (
    <section>
      <h1>DAGs</h1>
      <ErrorNotice error={dags.error ?? runs.error} onRetry={dags.reload} />
      <ImportErrors />
      {dags.data && dags.data.length === 0 && (
        <p className="muted">No DAGs yet. Put a DAG file in the DAGs folder; the scheduler picks it up.</p>
      )}
      {dags.data && dags.data.length > 0 && (
        <div className="table-wrap">
          <table className="table" data-testid="dag-list">
            <thead>
              <tr>
                <th>DAG</th>
                <th>Schedule</th>
                <th>Next run</th>
                <th>Latest run</th>
                <th>Recent runs</th>
                <th>Status</th>
              </tr>
            </thead>
            <tbody>
              {dags.data.map((dag) => (
                <tr key={dag.dag_id}>
                  <td data-label="DAG">
                    <Link to={paths.dag(dag.dag_id)} className="strong">
                      {dag.dag_id}
                    </Link>
                    {dag.description && <div className="muted small">{dag.description}</div>}
                    {dag.tags.map((tag) => (
                      <span key={tag} className="tag">
                        {tag}
                      </span>
                    ))}
                  </td>
                  <td data-label="Schedule">
                    <code>{scheduleLabel(dag)}</code>
                  </td>
                  <td data-label="Next run">{formatTime(dag.next_dagrun_run_after)}</td>
                  <td data-label="Latest run">
                    {dag.latest_dag_run ? (
                      <StateBadge state={dag.latest_dag_run.state} />
                    ) : (
                      <span className="muted">—</span>
                    )}
                  </td>
                  <td data-label="Recent runs">
                    <RunStrip runs={runsByDag.get(dag.dag_id) ?? []} />
                  </td>
                  <td data-label="Status">
                    <PauseToggle dag={dag} onChanged={dags.reload} />
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}
    </section>
  );
}

/** Newest first, at most RUNS_PER_DAG each. */
function groupRuns(runs: readonly DagRun[]): Map<string, DagRun[]> {
  const byDag = new Map<string, DagRun[]>();
  for (const run of runs) {
    const list = byDag.get(run.dag_id) ?? [];
    if (list.length < RUNS_PER_DAG) list.push(run);
    byDag.set(run.dag_id, list);
  }
  return byDag;
}
