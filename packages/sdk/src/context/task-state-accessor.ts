import type { StateValue } from '@tidemark/core/task-process';
import type { SupervisorRequester } from '../runner/supervisor-channel.ts';
import {
  type AdvanceResult,
  checkIfVersion,
  checkOptions,
  DEFAULT_UPDATE_ATTEMPTS,
  encodeRetention,
  type StateChannel,
  type StateDeleteOptions,
  type StateEntry,
  type StateKeyInfo,
  type StateRetention,
  type StateUpdater,
  type StateWriteResult,
  stateAdvance,
  stateClear,
  stateDelete,
  stateGetEntry,
  stateKeys,
  stateSet,
  stateUpdate,
} from './state-accessor-core.ts';

export interface TaskStateSetOptions {
  /** How long the key lives after this write; omitted: `state.default_retention` (DAG state: never). */
  readonly retention?: StateRetention;
  /** Write only when the key is at this version (0 = only if absent); a mismatch throws StateConflictError. */
  readonly ifVersion?: number;
}

export interface TaskStateUpdateOptions {
  readonly retention?: StateRetention;
  /** Reads and writes at most this many times while other writers win the race. Default 10. */
  readonly maxAttempts?: number;
}

/**
 * `ctx.taskState` [Airflow: `context["task_state_store"]`]: state of this task instance (this map
 * index, or this item for a task mapped with `stateKey`) that survives its retries (SPEC §3, §17).
 */
export interface TaskStateAccessor {
  /** The value under `key`, or undefined (or `defaultValue`) when it is absent or expired. */
  get<T extends StateValue = StateValue>(key: string): Promise<T | undefined>;
  get<T extends StateValue = StateValue>(key: string, defaultValue: T): Promise<T>;
  /** The value with its version and expiry, or undefined when absent. */
  getEntry<T extends StateValue = StateValue>(key: string): Promise<StateEntry<T> | undefined>;
  set(key: string, value: StateValue, options?: TaskStateSetOptions): Promise<StateWriteResult>;
  /** Read-modify-write with compare-and-set, retried while another writer wins (StateConflictError). */
  update<T extends StateValue = StateValue>(
    key: string,
    fn: StateUpdater<T>,
    options?: TaskStateUpdateOptions,
  ): Promise<{ readonly value: T; readonly version: number }>;
  /** Stores `candidate` only if it is greater than the stored value (SPEC §7). */
  advance<T extends number | string>(key: string, candidate: T): Promise<AdvanceResult<T>>;
  delete(key: string, options?: StateDeleteOptions): Promise<void>;
  /** Deletes every key of this task instance (this map index). */
  clear(): Promise<void>;
  keys(): Promise<StateKeyInfo[]>;
}

/**
 * `ctx.taskState` of an attempt. With `itemKey` (SPEC §17: the task is mapped with `stateKey`, and
 * this is what it returned for the TI's item), the state is the item's, whatever the map index.
 */
export function createTaskStateAccessor(
  supervisor: Pick<SupervisorRequester, 'request'>,
  tryNumber: number,
  declaredAssets: readonly string[] = [],
  itemKey?: string,
): TaskStateAccessor {
  return createScopedStateAccessor({
    target: itemKey === undefined ? { kind: 'task' } : { kind: 'task', itemKey },
    label: 'ctx.taskState',
    supervisor,
    tryNumber,
    declaredAssets,
  });
}

/**
 * The accessor of one scope with expiring keys (task state, DAG state): the methods of
 * `ctx.taskState`, on `channel`'s target.
 */
export function createScopedStateAccessor(channel: StateChannel): TaskStateAccessor {
  const set = async (key: string, value: StateValue, options?: TaskStateSetOptions): Promise<StateWriteResult> => {
    checkOptions(channel, 'set', options, ['retention', 'ifVersion']);
    const ifVersion = checkIfVersion(channel, options?.ifVersion);
    const retention =
      options?.retention === undefined ? undefined : encodeRetention(`${channel.label}.set`, options.retention);
    const result = await stateSet(channel, key, {
      value,
      ...(retention === undefined ? {} : { retention }),
      ...(ifVersion === undefined ? {} : { ifVersion }),
    });
    return result as StateWriteResult;
  };
  return Object.freeze({
    async get<T extends StateValue>(key: string, defaultValue?: T): Promise<T | undefined> {
      const entry = await stateGetEntry<T>(channel, key);
      return entry === undefined ? defaultValue : entry.value;
    },
    getEntry: <T extends StateValue>(key: string) => stateGetEntry<T>(channel, key),
    set,
    update<T extends StateValue>(key: string, fn: StateUpdater<T>, options?: TaskStateUpdateOptions) {
      checkOptions(channel, 'update', options, ['retention', 'maxAttempts']);
      const retention = options?.retention;
      if (retention !== undefined) encodeRetention(`${channel.label}.update`, retention);
      return stateUpdate<T>(channel, key, fn, options?.maxAttempts ?? DEFAULT_UPDATE_ATTEMPTS, (value, ifVersion) =>
        set(key, value, retention === undefined ? { ifVersion } : { ifVersion, retention }),
      );
    },
    advance: <T extends number | string>(key: string, candidate: T) =>
      stateAdvance(channel, key, candidate, false) as Promise<AdvanceResult<T>>,
    delete: (key: string, options?: StateDeleteOptions) => stateDelete(channel, key, options),
    clear: () => stateClear(channel),
    keys: () => stateKeys(channel),
  }) as TaskStateAccessor;
}
