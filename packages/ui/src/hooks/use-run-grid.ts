import { useQueries } from '@tanstack/react-query';
import { dagRunsQuery, taskInstancesQuery } from '../api/queries.ts';
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
 * that finished are fetched once per end date: they change only when someone clears or marks one,
 * which moves the run's state or end date and so its query key.
 */
export function useRunGrid(dagId: string, runCount: number, intervalMs: number): Polled<RunGridData> {
  const runs = usePolling(dagRunsQuery(dagId, runCount), intervalMs);
  const list = runs.data ?? [];
  const tis = useQueries({
    queries: list.map((run) => {
      const finished = FINISHED_RUN_STATES.has(run.state);
      const base = taskInstancesQuery(dagId, run.dag_run_id);
      return {
        queryKey: [...base.queryKey, run.state, run.end_date],
        queryFn: () => listTaskInstances(dagId, run.dag_run_id),
        staleTime: finished ? Number.POSITIVE_INFINITY : 0,
        refetchInterval: finished ? (false as const) : intervalMs,
      };
    }),
  });
  const loaded = runs.data !== undefined && tis.every((query) => query.data !== undefined);
  const data: RunGridData | undefined = loaded
    ? {
        runs: list,
        taskInstances: new Map(list.map((run, index) => [run.dag_run_id, tis[index]?.data ?? []])),
      }
    : undefined;
  return {
    data,
    error: runs.error ?? tis.find((query) => query.error)?.error ?? undefined,
    reload: () => {
      runs.reload();
      for (const query of tis) void query.refetch();
    },
  };
}
