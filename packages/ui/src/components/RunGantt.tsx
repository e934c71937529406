import type { TaskInstance } from '../api/types.ts';
import { type GanttSegment, ganttOf, ganttTicks } from '../format/gantt.ts';
import { formatDuration } from '../format/time.ts';
import { paths } from '../routes.ts';
import { Link } from './Link.tsx';

const SEGMENT_LABEL: Record<GanttSegment['kind'], string> = {
  queued: 'queued',
  running: 'ran',
  retry_wait: 'waits for its retry',
};

/**
 * A run's task instances on one time axis, in dependency order: for each, its latest try's time in
 * the queue (grey) and running (its state's colour, until now while it runs); a TI waiting for a
 * retry shows the wait (hatched), and one on its second try or later is marked ↻ with its try.
 */
export function RunGantt({
  dagId,
  runId,
  taskInstances,
  now,
}: {
  dagId: string;
  runId: string;
  taskInstances: readonly TaskInstance[];
  now: number;
}) {
  if (taskInstances.length === 0) return <p className="muted">No task instances yet.</p>;
  const chart = ganttOf(taskInstances, now);
  const span = chart.end - chart.start;
  const percent = (instant: number) => ((instant - chart.start) / span) * 100;
  const clock = (instant: number) => new Date(instant).toLocaleTimeString(undefined, { hour12: false });
  return (
    <div className="gantt" data-testid="gantt">
      <div className="gantt-axis" aria-hidden="true">
        <span className="gantt-label" />
        <span className="gantt-track">
          {ganttTicks(chart).map((tick, index) => (
            <span
              key={tick}
              className={`gantt-tick${index === 0 ? ' gantt-tick-first' : ''}`}
              style={{ left: `${percent(tick)}%` }}
            >
              {index === 0 ? clock(tick) : `+${formatDuration((tick - chart.start) / 1000)}`}
            </span>
          ))}
        </span>
      </div>
      {chart.rows.map(({ ti, segments }) => {
        const name = `${ti.task_id}${ti.map_index === -1 ? '' : ` [${ti.map_index}]`}`;
        const tries = ti.try_number > 1 ? `try ${ti.try_number} of ${ti.max_tries}` : '';
        return (
          <div
            key={ti.id}
            className="gantt-row"
            data-testid={`gantt-row-${ti.task_id}${ti.map_index === -1 ? '' : `-${ti.map_index}`}`}
          >
            <span className="gantt-label">
              <Link to={paths.task(dagId, runId, ti.task_id, ti.map_index)}>{name}</Link>
              {tries && (
                <span className="gantt-try" title={`retried: ${tries}`}>
                  {' '}
                  ↻ {tries}
                </span>
              )}
            </span>
            <span className="gantt-track">
              {segments.map((segment) => (
                <span
                  key={segment.kind}
                  className={`gantt-bar gantt-${segment.kind}${segment.kind === 'running' ? ` state-${ti.state ?? 'none'}` : ''}`}
                  data-kind={segment.kind}
                  style={{
                    left: `${percent(segment.start)}%`,
                    width: `max(2px, ${percent(segment.end) - percent(segment.start)}%)`,
                  }}
                  title={`${name} ${SEGMENT_LABEL[segment.kind]} ${formatDuration((segment.end - segment.start) / 1000)} (${clock(segment.start)}–${clock(segment.end)})`}
                />
              ))}
              {segments.length === 0 && <span className="gantt-none muted small">{ti.state ?? 'not started'}</span>}
            </span>
          </div>
        );
      })}
      <div className="legend">
        <span className="legend-item">
          <span className="cell gantt-queued" /> queued
        </span>
        <span className="legend-item">
          <span className="cell state-success" /> running or ran (state colour)
        </span>
        <span className="legend-item">
          <span className="cell gantt-retry_wait" /> waiting for a retry
        </span>
        <span className="legend-item">↻ on a later try (earlier tries' times are not kept)</span>
      </div>
    </div>
  );
}
