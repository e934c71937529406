import type { AssetReference } from '@tidemark/core/task-process';
import { DagDefinitionError } from '../errors.ts';
import { checkOptionNames } from './option-names.ts';
import { isWatcher, type Watcher } from './watcher.ts';

/** A named piece of data a task reads (inlet) or produces (outlet). */
export type Asset = AssetReference;

export interface AssetOptions {
  /** Where the data lives; defaults to the name. */
  readonly uri?: string;
  /** Watchers that look for new data of the asset on a triggerer (SPEC §15.3), made with `watcher(...)`. */
  readonly watchers?: readonly Watcher[];
}

const ASSET_OPTION_NAMES = ['uri', 'watchers'] as const;
const MAX_ASSET_TEXT_LENGTH = 1500;

/**
 * The watchers of an asset, kept beside the asset value rather than in it: assets are plain
 * `{name, uri}` references everywhere else (serialized DAGs, conditions, events).
 */
const WATCHERS_OF = new WeakMap<object, readonly Watcher[]>();

export function asset(name: string, options: AssetOptions = {}): Asset {
  checkAssetText(name, 'name');
  checkOptionNames(options, ASSET_OPTION_NAMES, `asset ${JSON.stringify(name)}`);
  const uri = options.uri ?? name;
  checkAssetText(uri, `uri (of asset ${JSON.stringify(name)})`);
  const declared = Object.freeze({ name, uri });
  const watchers = checkWatchers(options.watchers, name);
  if (watchers.length > 0) WATCHERS_OF.set(declared, watchers);
  return declared;
}

export function isAsset(value: unknown): value is Asset {
  return (
    typeof value === 'object' &&
    value !== null &&
    typeof (value as Asset).name === 'string' &&
    typeof (value as Asset).uri === 'string'
  );
}

/** The watchers declared with an asset (or carried over to a schedule condition made from it). */
export function watchersOf(value: unknown): readonly Watcher[] {
  return (typeof value === 'object' && value !== null && WATCHERS_OF.get(value)) || [];
}

/** `to` (a copy of an asset, such as a schedule condition) keeps the watchers of `from`. */
export function carryWatchers(from: unknown, to: object): void {
  const watchers = watchersOf(from);
  if (watchers.length > 0) WATCHERS_OF.set(to, watchers);
}

function checkWatchers(watchers: unknown, assetName: string): readonly Watcher[] {
  if (watchers === undefined) return [];
  const where = `watchers of asset ${JSON.stringify(assetName)}`;
  if (!Array.isArray(watchers)) {
    throw new DagDefinitionError(`${where} must be an array of watcher(...) values, got ${String(watchers)}`);
  }
  const names = new Set<string>();
  for (const [index, entry] of watchers.entries()) {
    if (!isWatcher(entry)) {
      throw new DagDefinitionError(
        `${where}: entry ${index} is ${describe(entry)}, not a watcher; make it with watcher(name, { every }, fn)`,
      );
    }
    if (names.has(entry.name)) {
      throw new DagDefinitionError(
        `${where}: two watchers are named "${entry.name}"; give each watcher of an asset its own name`,
      );
    }
    names.add(entry.name);
  }
  return Object.freeze([...watchers]);
}

function describe(value: unknown): string {
  if (typeof value === 'function') return 'a function';
  if (typeof value === 'string') return JSON.stringify(value);
  return typeof value === 'object' && value !== null ? 'an object' : String(value);
}

function checkAssetText(text: unknown, what: string): void {
  if (typeof text !== 'string' || text.trim() === '' || text.length > MAX_ASSET_TEXT_LENGTH) {
    throw new DagDefinitionError(
      `asset ${what} must be a non-blank string of at most ${MAX_ASSET_TEXT_LENGTH} characters, got ${JSON.stringify(text)}`,
    );
  }
}
