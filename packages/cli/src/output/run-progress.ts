import { spinner } from '@clack/prompts';
import type { DagRunResponse, TaskInstanceResponse } from '@tidemark/core';
import { formatDuration, formatMs } from './print.ts';

/** The order task states read in: done first, then moving, then waiting, then trouble. */
const STATE_ORDER = [
  'success',
  'running',
  'deferred',
  'queued',
  'scheduled',
  'up_for_retry',
  'none',
  'failed',
  'upstream_failed',
  'skipped',
  'removed',
] as const;

/** `2 success, 1 running, 3 none` (states with no TI left out). */
export function summarizeTaskStates(counts: Readonly<Record<string, number>>): string {
  const known = new Set<string>(STATE_ORDER);
  const parts = [...STATE_ORDER, ...Object.keys(counts).filter((state) => !known.has(state))]
    .filter((state) => (counts[state] ?? 0) > 0)
    .map((state) => `${counts[state]} ${state}`);
  return parts.length > 0 ? parts.join(', ') : 'no task instances yet';
}

const PLAIN_DETAILS_EVERY_MS = 5_000;

export interface RunProgress {
  /** `details`: retry waits and checkpoint progress (runDetails), shown after the counts. */
  update(run: DagRunResponse, details?: string): void;
  /** Ends the live display; prints nothing else. */
  finish(run: DagRunResponse): void;
}

/**
 * Live progress of `dags trigger --wait`: a spinner line on a terminal (@clack/prompts), otherwise
 * one plain line each time the run's state or its task counts change (good for CI logs).
 */
export function createRunProgress(label: string, interactive: boolean = Boolean(process.stdout.isTTY)): RunProgress {
  const started = Date.now();
  const describe = (run: DagRunResponse) => `${run.state}: ${summarizeTaskStates(run.task_instance_states)}`;
  const withDetails = (run: DagRunResponse, details: string | undefined) =>
    details ? `${describe(run)} (${details})` : describe(run);
  if (interactive) {
    const live = spinner({ indicator: 'timer', onCancel: () => process.exit(130) });
    live.start(`${label} queued`);
    return {
      update: (run, details) => live.message(`${label} ${withDetails(run, details)}`),
      finish: (run) =>
        run.state === 'success' ? live.stop(`${label} ${describe(run)}`) : live.error(`${label} ${describe(run)}`),
    };
  }
  // A line when the counts change; progress alone at most every PLAIN_DETAILS_EVERY_MS (CI logs).
  let lastCounts = '';
  let lastLine = '';
  let lastAt = 0;
  return {
    update: (run, details) => {
      const counts = describe(run);
      const line = withDetails(run, details);
      const now = Date.now();
      if (line === lastLine || (counts === lastCounts && now - lastAt < PLAIN_DETAILS_EVERY_MS)) return;
      lastCounts = counts;
      lastLine = line;
      lastAt = now;
      process.stdout.write(`[${formatMs(now - started).padStart(6)}] ${label} ${line}\n`);
    },
    finish: () => {},
  };
}

/** The last words of `trigger --wait`: the final state, and for a failure which tasks failed. */
export function printRunOutcome(run: DagRunResponse, failed: readonly TaskInstanceResponse[]): void {
  const took = formatDuration(run.start_date, run.end_date);
  const lines = [
    `Run ${run.dag_run_id} of DAG ${run.dag_id} ${run.state === 'success' ? 'succeeded' : run.state}` +
      `${took ? ` in ${took}` : ''} (${summarizeTaskStates(run.task_instance_states)}).`,
  ];
  for (const ti of failed) {
    const mapIndex = ti.map_index >= 0 ? ` --map-index ${ti.map_index}` : '';
    lines.push(
      `  ${ti.state}: ${ti.task_id}${ti.map_index >= 0 ? `[${ti.map_index}]` : ''}` +
        (ti.state === 'failed' && ti.try_number > 0
          ? ` (try ${ti.try_number}; see: tidemark tasks logs ${run.dag_id} ${run.dag_run_id} ${ti.task_id}${mapIndex})`
          : ''),
    );
  }
  process.stdout.write(`${lines.join('\n')}\n`);
}
