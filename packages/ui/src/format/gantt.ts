import type { TaskInstance, TaskInstanceTry } from '../api/types.ts';

/** One stretch of one try of a task instance on the Gantt's time axis. */
export interface GanttSegment {
  /** `queued`: waiting for a worker; `running`: ran (coloured by the try's state); `retry_wait`: until the next try. */
  readonly kind: 'queued' | 'running' | 'retry_wait';
  readonly start: number;
  readonly end: number;
  readonly tryNumber: number;
  /** The state the try ended in (`running` while it runs, `queued` while it waits). */
  readonly state: TaskInstanceTry['state'];
}

export interface GanttRow {
  readonly ti: TaskInstance;
  /** Every try drawn, oldest first. */
  readonly tries: readonly TaskInstanceTry[];
  readonly segments: readonly GanttSegment[];
}

export interface GanttChart {
  readonly rows: readonly GanttRow[];
  /** The time axis, epoch ms; start < end. */
  readonly start: number;
  readonly end: number;
}

/** What is drawn for one task instance: the TI, and its tries when they were fetched. */
export interface GanttInput {
  readonly ti: TaskInstance;
  /** From `…/tries`; absent: the tries the TI row describes by itself (`triesFromRow`). */
  readonly tries?: readonly TaskInstanceTry[] | undefined;
}

const time = (iso: string | null | undefined) => (iso ? Date.parse(iso) : Number.NaN);

/**
 * True when the TI row alone does not describe all its tries, so `…/tries` must be asked: it is
 * past its first try, or it ran and now waits again (queued for the next try, or cleared).
 */
export function needsTryHistory(ti: TaskInstance): boolean {
  if (ti.try_number > 1) return true;
  return ti.try_number === 1 && (ti.state === 'queued' || ti.state === 'scheduled' || ti.state === null);
}

/**
 * The tries a TI row describes by itself (as the server does for its live try): a queued TI's next
 * try waiting, or the try the row holds. Right for a TI that `needsTryHistory` says no about.
 */
export function triesFromRow(ti: TaskInstance): TaskInstanceTry[] {
  const base = {
    task_id: ti.task_id,
    dag_id: ti.dag_id,
    dag_run_id: ti.dag_run_id,
    map_index: ti.map_index,
    max_tries: ti.max_tries,
    queued_when: ti.queued_when,
    hostname: ti.hostname,
  };
  if (ti.state === 'queued') {
    const waiting = { start_date: null, end_date: null, duration: null, next_retry_at: null, hostname: null };
    return [{ ...base, ...waiting, try_number: ti.try_number + 1, state: 'queued' }];
  }
  if (ti.state === null || ti.try_number < 1 || !ti.start_date) return [];
  return [
    {
      ...base,
      try_number: ti.try_number,
      state: ti.state,
      start_date: ti.start_date,
      end_date: ti.state === 'running' ? null : ti.end_date,
      duration: ti.duration,
      next_retry_at: ti.next_retry_at,
    },
  ];
}

/** The segments of one try: its wait in the queue, its run, and the wait for the try after it. */
function segmentsOf(attempt: TaskInstanceTry, next: TaskInstanceTry | undefined, now: number): GanttSegment[] {
  const queued = time(attempt.queued_when);
  const started = time(attempt.start_date);
  const ended = time(attempt.end_date);
  const of = { tryNumber: attempt.try_number, state: attempt.state };
  const segments: GanttSegment[] = [];
  if (!Number.isNaN(queued)) {
    const until = Number.isNaN(started) ? (attempt.state === 'queued' ? now : queued) : started;
    if (until > queued) segments.push({ kind: 'queued', start: queued, end: until, ...of });
  }
  if (!Number.isNaN(started)) {
    const end = Number.isNaN(ended) ? now : Math.max(ended, started);
    segments.push({ kind: 'running', start: started, end, ...of });
  }
  if (attempt.state === 'up_for_retry' && !Number.isNaN(ended)) {
    // The wait actually taken when the next try is known; else until the next try is due.
    const nextQueued = time(next?.queued_when ?? next?.start_date);
    const until = Number.isNaN(nextQueued) ? time(attempt.next_retry_at) : nextQueued;
    if (until > ended) segments.push({ kind: 'retry_wait', start: ended, end: until, ...of });
  }
  return segments;
}

/**
 * The Gantt of a run's task instances in the order given: for each, every try's wait in the queue
 * and run (until now while it runs), and between tries the wait for the retry. A TI that never
 * started has no segment.
 */
export function ganttOf(inputs: readonly GanttInput[], now: number): GanttChart {
  const rows = inputs.map(({ ti, tries }): GanttRow => {
    const drawn = [...(tries ?? triesFromRow(ti))].sort((a, b) => a.try_number - b.try_number);
    const segments = drawn.flatMap((attempt, index) => segmentsOf(attempt, drawn[index + 1], now));
    return { ti, tries: drawn, segments };
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
