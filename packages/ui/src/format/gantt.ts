import type { TaskInstance } from '../api/types.ts';

/** One stretch of a task instance's latest try on the Gantt's time axis. */
export interface GanttSegment {
  /** `queued`: waiting for a worker; `running`: ran (coloured by the TI's state); `retry_wait`: until its next try. */
  readonly kind: 'queued' | 'running' | 'retry_wait';
  readonly start: number;
  readonly end: number;
}

export interface GanttRow {
  readonly ti: TaskInstance;
  readonly segments: readonly GanttSegment[];
}

export interface GanttChart {
  readonly rows: readonly GanttRow[];
  /** The time axis, epoch ms; start < end. */
  readonly start: number;
  readonly end: number;
}

const time = (iso: string | null | undefined) => (iso ? Date.parse(iso) : Number.NaN);

/**
 * The Gantt of a run's task instances in the order given: for each, how long its latest try
 * waited in the queue and how long it ran (until now while it runs), and for one that failed and
 * will be retried, the wait until its next try. A TI that never started has no segment.
 */
export function ganttOf(tis: readonly TaskInstance[], now: number): GanttChart {
  const rows = tis.map((ti): GanttRow => {
    const queued = time(ti.queued_when);
    const started = time(ti.start_date);
    const ended = time(ti.end_date);
    const segments: GanttSegment[] = [];
    if (!Number.isNaN(queued)) {
      const until = Number.isNaN(started) ? (ti.state === 'queued' ? now : queued) : started;
      if (until > queued) segments.push({ kind: 'queued', start: queued, end: until });
    }
    if (!Number.isNaN(started)) {
      segments.push({ kind: 'running', start: started, end: Number.isNaN(ended) ? now : Math.max(ended, started) });
    }
    const retryAt = time(ti.next_retry_at);
    if (ti.state === 'up_for_retry' && !Number.isNaN(ended) && retryAt > ended) {
      segments.push({ kind: 'retry_wait', start: ended, end: retryAt });
    }
    return { ti, segments };
  });
  const times = rows.flatMap((row) => row.segments.flatMap((segment) => [segment.start, segment.end]));
  const start = times.length > 0 ? Math.min(...times) : now;
  const end = times.length > 0 ? Math.max(...times) : now;
  return { rows, start, end: end > start ? end : start + 1_000 };
}

/** `count` evenly spaced instants of the axis, its ends included. */
export function ganttTicks(chart: GanttChart, count = 5): number[] {
  const step = (chart.end - chart.start) / (count - 1);
  return Array.from({ length: count }, (_, index) => chart.start + step * index);
}
