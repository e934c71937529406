import type { TaskInstance, TaskInstanceTry } from '../api/types.ts';
import { type GanttSegment, ganttOf, ganttTicks } from '../format/gantt.ts';
import { formatDuration } from '../format/time.ts';
import { paths } from '../routes.ts';
import { Link } from './Link.tsx';

const SEGMENT_LABEL: Record<GanttSegment['kind'], string> = {
  queued: 'queued',
  running: 'ran',
  retry_wait: 'waited for its retry',
};

/**
 * A run's task instances on one time axis, in dependency order: for each, every try's time in the
 * queue (grey) and running (the try's state colour, until now while it runs), and between tries the
 * wait for the retry (hatched). A TI past its first try is marked ↻ with its try.
 */
export function RunGantt({
  dagId,
  runId,
  taskInstances,
  tries,
  now,
}: {
  dagId: string;
  runId: string;
  taskInstances: readonly TaskInstance[];
  /** The fetched tries of the TIs that need them (by TI id); the others are drawn from their row. */
  tries: ReadonlyMap<string, readonly TaskInstanceTry[]>;
  now: number;
}) {
  if (taskInstances.length === 0) return <p className="muted">No task instances yet.</p>;
  const chart = ganttOf(
    taskInstances.map((ti) => ({ ti, tries: tries.get(ti.id) })),
    now,
  );
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
      {chart.rows.map(({ ti, segments, tries: drawn }) => {
        const name = `${ti.task_id}${ti.map_index === -1 ? '' : ` [${ti.map_index}]`}`;
        const latest = drawn.at(-1)?.try_number ?? ti.try_number;
        const tryLabel = latest > 1 ? `try ${latest} of ${ti.max_tries}` : '';
        return (
          <div
            key={ti.id}
            className="gantt-row"
            data-testid={`gantt-row-${ti.task_id}${ti.map_index === -1 ? '' : `-${ti.map_index}`}`}
          >
            <span className="gantt-label">
              <Link to={paths.task(dagId, runId, ti.task_id, ti.map_index)}>{name}</Link>
              {tryLabel && (
                <span className="gantt-try" title={`retried: ${tryLabel}`}>
                  {' '}
                  ↻ {tryLabel}
                </span>
              )}
            </span>
            <span className="gantt-track">
              {segments.map((segment) => (
                <span
                  key={`${segment.tryNumber}-${segment.kind}`}
                  className={`gantt-bar gantt-${segment.kind}${segment.kind === 'running' ? ` state-${segment.state}` : ''}`}
                  data-kind={segment.kind}
                  data-try={segment.tryNumber}
                  data-state={segment.state}
                  style={{
                    left: `${percent(segment.start)}%`,
                    width: `max(2px, ${percent(segment.end) - percent(segment.start)}%)`,
                  }}
                  data-tooltip={`${name}, try ${segment.tryNumber}${segment.kind === 'running' ? ` (${segment.state.replaceAll('_', ' ')})` : ''}: ${SEGMENT_LABEL[segment.kind]} ${formatDuration((segment.end - segment.start) / 1000)} (${clock(segment.start)}–${clock(segment.end)})`}
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
          <span className="cell state-success" /> running or ran (the try's state colour)
        </span>
        <span className="legend-item">
          <span className="cell gantt-retry_wait" /> waiting for a retry
        </span>
        <span className="legend-item">↻ on a later try: each try is drawn</span>
      </div>
    </div>
  );
}
