import type { AssetCondition } from './asset-condition.ts';

/**
 * A DAG as the scheduler sees it: structure and policy, no code. The DAG processor produces it
 * from a DAG file (`Dag.serialize()` in the SDK) and stores it in `dag.serialized`; workers import
 * the file itself to run a task's function.
 */
export interface AssetReference {
  readonly name: string;
  /** Defaults to the name. */
  readonly uri: string;
}

/**
 * A watcher declared on an asset in a DAG file (SPEC §15.3). It is identified by its asset and its
 * name; the triggerer imports the DAG file and calls it every `everyMs`.
 */
export interface SerializedWatcher {
  readonly name: string;
  readonly asset: AssetReference;
  readonly everyMs: number;
}

export interface SerializedTask {
  readonly taskId: string;
  /** Direct upstream task ids; the task runs when all of them succeeded (`all_success`). */
  readonly upstreamTaskIds: readonly string[];
  /** The upstream task whose returned array this task is mapped over (one TI per element), or null. */
  readonly mapOver: string | null;
  readonly retries: number;
  readonly retryDelayMs: number;
  readonly retryExponentialBackoff: boolean;
  /** Cap for exponential backoff; null: none. */
  readonly maxRetryDelayMs: number | null;
  /** null: no timeout. */
  readonly executionTimeoutMs: number | null;
  readonly inlets: readonly AssetReference[];
  readonly outlets: readonly AssetReference[];
}

export interface SerializedDag {
  readonly dagId: string;
  /** The DAG file, relative to the DAGs folder, with forward slashes. */
  readonly fileloc: string;
  /** Cron expression or preset (`@hourly`, `@daily`…); null: triggered by hand only. */
  readonly schedule: string | null;
  /**
   * The DAG also gets a run whenever this holds over the asset events queued for it (SPEC §15.1);
   * absent or null: not scheduled on assets.
   */
  readonly assetCondition?: AssetCondition | null;
  /** Epoch ms; null: no start date (runs from the first time it is seen). */
  readonly startDate: number | null;
  readonly catchup: boolean;
  readonly description: string | null;
  readonly tags: readonly string[];
  /** In a topological order (every task after its upstream tasks). */
  readonly tasks: readonly SerializedTask[];
  /** Watchers on the assets this DAG declares (absent in DAGs stored before watchers: none). */
  readonly watchers?: readonly SerializedWatcher[];
}

/** A DAG file that failed to load: the others still load. */
export interface DagImportError {
  readonly fileloc: string;
  readonly line: number | null;
  readonly message: string;
}

/** The delay before retry `tryNumber + 1`, after attempt `tryNumber` (1-based) failed. */
export function retryDelayMs(task: SerializedTask, failedTryNumber: number): number {
  if (!task.retryExponentialBackoff) return task.retryDelayMs;
  const delay = task.retryDelayMs * 2 ** Math.max(0, failedTryNumber - 1);
  return task.maxRetryDelayMs === null ? delay : Math.min(delay, task.maxRetryDelayMs);
}
