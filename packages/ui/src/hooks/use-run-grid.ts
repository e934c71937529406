import { useRef } from 'react';
import { listDagRuns } from '../api/dags-api.ts';
import { listTaskInstances } from '../api/task-instances-api.ts';
import type { DagRun, TaskInstance } from '../api/types.ts';
import { type Polled, usePolling } from './use-polling.ts';

export interface RunGridData {
  /** Newest first. */
  readonly runs: readonly DagRun[];
  readonly taskInstances: ReadonlyMap<string, readonly TaskInstance[]>;
}

const FINISHED_RUN_STATES = new Set(['success', 'failed']);

/**
 * A DAG's latest runs and their task instances, refreshed every `intervalMs`. The TIs of a run
 * that finished are fetched once: they change only when someone clears or marks one, which moves
 * the run's end date and so misses the cache.
 */
export function useRunGrid(dagId: string, runCount: number, intervalMs: number): Polled<RunGridData> {
  const finished = useRef(new Map<string, readonly TaskInstance[]>());
  return usePolling(
    async () => {
      const runs = await listDagRuns(dagId, runCount);
      const entries = await Promise.all(
        runs.map(async (run) => {
          const cacheKey = `${run.dag_run_id}@${run.end_date}`;
          const cached = finished.current.get(cacheKey);
          if (cached) return [run.dag_run_id, cached] as const;
          const tis = await listTaskInstances(dagId, run.dag_run_id);
          if (FINISHED_RUN_STATES.has(run.state)) finished.current.set(cacheKey, tis);
          return [run.dag_run_id, tis] as const;
        }),
      );
      return { runs, taskInstances: new Map(entries) };
    },
    JSON.stringify([dagId, runCount]),
    intervalMs,
  );
}
