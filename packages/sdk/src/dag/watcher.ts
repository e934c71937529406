import type { WatcherFunction } from '../context/watcher-context.ts';
import { DagDefinitionError } from '../errors.ts';
import { validateDefinitionId } from './definition-id.ts';
import { type Duration, durationOptionMs } from './duration-option.ts';
import { checkOptionNames } from './option-names.ts';

/** Marks a watcher without `instanceof`: the triggerer may load another copy of this module. */
const WATCHER_MARKER: unique symbol = Symbol.for('tidemark.watcher');

/** The shortest `every` a watcher may have: a tighter loop belongs in the watcher function itself. */
export const MIN_WATCHER_EVERY_MS = 100;

export interface WatcherOptions {
  /** How often the triggerer calls the watcher: milliseconds or a text duration (`"30s"`), at least 100 ms. */
  readonly every: Duration;
}

const WATCHER_OPTION_NAMES = ['every'] as const;

/**
 * A watcher (SPEC §15.3): a function the triggerer calls every `every` to look for new data of an
 * asset. Give it to `asset(name, { watchers: [...] })`; a DAG that references the asset (schedule,
 * inlets or outlets) makes the triggerer run it.
 */
export interface Watcher {
  readonly [WATCHER_MARKER]: true;
  readonly name: string;
  readonly everyMs: number;
  readonly fn: WatcherFunction;
}

/**
 * Declares a watcher. `fn(ctx)` returns the events it found (`[{ extra }]`, or nothing), or is an
 * async generator that yields them as it goes; the state changes it staged on `ctx.assetState`
 * commit together with the events they come with.
 */
export function watcher(name: string, options: WatcherOptions, fn: WatcherFunction): Watcher {
  validateDefinitionId(name, 'watcher');
  const where = `watcher "${name}"`;
  if (options === undefined || options === null) {
    throw new DagDefinitionError(
      `${where} needs options with \`every\`, e.g. watcher("${name}", { every: "30s" }, fn)`,
    );
  }
  checkOptionNames(options, WATCHER_OPTION_NAMES, where);
  if (options.every === undefined) {
    throw new DagDefinitionError(`${where} needs \`every\`: how often to poll, e.g. { every: "30s" }`);
  }
  const everyMs = durationOptionMs(options.every, 'every', where);
  if (everyMs < MIN_WATCHER_EVERY_MS) {
    throw new DagDefinitionError(
      `every of ${where} is ${everyMs} ms; it must be at least ${MIN_WATCHER_EVERY_MS} ms ` +
        '(for a tighter loop, make the watcher an async generator that yields as it finds data)',
    );
  }
  if (typeof fn !== 'function') {
    throw new DagDefinitionError(`${where} needs a function to call, got ${String(fn)}`);
  }
  return Object.freeze({ [WATCHER_MARKER]: true as const, name, everyMs, fn });
}

export function isWatcher(value: unknown): value is Watcher {
  return (
    typeof value === 'object' && value !== null && (value as { [WATCHER_MARKER]?: unknown })[WATCHER_MARKER] === true
  );
}
