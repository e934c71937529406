import { TidemarkError } from '@tidemark/core';
import { Cron } from 'croner';

/** A next run time that never comes (a cron expression with no future fire time). */
export const NEVER = 8_640_000_000_000_000;
const MAX_CATCHUP_RUNS = 1_000;

export interface DueRuns {
  /** Logical dates (epoch ms) of the runs to create now, oldest first. */
  readonly fireTimes: readonly number[];
  /** When to look again. */
  readonly nextRunAt: number;
}

export interface ScheduleSpec {
  readonly schedule: string;
  readonly startDate: number | null;
  readonly catchup: boolean;
}

/**
 * Which scheduled runs are due. A run is created at each fire time of the cron expression (UTC),
 * with that time as its logical date. Without catchup only the latest due fire time runs, so a
 * DAG that was paused for a week starts again with one run, not 168.
 */
export function dueRuns(spec: ScheduleSpec, nextRunAt: number | null, now: number): DueRuns {
  const cron = parseCron(spec.schedule);
  try {
    const after = nextRunAt ?? firstFireAtOrAfter(cron, spec.startDate ?? now);
    const nextAfterNow = cron.nextRun(new Date(now))?.getTime() ?? NEVER;
    if (after > now) return { fireTimes: [], nextRunAt: after };
    const fireTimes: number[] = [];
    if (spec.catchup) {
      for (let at: number | undefined = after; at !== undefined && at <= now; ) {
        fireTimes.push(at);
        if (fireTimes.length >= MAX_CATCHUP_RUNS) break;
        at = cron.nextRun(new Date(at))?.getTime();
      }
    } else {
      fireTimes.push(latestFireAtOrBefore(cron, now));
    }
    return { fireTimes, nextRunAt: nextAfterNow };
  } finally {
    cron.stop();
  }
}

export function parseCron(schedule: string): Cron {
  try {
    return new Cron(schedule, { timezone: 'UTC', paused: true });
  } catch (error) {
    throw new TidemarkError(
      'invalid_schedule',
      `schedule "${schedule}" is not a cron expression or preset: ${(error as Error).message}`,
    );
  }
}

function firstFireAtOrAfter(cron: Cron, at: number): number {
  return cron.nextRun(new Date(at - 1))?.getTime() ?? NEVER;
}

function latestFireAtOrBefore(cron: Cron, at: number): number {
  const [previous] = cron.previousRuns(1, new Date(at + 1));
  return previous?.getTime() ?? at;
}
