import {
  type AssetReference,
  assertAdvanceable,
  encodeStateValue,
  isAdvance,
  type JsonValue,
  type StagedStateChange,
  type StateValue,
  validateStateKey,
} from '@tidemark/core/task-process';

/**
 * `ctx.assetState` of a watcher: the state of the watcher's own asset. Reads go to the triggerer
 * (which caches them between polls), or to the state it sent with the poll; `set`, `delete` and
 * `advance` are staged and commit together with the events of the watcher's next return or yield,
 * compare-and-set against the versions the poll read, so a cursor and the events it stands for are
 * written at once or not at all.
 */
export interface WatcherAssetState {
  /** The asset the watcher is declared on. */
  readonly asset: AssetReference;
  /** The value of `key` (what this poll staged, if it staged it), or undefined when absent. */
  get<T extends StateValue = StateValue>(key: string): Promise<T | undefined>;
  get<T extends StateValue = StateValue>(key: string, defaultValue: T): Promise<T>;
  /** Every key of the asset's state, with what this poll staged applied. */
  keys(): Promise<string[]>;
  /** Stages `value` for `key`, committed with the next events. */
  set(key: string, value: StateValue): void;
  /** Stages the removal of `key`, committed with the next events. */
  delete(key: string): void;
  /** Stages moving `key` forward to `candidate` (never back; SPEC §7), committed with the next events. */
  advance(key: string, candidate: number | string): void;
}

/** How the watcher's state reads reach the triggerer. */
export interface WatcherStateReader {
  get(key: string): Promise<{ readonly value: JsonValue; readonly version: number } | null>;
  keys(): Promise<readonly string[]>;
}

type Staged =
  | { readonly operation: 'set'; readonly value: StateValue }
  | { readonly operation: 'delete' }
  | { readonly operation: 'advance'; readonly value: number | string };

/** The accessor and what it staged since the last commit. */
export interface StagedWatcherAssetState {
  readonly accessor: WatcherAssetState;
  /** The staged changes in the order their keys were first staged; clears them. */
  take(): StagedStateChange[];
}

export function createWatcherAssetState(asset: AssetReference, reader: WatcherStateReader): StagedWatcherAssetState {
  const staged = new Map<string, Staged>();
  const stage = (key: string, change: Staged): void => {
    staged.delete(key);
    staged.set(key, change);
  };

  const read = async (key: string): Promise<StateValue | undefined> => {
    const change = staged.get(key);
    if (change?.operation === 'set') return change.value;
    if (change?.operation === 'delete') return undefined;
    const stored = (await reader.get(key))?.value as StateValue | undefined;
    if (change?.operation !== 'advance') return stored;
    return stored === undefined || isAdvance(key, stored, change.value) ? change.value : stored;
  };

  const accessor: WatcherAssetState = Object.freeze({
    asset: Object.freeze({ name: asset.name, uri: asset.uri }),
    async get<T extends StateValue>(key: string, defaultValue?: T): Promise<T | undefined> {
      validateStateKey(key);
      const value = (await read(key)) as T | undefined;
      return value === undefined ? defaultValue : value;
    },
    async keys(): Promise<string[]> {
      const keys = new Set(await reader.keys());
      for (const [key, change] of staged) {
        if (change.operation === 'delete') keys.delete(key);
        else keys.add(key);
      }
      return [...keys];
    },
    set(key: string, value: StateValue): void {
      validateStateKey(key);
      encodeStateValue(value, 0);
      stage(key, { operation: 'set', value });
    },
    delete(key: string): void {
      validateStateKey(key);
      stage(key, { operation: 'delete' });
    },
    advance(key: string, candidate: number | string): void {
      validateStateKey(key);
      assertAdvanceable(key, candidate);
      encodeStateValue(candidate, 0);
      const before = staged.get(key);
      if (before === undefined || before.operation === 'delete') {
        stage(
          key,
          before === undefined ? { operation: 'advance', value: candidate } : { operation: 'set', value: candidate },
        );
        return;
      }
      // Staged twice in one poll: one change, the larger value (a type mismatch throws here).
      const larger = isAdvance(key, before.value, candidate) ? candidate : before.value;
      staged.set(key, { operation: before.operation, value: larger } as Staged);
    },
  });

  return {
    accessor,
    take(): StagedStateChange[] {
      const changes = [...staged].map(([key, change]): StagedStateChange => {
        if (change.operation === 'delete') return { key, operation: 'delete' };
        if (change.operation === 'advance') return { key, operation: 'advance', value: change.value };
        return { key, operation: 'set', value: change.value as JsonValue };
      });
      staged.clear();
      return changes;
    },
  };
}
