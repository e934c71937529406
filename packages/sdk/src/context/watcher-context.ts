import type { AssetReference, JsonValue } from '@tidemark/core/task-process';
import type { TaskLogger } from './task-logger.ts';
import type { WatcherAssetState } from './watcher-asset-state.ts';

/** An event a watcher emits on its asset; `extra` travels with it to the DAGs it triggers. */
export interface WatcherEvent {
  readonly extra?: Readonly<Record<string, JsonValue>>;
}

/** What one poll found: events, or nothing (the state it staged still commits). */
// biome-ignore lint/suspicious/noConfusingVoidType: an `async` watcher without a `return` returns Promise<void>.
export type WatcherEvents = readonly WatcherEvent[] | undefined | void;

/** What a watcher's generator yields: one event, a list of them, or nothing (a commit of state only). */
// biome-ignore lint/suspicious/noConfusingVoidType: a bare `yield` yields void.
export type WatcherYield = WatcherEvent | readonly WatcherEvent[] | undefined | void;

/**
 * A watcher function: returns the events of one poll, or is an async generator that yields them
 * as it finds them. Each return or yield commits its events with the state staged since the
 * previous one; a generator resumes only once that commit is done.
 */
export type WatcherFunction = (
  ctx: WatcherContext,
) => Promise<WatcherEvents> | WatcherEvents | AsyncGenerator<WatcherYield, WatcherEvents, undefined>;

/** What a watcher function receives. */
export interface WatcherContext {
  /** The asset the watcher is declared on. */
  readonly asset: AssetReference;
  readonly watcherName: string;
  /** The DAG whose file the triggerer loaded the watcher from. */
  readonly dagId: string;
  /** The asset's state: reads now, writes staged and committed with the next events. */
  readonly assetState: WatcherAssetState;
  /** Aborted when the triggerer stops or loses the watcher's lease: stop and return. */
  readonly signal: AbortSignal;
  /** Lines for the triggerer's log, tagged with the watcher. */
  readonly log: TaskLogger;
}
