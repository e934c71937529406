import type { DagRun } from '../api/types.ts';
import { formatTime } from '../format/time.ts';
import { paths } from '../routes.ts';
import { Link } from './Link.tsx';

/** A DAG's recent runs as coloured squares, oldest first; each links to its run. */
export function RunStrip({ runs }: { runs: readonly DagRun[] }) {
  if (runs.length === 0) return <span className="muted">no runs yet</span>;
  return (
    <span className="run-strip">
      {[...runs].reverse().map((run) => (
        <Link
          key={run.dag_run_id}
          to={paths.run(run.dag_id, run.dag_run_id)}
          className={`run-square state-${run.state}`}
          tooltip={`${run.dag_run_id}: ${run.state}, ${formatTime(run.logical_date)}`}
        >
          <span className="visually-hidden">
            {run.dag_run_id} {run.state}
          </span>
        </Link>
      ))}
    </span>
  );
}
