import { queryOptions } from '@tanstack/react-query';
import {
  getAsset,
  getQueuedAssetEvents,
  listAssetEvents,
  listAssets,
  listAssetWatchers,
  listUpstreamAssetEvents,
} from './assets-api.ts';
import { getDag, getDagRun, listDagRuns, listDags, listImportErrors } from './dags-api.ts';
import { listState, type StateOwner, stateHistory } from './state-api.ts';
import {
  getTaskInstance,
  getXcom,
  listTaskInstances,
  listXcoms,
  type TaskInstanceAddress,
} from './task-instances-api.ts';

/**
 * What the UI reads, as TanStack Query options: one query key per thing on the server, so that
 * two views of the same thing share one request and one cache entry (dropped when no view has used
 * it for a while), and a write invalidates what it changed by key prefix.
 */
export const queryKeys = {
  dags: ['dags'] as const,
  dag: (dagId: string) => ['dags', dagId] as const,
  dagRuns: (dagId: string) => ['dags', dagId, 'runs'] as const,
  run: (dagId: string, runId: string) => ['dags', dagId, 'runs', runId] as const,
  taskInstances: (dagId: string, runId: string) => ['dags', dagId, 'runs', runId, 'tis'] as const,
  taskInstance: (ti: TaskInstanceAddress) =>
    ['dags', ti.dagId, 'runs', ti.runId, 'tis', ti.taskId, ti.mapIndex] as const,
  assets: ['assets'] as const,
  asset: (assetId: number) => ['assets', assetId] as const,
  state: (owner: StateOwner) =>
    owner.kind === 'task'
      ? ([...queryKeys.taskInstance(owner), 'state'] as const)
      : owner.kind === 'dag'
        ? ([...queryKeys.dag(owner.dagId), 'state'] as const)
        : ([...queryKeys.asset(owner.assetId), 'state'] as const),
};

export const dagsQuery = () => queryOptions({ queryKey: queryKeys.dags, queryFn: listDags });

export const dagQuery = (dagId: string) =>
  queryOptions({ queryKey: [...queryKeys.dag(dagId), 'details'], queryFn: () => getDag(dagId) });

/** Newest first; `dagId` `~`: the runs of every DAG. */
export const dagRunsQuery = (dagId: string, limit: number) =>
  queryOptions({ queryKey: [...queryKeys.dagRuns(dagId), 'latest', limit], queryFn: () => listDagRuns(dagId, limit) });

export const dagRunQuery = (dagId: string, runId: string) =>
  queryOptions({ queryKey: [...queryKeys.run(dagId, runId), 'details'], queryFn: () => getDagRun(dagId, runId) });

export const taskInstancesQuery = (dagId: string, runId: string) =>
  queryOptions({
    queryKey: [...queryKeys.taskInstances(dagId, runId), 'list'],
    queryFn: () => listTaskInstances(dagId, runId),
  });

export const taskInstanceQuery = (ti: TaskInstanceAddress) =>
  queryOptions({ queryKey: [...queryKeys.taskInstance(ti), 'details'], queryFn: () => getTaskInstance(ti) });

/** The task instance's own XComs (a mapped TI's siblings left out), with their values. */
export const xcomsQuery = (ti: TaskInstanceAddress) =>
  queryOptions({
    queryKey: [...queryKeys.taskInstance(ti), 'xcoms'],
    queryFn: async () => {
      const entries = await listXcoms(ti);
      const own = entries.filter((entry) => entry.map_index === ti.mapIndex);
      return Promise.all(own.map((entry) => getXcom(ti, entry.key)));
    },
  });

export const importErrorsQuery = () => queryOptions({ queryKey: ['importErrors'], queryFn: listImportErrors });

export const queuedAssetEventsQuery = (dagId: string) =>
  queryOptions({
    queryKey: [...queryKeys.dag(dagId), 'queuedAssetEvents'],
    queryFn: () => getQueuedAssetEvents(dagId),
  });

export const upstreamAssetEventsQuery = (dagId: string, runId: string) =>
  queryOptions({
    queryKey: [...queryKeys.run(dagId, runId), 'upstreamAssetEvents'],
    queryFn: () => listUpstreamAssetEvents(dagId, runId),
  });

export const assetsQuery = () => queryOptions({ queryKey: [...queryKeys.assets, 'list'], queryFn: listAssets });

export const assetQuery = (assetId: number) =>
  queryOptions({ queryKey: [...queryKeys.asset(assetId), 'details'], queryFn: () => getAsset(assetId) });

export const assetEventsQuery = (assetId: number) =>
  queryOptions({ queryKey: [...queryKeys.asset(assetId), 'events'], queryFn: () => listAssetEvents(assetId) });

export const assetWatchersQuery = (assetId: number) =>
  queryOptions({ queryKey: [...queryKeys.asset(assetId), 'watchers'], queryFn: () => listAssetWatchers(assetId) });

export const stateQuery = (owner: StateOwner) =>
  queryOptions({ queryKey: [...queryKeys.state(owner), 'list'], queryFn: () => listState(owner) });

export const stateHistoryQuery = (owner: StateOwner, key: string) =>
  queryOptions({ queryKey: [...queryKeys.state(owner), 'history', key], queryFn: () => stateHistory(owner, key) });
