import type { StateScope } from './state-scope.ts';
import type { StateValue } from './state-value-rules.ts';
import type { StateWriter } from './state-writer.ts';

/** Timestamps are UTC epoch milliseconds throughout the backend layer. */
export type EpochMs = number;

export interface StateEntry<T extends StateValue = StateValue> {
  readonly key: string;
  readonly value: T;
  /** Starts at 1; every write increases it. Versions keep rising across delete and re-create. */
  readonly version: number;
  readonly updatedAt: EpochMs;
  /** `null`: never expires. Always `null` for asset state; DAG state expires only when given a retention. */
  readonly expiresAt: EpochMs | null;
  readonly updatedBy: StateWriter | null;
}

/**
 * SPEC §7 attempt fencing: the write happens only while this attempt is its task instance's
 * current running try, else `StaleAttemptError` and nothing changes.
 */
export interface AttemptFence {
  readonly tiId: string;
  readonly tryNumber: number;
}

/** What every write may carry: who writes, and the attempt that must still be current. */
export interface StateWriteOptions {
  readonly writer?: StateWriter;
  readonly fence?: AttemptFence;
}

export interface StateSetOptions extends StateWriteOptions {
  /** Absolute expiry; omitted or `null`: never. Asset state refuses it (task and DAG state take it). */
  readonly expiresAt?: EpochMs | null;
  /** Compare-and-set: write only if the stored version equals this; `0` = only if absent. */
  readonly ifVersion?: number;
}

export interface StateDeleteOptions extends StateWriteOptions {
  readonly ifVersion?: number;
}

export interface StateClearOptions extends StateWriteOptions {
  /**
   * Task scope only: every map index of the task in that run (an operator action), and every item
   * key of an item-keyed mapped task.
   */
  readonly allMapIndices?: boolean;
}

export interface StateListOptions {
  readonly limit?: number;
  readonly offset?: number;
  readonly prefix?: string;
}

export interface StateListPage {
  readonly entries: readonly StateEntry[];
  readonly total: number;
}

export type StateAdvanceOptions = StateWriteOptions;

export interface StateAdvanceResult {
  /** The value stored after the call: the candidate if it advanced, else the larger stored one. */
  readonly value: StateValue;
  readonly version: number;
  readonly advanced: boolean;
}

export type StateHistoryOperation = 'set' | 'delete';

export interface StateHistoryEntry {
  readonly version: number;
  readonly operation: StateHistoryOperation;
  /** `null` for a delete. */
  readonly value: StateValue | null;
  readonly writtenAt: EpochMs;
  readonly writtenBy: StateWriter | null;
}

export interface StateCleanupOptions {
  readonly dryRun?: boolean;
  readonly batchSize?: number;
  /** Called after every batch, for progress bars. */
  readonly onProgress?: (progress: StateCleanupReport) => void;
  /** Called with what each batch removed (on a dry run: would remove), for `--verbose` listings. */
  readonly onRemoved?: (removed: StateCleanupRemoval) => void;
  /** Stops the cleanup between batches (a scheduler shutting down); what was removed stays removed. */
  readonly signal?: AbortSignal;
}

export interface StateCleanupRemoval {
  readonly category: 'expiredTaskState' | 'expiredDagState' | 'orphanedAssetState' | 'trimmedHistory';
  /** One readable line per removed row, e.g. `task state orders/manual__1/load key "job_id"`. */
  readonly items: readonly string[];
}

export interface StateCleanupReport {
  readonly dryRun: boolean;
  readonly expiredTaskState: number;
  /**
   * DAG state written with a retention (SPEC §17) whose time is up. Optional, so that a custom
   * backend written before DAG state keeps compiling; absent counts as 0.
   */
  readonly expiredDagState?: number;
  readonly orphanedAssetState: number;
  readonly trimmedHistory: number;
}

/**
 * SPEC §9.1: the server-side state backend. Every call is scoped; every write is validated against
 * SPEC §5 and leaves nothing behind when refused. Reads never return expired keys.
 */
export interface StateBackend {
  /**
   * True when the backend checks `fence` inside its write transaction (the metastore backend does,
   * as it shares the database with the task instances). Otherwise the caller checks the fence
   * just before the write.
   */
  readonly enforcesAttemptFence?: boolean;
  get(scope: StateScope, key: string): Promise<StateEntry | undefined>;
  set(scope: StateScope, key: string, value: StateValue, options?: StateSetOptions): Promise<StateEntry>;
  /** Idempotent: `false` when there was nothing to delete. */
  delete(scope: StateScope, key: string, options?: StateDeleteOptions): Promise<boolean>;
  /** Removes every key of the scope; returns how many. */
  clear(scope: StateScope, options?: StateClearOptions): Promise<number>;
  /** Keys in ascending code-unit order, with values. */
  list(scope: StateScope, options?: StateListOptions): Promise<StateListPage>;
  /** Writes `candidate` only if it is greater than the stored value (SPEC §7), atomically. */
  advance(
    scope: StateScope,
    key: string,
    candidate: StateValue,
    options?: StateAdvanceOptions,
  ): Promise<StateAdvanceResult>;
  /** Newest first, at most the configured history depth. */
  history(scope: StateScope, key: string): Promise<readonly StateHistoryEntry[]>;
  cleanup(options?: StateCleanupOptions): Promise<StateCleanupReport>;
}

export interface StateBackendSettings {
  /** SPEC §5; `0` disables the limit. */
  readonly maxValueBytes: number;
  /** SPEC §8: versions of each key kept in history; `0` keeps none. */
  readonly historyDepth: number;
  readonly clock?: () => EpochMs;
}

/**
 * What a module named by `state.backend` exports as `createStateBackend` (or as its default export).
 * The metastore backend is built in and chosen with `state.backend = "metastore"`.
 */
export type StateBackendFactory = (context: {
  readonly settings: StateBackendSettings;
  readonly config: unknown;
}) => StateBackend | Promise<StateBackend>;
