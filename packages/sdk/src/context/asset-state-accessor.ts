import {
  type AssetReference,
  InvalidStateOptionError,
  type StateValue,
  TidemarkError,
} from '@tidemark/core/task-process';
import { isAsset } from '../dag/asset.ts';
import { UndeclaredAssetError } from '../errors.ts';
import type { SupervisorRequester } from '../runner/supervisor-channel.ts';
import {
  type AdvanceResult,
  checkIfVersion,
  checkOptions,
  DEFAULT_UPDATE_ATTEMPTS,
  type StagedWriteResult,
  type StateChannel,
  type StateDeleteOptions,
  type StateEntry,
  type StateKeyInfo,
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

export interface AssetStateSetOptions {
  /** Write only when the key is at this version (0 = only if absent); a mismatch throws StateConflictError. */
  readonly ifVersion?: number;
  /** Stage the write: applied when this attempt succeeds, dropped when it fails (SPEC §7). */
  readonly onSuccess?: boolean;
}

export interface AssetStateAdvanceOptions {
  /** Stage the advance: applied when this attempt succeeds, dropped when it fails (SPEC §7). */
  readonly onSuccess?: boolean;
}

export interface AssetStateUpdateOptions {
  /** Reads and writes at most this many times while other writers win the race. Default 10. */
  readonly maxAttempts?: number;
}

/** The state of one asset, shared by every task that declares it (SPEC §4). It never expires. */
export interface AssetStateStore {
  /** The asset this store belongs to. */
  readonly asset: AssetReference;
  get<T extends StateValue = StateValue>(key: string): Promise<T | undefined>;
  get<T extends StateValue = StateValue>(key: string, defaultValue: T): Promise<T>;
  getEntry<T extends StateValue = StateValue>(key: string): Promise<StateEntry<T> | undefined>;
  set(
    key: string,
    value: StateValue,
    options: AssetStateSetOptions & { readonly onSuccess: true },
  ): Promise<StagedWriteResult>;
  set(
    key: string,
    value: StateValue,
    options?: AssetStateSetOptions & { readonly onSuccess?: false },
  ): Promise<StateWriteResult>;
  set(key: string, value: StateValue, options?: AssetStateSetOptions): Promise<StateWriteResult | StagedWriteResult>;
  /** Read-modify-write with compare-and-set, retried while another writer wins (StateConflictError). */
  update<T extends StateValue = StateValue>(
    key: string,
    fn: StateUpdater<T>,
    options?: AssetStateUpdateOptions,
  ): Promise<{ readonly value: T; readonly version: number }>;
  advance<T extends number | string>(
    key: string,
    candidate: T,
    options: { readonly onSuccess: true },
  ): Promise<StagedWriteResult>;
  advance<T extends number | string>(
    key: string,
    candidate: T,
    options?: { readonly onSuccess?: false },
  ): Promise<AdvanceResult<T>>;
  advance<T extends number | string>(
    key: string,
    candidate: T,
    options?: AssetStateAdvanceOptions,
  ): Promise<AdvanceResult<T> | StagedWriteResult>;
  delete(key: string, options?: StateDeleteOptions): Promise<void>;
  clear(): Promise<void>;
  keys(): Promise<StateKeyInfo[]>;
}

/**
 * `ctx.assetState` [Airflow: `context["asset_state_store"]`]: `.of(asset)` for any inlet or outlet
 * of the task; the store's methods directly when the task declares exactly one asset.
 */
export interface AssetStateAccessor extends Omit<AssetStateStore, 'asset'> {
  /** The state of `asset`, which must be an inlet or outlet of this task (else UndeclaredAssetError). */
  of(asset: AssetReference): AssetStateStore;
  /** The task's inlets and outlets, without repeats. */
  readonly declared: readonly AssetReference[];
}

const STORE_METHODS = ['get', 'getEntry', 'set', 'update', 'advance', 'delete', 'clear', 'keys'] as const;

/** Inlets then outlets, each asset once (by name). */
export function declaredAssetsOf(task: {
  readonly inlets: readonly AssetReference[];
  readonly outlets: readonly AssetReference[];
}): AssetReference[] {
  const byName = new Map<string, AssetReference>();
  for (const declared of [...task.inlets, ...task.outlets]) {
    if (!byName.has(declared.name)) byName.set(declared.name, declared);
  }
  return [...byName.values()];
}

export function createAssetStateAccessor(
  supervisor: Pick<SupervisorRequester, 'request'>,
  tryNumber: number,
  declared: readonly AssetReference[],
): AssetStateAccessor {
  const declaredNames = declared.map((declaredAsset) => declaredAsset.name);
  const stores = new Map<string, AssetStateStore>();

  const of = (requested: AssetReference): AssetStateStore => {
    if (!isAsset(requested)) {
      throw new TidemarkError(
        'invalid_asset',
        `ctx.assetState.of takes an asset made with asset(...) (one of the task's inlets or outlets: ${listNames(declaredNames)}), got ${typeof requested === 'string' ? JSON.stringify(requested) : typeof requested}`,
      );
    }
    const match = declared.find((declaredAsset) => declaredAsset.name === requested.name);
    if (!match) throw new UndeclaredAssetError(requested.name, declaredNames);
    let store = stores.get(match.name);
    if (!store) {
      store = createAssetStateStore(match, supervisor, tryNumber, declaredNames);
      stores.set(match.name, store);
    }
    return store;
  };

  const only = (method: string): AssetStateStore => {
    const single = declared[0];
    if (declared.length === 1 && single) return of(single);
    throw new TidemarkError(
      'ambiguous_asset_state',
      declared.length === 0
        ? `ctx.assetState.${method}: this task declares no inlets or outlets, so it has no asset state; ` +
            "add the asset to the task's inlets or outlets and use ctx.assetState.of(asset)"
        : `ctx.assetState.${method}: this task declares ${declared.length} assets (${listNames(declaredNames)}); ` +
            `say which with ctx.assetState.of(asset).${method}(...)`,
      { declared: declaredNames },
    );
  };

  const accessor: Record<string, unknown> = { of, declared: Object.freeze([...declared]) };
  for (const method of STORE_METHODS) {
    accessor[method] = (...args: unknown[]) => {
      try {
        return (only(method)[method] as (...a: unknown[]) => unknown)(...args);
      } catch (error) {
        return Promise.reject(error);
      }
    };
  }
  return Object.freeze(accessor) as unknown as AssetStateAccessor;
}

function createAssetStateStore(
  asset: AssetReference,
  supervisor: Pick<SupervisorRequester, 'request'>,
  tryNumber: number,
  declaredAssets: readonly string[],
): AssetStateStore {
  const channel: StateChannel = {
    target: { kind: 'asset', name: asset.name },
    label: `ctx.assetState.of(${JSON.stringify(asset.name)})`,
    supervisor,
    tryNumber,
    declaredAssets,
  };
  const set = async (
    key: string,
    value: StateValue,
    options?: AssetStateSetOptions,
  ): Promise<StateWriteResult | StagedWriteResult> => {
    checkOptions(channel, 'set', options, ['ifVersion', 'onSuccess']);
    const ifVersion = checkIfVersion(channel, options?.ifVersion);
    if (options?.onSuccess === true && ifVersion !== undefined) {
      throw new InvalidStateOptionError(
        `${channel.label}.set: a staged write (onSuccess) cannot carry ifVersion; it is applied when the attempt succeeds`,
      );
    }
    return stateSet(channel, key, {
      value,
      ...(ifVersion === undefined ? {} : { ifVersion }),
      ...(options?.onSuccess === true ? { onSuccess: true } : {}),
    });
  };
  return Object.freeze({
    asset: Object.freeze({ name: asset.name, uri: asset.uri }),
    async get<T extends StateValue>(key: string, defaultValue?: T): Promise<T | undefined> {
      const entry = await stateGetEntry<T>(channel, key);
      return entry === undefined ? defaultValue : entry.value;
    },
    getEntry: <T extends StateValue>(key: string) => stateGetEntry<T>(channel, key),
    set,
    update<T extends StateValue>(key: string, fn: StateUpdater<T>, options?: AssetStateUpdateOptions) {
      checkOptions(channel, 'update', options, ['maxAttempts']);
      return stateUpdate<T>(
        channel,
        key,
        fn,
        options?.maxAttempts ?? DEFAULT_UPDATE_ATTEMPTS,
        (next, ifVersion) => set(key, next, { ifVersion }) as Promise<StateWriteResult>,
      );
    },
    advance<T extends number | string>(key: string, candidate: T, options?: AssetStateAdvanceOptions) {
      checkOptions(channel, 'advance', options, ['onSuccess']);
      return stateAdvance(channel, key, candidate, options?.onSuccess === true);
    },
    delete: (key: string, options?: StateDeleteOptions) => stateDelete(channel, key, options),
    clear: () => stateClear(channel),
    keys: () => stateKeys(channel),
  }) as AssetStateStore;
}

function listNames(names: readonly string[]): string {
  return names.length === 0 ? 'none' : names.map((name) => JSON.stringify(name)).join(', ');
}
