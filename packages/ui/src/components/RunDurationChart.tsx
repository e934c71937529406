import type { DagRun } from '../api/types.ts';
import { runDurationChart } from '../format/run-durations.ts';
import { formatDuration } from '../format/time.ts';
import { paths } from '../routes.ts';
import { Link } from './Link.tsx';

/**
 * How long each of a DAG's latest runs took, oldest on the left: a bar per run, its running time in
 * the run's state colour on top of its wait in the queue (grey), with the median of the finished
 * runs as a dashed line. Each bar opens its run.
 */
export function RunDurationChart({ runs, now }: { runs: readonly DagRun[]; now: number }) {
  if (runs.length === 0) return null;
  const chart = runDurationChart(runs, now);
  const percent = (value: number) => `${(value / chart.max) * 100}%`;
  return (
    <figure className="duration-chart" data-testid="run-duration-chart">
      <figcaption className="muted small">
        Run duration of the latest {runs.length} runs
        {chart.median !== null && <> · median {formatDuration(chart.median)}</>}
      </figcaption>
      <div className="duration-plot">
        <div className="duration-axis" aria-hidden="true">
          <span>{formatDuration(chart.max)}</span>
          <span>{formatDuration(chart.max / 2)}</span>
          <span>0</span>
        </div>
        <div className="duration-bars">
          {chart.median !== null && (
            <span className="duration-median" style={{ bottom: percent(chart.median) }} aria-hidden="true" />
          )}
          {chart.bars.map(({ run, queued, ran }) => {
            const label = `${run.dag_run_id}: ${run.state}, ran ${formatDuration(ran)}${queued > 0 ? `, queued ${formatDuration(queued)}` : ''}`;
            return (
              <Link
                key={run.dag_run_id}
                to={paths.run(run.dag_id, run.dag_run_id)}
                className="duration-bar"
                tooltip={label}
              >
                <span className="visually-hidden">{label}</span>
                <span className={`duration-ran state-${run.state}`} style={{ height: percent(ran) }} />
                <span className="duration-queued" style={{ height: percent(queued) }} />
              </Link>
            );
          })}
        </div>
      </div>
    </figure>
  );
}
