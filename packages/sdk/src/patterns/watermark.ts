import type { AssetReference, StateValue } from '@tidemark/core/task-process';
import type { AssetStateStore } from '../context/asset-state-accessor.ts';
import type { TaskContext } from '../context/task-context.ts';
import { PatternOptionError } from '../errors.ts';
import { checkContext, checkHelperKey, checkOptionsObject, shown } from './pattern-options.ts';

export interface WatermarkOptions<T extends number | string> {
  /** The asset-state key that holds the watermark. */
  readonly key: string;
  /** What `read()` returns before the first commit ever applied. */
  readonly initial: T;
}

/** A watermark's value type: numbers stay numbers and strings stay strings, whatever literal `initial` was. */
export type WatermarkValue<T extends number | string> = T extends number ? number : string;

/** "Where did I get to last time" in an asset's state, moved forward only when the task succeeds (SPEC §1.1). */
export interface Watermark<T extends number | string> {
  readonly key: string;
  /** The asset this watermark belongs to. */
  readonly asset: AssetReference;
  /** The committed value, or `initial` when nothing was ever committed. Staged commits are not visible. */
  read(): Promise<T>;
  /**
   * Stages `advance(key, candidate)`: applied in the transaction that marks this attempt successful,
   * dropped if it fails. A candidate not greater than the stored value leaves it where it is.
   */
  commit(candidate: T): Promise<void>;
}

/**
 * `watermark(ctx, asset, { key, initial })`: the incremental-load pattern. The asset must be an
 * inlet or outlet of the task (else UndeclaredAssetError, at once).
 */
export function watermark<T extends number | string>(
  ctx: TaskContext,
  asset: AssetReference,
  options: WatermarkOptions<T>,
): Watermark<WatermarkValue<T>> {
  checkContext('watermark(ctx, asset, options)', ctx);
  const where = `watermark(${shown(typeof options?.key === 'string' ? options.key : '?')})`;
  checkOptionsObject(where, options, ['key', 'initial']);
  const key = checkHelperKey(where, options.key);
  const kind = checkWatermarkValue(where, 'initial', options.initial, undefined);
  const store = ctx.assetState.of(asset);
  return Object.freeze({
    key,
    asset: store.asset,
    read: () => readWatermark(store, key, options.initial, kind) as Promise<WatermarkValue<T>>,
    async commit(candidate: WatermarkValue<T>): Promise<void> {
      checkWatermarkValue(`${where}.commit`, 'candidate', candidate, kind);
      await store.advance(key, candidate, { onSuccess: true });
    },
  });
}

async function readWatermark(
  store: AssetStateStore,
  key: string,
  initial: number | string,
  kind: 'number' | 'string',
): Promise<number | string> {
  const stored = await store.get<StateValue>(key);
  if (stored === undefined) return initial;
  if (typeof stored !== kind) {
    throw new PatternOptionError(
      `watermark("${key}"): asset "${store.asset.name}" holds ${shown(stored)} under "${key}", not a ${kind} like ` +
        `the initial value ${shown(initial)}; use another key, or reset it with \`tidemark state\``,
    );
  }
  return stored as number | string;
}

/** A watermark is a finite number or a string (ISO-8601 timestamps compare correctly as strings). */
function checkWatermarkValue(
  where: string,
  what: string,
  value: unknown,
  kind: 'number' | 'string' | undefined,
): 'number' | 'string' {
  const advanceable = (typeof value === 'number' && Number.isFinite(value)) || typeof value === 'string';
  if (!advanceable) {
    throw new PatternOptionError(
      `${where}: ${what} must be a finite number or a string (e.g. an ISO-8601 timestamp), got ${shown(value)}` +
        (value instanceof Date ? '; pass date.toISOString()' : ''),
    );
  }
  const actual = typeof value as 'number' | 'string';
  if (kind !== undefined && actual !== kind) {
    throw new PatternOptionError(
      `${where}: ${what} ${shown(value)} is a ${actual}, but this watermark holds ${kind}s (its initial value is a ${kind})`,
    );
  }
  return actual;
}
