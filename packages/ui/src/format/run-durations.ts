import type { DagRun } from '../api/types.ts';

/** One run's bar in the run-duration chart, in seconds. */
export interface RunDurationBar {
  readonly run: DagRun;
  /** From queued to started (0 when either is unknown). */
  readonly queued: number;
  /** From started to ended, or to now while it runs (0 before it started). */
  readonly ran: number;
}

export interface RunDurationChart {
  /** Oldest first. */
  readonly bars: readonly RunDurationBar[];
  /** The tallest bar (queued + ran), at least 1 s so that an axis exists. */
  readonly max: number;
  /** The median run time of the finished runs; null when none finished. */
  readonly median: number | null;
}

const FINISHED = new Set(['success', 'failed']);
const seconds = (from: string | null, to: number) => (from ? Math.max(0, (to - Date.parse(from)) / 1000) : 0);

/** The chart of `runs` (newest first, as the API lists them): how long each waited and ran. */
export function runDurationChart(runs: readonly DagRun[], now: number): RunDurationChart {
  const bars = [...runs].reverse().map((run): RunDurationBar => {
    const started = run.start_date ? Date.parse(run.start_date) : Number.NaN;
    const ended = run.end_date ? Date.parse(run.end_date) : now;
    return {
      run,
      queued: Number.isNaN(started) ? 0 : seconds(run.queued_at, started),
      ran: Number.isNaN(started) ? 0 : Math.max(0, (ended - started) / 1000),
    };
  });
  const finished = bars
    .filter((bar) => FINISHED.has(bar.run.state) && bar.run.start_date)
    .map((bar) => bar.ran)
    .sort((a, b) => a - b);
  const middle = Math.floor(finished.length / 2);
  const median =
    finished.length === 0
      ? null
      : finished.length % 2 === 1
        ? (finished[middle] as number)
        : ((finished[middle - 1] as number) + (finished[middle] as number)) / 2;
  const max = Math.max(1, ...bars.map((bar) => bar.queued + bar.ran));
  return { bars, max, median };
}
