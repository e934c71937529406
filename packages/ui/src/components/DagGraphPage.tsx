import { isNotFound } from '../api/http.ts';
import { dagQuery, dagRunsQuery, taskInstancesQuery } from '../api/queries.ts';
import { formatTime } from '../format/time.ts';
import { navigate } from '../hooks/use-location.ts';
import { usePolling } from '../hooks/use-polling.ts';
import { paths } from '../routes.ts';
import { DagGraph } from './DagGraph.tsx';
import { ErrorNotice } from './ErrorNotice.tsx';
import { Link } from './Link.tsx';
import { NotFoundPage } from './NotFoundPage.tsx';
import { StateLegend } from './StateLegend.tsx';

const RUNS = 25;
const LIVE_MS = 3_000;
const IDLE_MS = 15_000;

/** A DAG's graph of tasks, coloured by the state of one of its latest runs (the newest unless chosen). */
export function DagGraphPage({ dagId, runId }: { dagId: string; runId: string | null }) {
  const dag = usePolling(dagQuery(dagId), 30_000);
  const runs = usePolling(dagRunsQuery(dagId, RUNS), LIVE_MS);
  const chosen = runId ?? runs.data?.[0]?.dag_run_id;
  const run = runs.data?.find((candidate) => candidate.dag_run_id === chosen);
  const live = run === undefined || run.state === 'running' || run.state === 'queued';
  const tis = usePolling(
    { ...taskInstancesQuery(dagId, chosen ?? ''), enabled: chosen !== undefined },
    live ? LIVE_MS : IDLE_MS,
  );
  if (isNotFound(dag.error)) return <NotFoundPage what={`The DAG ${dagId}`} detail={dag.error?.message} />;
  return (
    <section>
      <nav className="breadcrumbs">
        <Link to={paths.dags()}>DAGs</Link> / <Link to={paths.dag(dagId)}>{dagId}</Link> / <span>Graph</span>
      </nav>
      <div className="page-head">
        <h1>{dagId}</h1>
        <Link to={paths.dag(dagId)}>Show the grid</Link>
      </div>
      <ErrorNotice error={dag.error ?? runs.error ?? tis.error} onRetry={dag.reload} />
      {runs.data && runs.data.length > 0 && (
        <label className="inline run-picker">
          Run
          <select
            value={chosen ?? ''}
            onChange={(event) => navigate(paths.dagGraph(dagId, event.target.value))}
            aria-label="Run whose states colour the graph"
          >
            {runId !== null && !run && <option value={runId}>{runId}</option>}
            {runs.data.map((candidate) => (
              <option key={candidate.dag_run_id} value={candidate.dag_run_id}>
                {candidate.dag_run_id} ({candidate.state}, {formatTime(candidate.logical_date ?? candidate.queued_at)})
              </option>
            ))}
          </select>
        </label>
      )}
      {chosen && (
        <p className="small">
          <Link to={paths.run(dagId, chosen)}>Open run {chosen}</Link>
          {' · '}
          <Link to={paths.run(dagId, chosen, 'gantt')}>Gantt</Link>
        </p>
      )}
      {runs.data && runs.data.length === 0 && <p className="muted">No runs yet: the graph shows the tasks alone.</p>}
      {dag.data && (
        <DagGraph
          dagId={dagId}
          tasks={dag.data.tasks}
          runId={chosen}
          taskInstances={chosen === undefined ? undefined : tis.data}
        />
      )}
      <StateLegend />
    </section>
  );
}
