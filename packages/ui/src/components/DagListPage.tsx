import { useState } from 'react';
import { dagRunsQuery, dagsQuery } from '../api/queries.ts';
import type { Dag, DagRun } from '../api/types.ts';
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
  const [search, setSearch] = useState('');
  const [latestState, setLatestState] = useState('');
  const shown = (dags.data ?? []).filter((dag) => matchesSearch(dag, search) && matchesLatestState(dag, latestState));

  return (
    <section>
      <h1>DAGs</h1>
      <ErrorNotice error={dags.error ?? runs.error} onRetry={dags.reload} />
      <ImportErrors />
      {dags.data && dags.data.length === 0 && (
        <p className="muted">No DAGs yet. Put a DAG file in the DAGs folder; the scheduler picks it up.</p>
      )}
      {dags.data && dags.data.length > 0 && (
        <search className="filters" aria-label="Filter DAGs">
          <input
            type="search"
            value={search}
            onChange={(event) => setSearch(event.target.value)}
            placeholder="DAG id or tag"
            aria-label="Search DAGs by id or tag"
          />
          <label className="inline">
            Latest run
            <select
              value={latestState}
              onChange={(event) => setLatestState(event.target.value)}
              aria-label="Latest run state"
            >
              <option value="">any</option>
              {['success', 'failed', 'running', 'queued', 'none'].map((state) => (
                <option key={state} value={state}>
                  {state === 'none' ? 'no run yet' : state}
                </option>
              ))}
            </select>
          </label>
          <span className="muted small">
            {shown.length} of {dags.data.length}
          </span>
        </search>
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
              {shown.map((dag) => (
                <tr key={dag.dag_id}>
                  <td data-label="DAG">
                    <Link to={paths.dag(dag.dag_id)} className="strong">
                      {dag.dag_id}
                    </Link>
                    {dag.description && <div className="muted small">{dag.description}</div>}
                    {dag.tags.map((tag) => (
                      <button
                        key={tag}
                        type="button"
                        className="tag tag-button"
                        onClick={() => setSearch(tag)}
                        aria-label={`Show the DAGs tagged ${tag}`}
                      >
                        {tag}
                      </button>
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

/** A DAG matches when its id contains the text or one of its tags is it (case-insensitive). */
function matchesSearch(dag: Dag, search: string): boolean {
  const text = search.trim().toLowerCase();
  if (text === '') return true;
  return dag.dag_id.toLowerCase().includes(text) || dag.tags.some((tag) => tag.toLowerCase() === text);
}

function matchesLatestState(dag: Dag, state: string): boolean {
  if (state === '') return true;
  return (dag.latest_dag_run?.state ?? 'none') === state;
}
