import {
  encodeStateValue,
  type JsonValue,
  type KnownStateEntry,
  TidemarkError,
  type WatcherEventWire,
  type WatcherPollSpec,
} from '@tidemark/core/task-process';
import { createTaskLogger } from '../context/task-logger.ts';
import {
  createWatcherAssetState,
  type StagedWatcherAssetState,
  type WatcherStateReader,
} from '../context/watcher-asset-state.ts';
import type { WatcherContext, WatcherYield } from '../context/watcher-context.ts';
import type { Dag } from '../dag/dag.ts';
import type { Watcher } from '../dag/watcher.ts';
import { describeThrown } from './describe-thrown.ts';
import { loadDagOfCurrentFile } from './loaded-dags.ts';
import type { PollRequester, WatcherFinishedMessage } from './triggerer-channel.ts';

/** Commit answers after which the poll stops: nothing was committed, and running on cannot help. */
const ENDING_REFUSALS = new Set(['state_conflict', 'watcher_lease_lost', 'poll_aborted']);

/**
 * Runs one poll: imports the DAG file (again when it changed), calls the watcher, and commits what
 * each return or yield emitted with the state staged since the previous one, waiting for each
 * commit before the watcher continues. Resolves with the poll's `finished` message.
 */
export async function runWatcherPoll(
  poll: WatcherPollSpec,
  triggerer: PollRequester,
  signal: AbortSignal,
): Promise<WatcherFinishedMessage> {
  const { pollId } = poll;
  let watcher: Watcher;
  try {
    watcher = findWatcher(await loadDagOfCurrentFile(poll.dagFile, poll.dagId), poll);
  } catch (error) {
    return {
      type: 'finished',
      pollId,
      outcome: 'error',
      error: error instanceof Error ? error.message : String(error),
    };
  }
  const reads = new StateReads(poll, triggerer);
  const state = createWatcherAssetState(poll.asset, reads);
  const context: WatcherContext = Object.freeze({
    asset: Object.freeze({ name: poll.asset.name, uri: poll.asset.uri }),
    watcherName: poll.watcherName,
    dagId: poll.dagId,
    assetState: state.accessor,
    signal,
    log: createTaskLogger(triggerer),
  });
  const label = `watcher "${poll.watcherName}" of asset "${poll.asset.name}"`;
  try {
    const ended = await callWatcher(watcher, context, label, (events) => commit(triggerer, state, reads, events));
    return ended ? { type: 'finished', pollId, outcome: 'ended' } : { type: 'finished', pollId, outcome: 'ok' };
  } catch (error) {
    const ownError = error instanceof TidemarkError && error.code === 'invalid_watcher_events';
    return { type: 'finished', pollId, outcome: 'error', error: ownError ? error.message : describeThrown(error) };
  }
}

/** True when a commit was refused and the watcher stopped; throws what the watcher threw. */
async function callWatcher(
  watcher: Watcher,
  context: WatcherContext,
  label: string,
  commitEvents: (events: WatcherEventWire[]) => Promise<boolean>,
): Promise<boolean> {
  const result = watcher.fn(context);
  if (!isAsyncIterator(result)) return !(await commitEvents(eventsOf(await result, label, 'returned')));
  let step = await result.next();
  while (!step.done) {
    let committed: boolean;
    try {
      committed = await commitEvents(eventsOf(step.value, label, 'yielded'));
    } catch (error) {
      // The generator's `finally` blocks run before the poll reports the failure.
      await result.return?.(undefined).catch(() => {});
      throw error;
    }
    if (!committed) {
      await result.return?.(undefined);
      return true;
    }
    step = await result.next();
  }
  return !(await commitEvents(eventsOf(step.value, label, 'returned')));
}

/** Sends the events with the staged state; false when the triggerer refused it (the poll must end). */
async function commit(
  triggerer: PollRequester,
  state: StagedWatcherAssetState,
  reads: StateReads,
  events: WatcherEventWire[],
): Promise<boolean> {
  const changes = state.take();
  if (events.length === 0 && changes.length === 0) return true;
  try {
    const read = reads.committing();
    await triggerer.request('commit', { events, state: changes, ...(read ? { read } : {}) });
    return true;
  } catch (error) {
    if (error instanceof TidemarkError && ENDING_REFUSALS.has(String(error.details.reason ?? error.code))) return false;
    throw error;
  }
}

/**
 * The poll's state reads: from the state the triggerer sent with the poll while the poll has
 * committed nothing (the triggerer learns the versions read with the first commit), else through
 * the triggerer, which holds the state as committed since.
 */
class StateReads implements WatcherStateReader {
  #known: Map<string, KnownStateEntry> | undefined;
  readonly #readVersions = new Map<string, number>();
  readonly #triggerer: PollRequester;

  constructor(poll: WatcherPollSpec, triggerer: PollRequester) {
    this.#known = poll.state && new Map(poll.state.map((entry) => [entry.key, entry]));
    this.#triggerer = triggerer;
  }

  async get(key: string): Promise<KnownStateEntry | null> {
    if (this.#known) {
      const entry = this.#known.get(key) ?? null;
      this.#readVersions.set(key, entry?.version ?? 0);
      return entry;
    }
    return (await this.#triggerer.request('state.get', { key })) as KnownStateEntry | null;
  }

  async keys(): Promise<readonly string[]> {
    if (this.#known) return [...this.#known.keys()];
    return ((await this.#triggerer.request('state.keys', {})) as { keys: string[] }).keys;
  }

  /** The versions read from the poll's state, for the commit about to be sent; later reads go to the triggerer. */
  committing(): Record<string, number> | undefined {
    this.#known = undefined;
    if (this.#readVersions.size === 0) return undefined;
    const read = Object.fromEntries(this.#readVersions);
    this.#readVersions.clear();
    return read;
  }
}

function findWatcher(dag: Dag, poll: WatcherPollSpec): Watcher {
  const found = dag.getWatcher(poll.asset, poll.watcherName)?.watcher;
  if (found) return found;
  const declared = dag.watchers.map(({ asset, watcher }) => `"${watcher.name}" on "${asset.name}"`);
  throw new TidemarkError(
    'watcher_not_in_dag',
    `watcher "${poll.watcherName}" of asset "${poll.asset.name}" is not declared in DAG "${poll.dagId}" of ${poll.dagFile} ` +
      `(its watchers: ${declared.join(', ') || 'none'}); it was renamed or removed, and the next DAG parse drops it`,
  );
}

function isAsyncIterator(value: unknown): value is AsyncGenerator<WatcherYield, unknown, undefined> {
  return (
    typeof value === 'object' &&
    value !== null &&
    typeof (value as { next?: unknown }).next === 'function' &&
    typeof (value as { [Symbol.asyncIterator]?: unknown })[Symbol.asyncIterator] === 'function'
  );
}

/** What the watcher returned or yielded, as events; anything else throws a message that shows the shape. */
function eventsOf(value: unknown, label: string, how: 'returned' | 'yielded'): WatcherEventWire[] {
  if (value === undefined || value === null) return [];
  const list = Array.isArray(value) ? value : how === 'yielded' ? [value] : undefined;
  if (list === undefined) throw invalidEvents(label, how, `${describe(value)} (return a list of events, or nothing)`);
  return list.map((event, index) => {
    if (!isPlainObject(event)) throw invalidEvents(label, how, `event ${index} is ${describe(event)}`);
    const unknown = Object.keys(event).filter((name) => name !== 'extra');
    if (unknown.length > 0)
      throw invalidEvents(label, how, `event ${index} has ${unknown.map((n) => `"${n}"`).join(', ')}`);
    if (event.extra === undefined) return {};
    if (!isPlainObject(event.extra))
      throw invalidEvents(label, how, `the extra of event ${index} is ${describe(event.extra)}`);
    try {
      encodeStateValue(event.extra as JsonValue, 0);
    } catch (error) {
      throw invalidEvents(label, how, `the extra of event ${index} is not JSON: ${(error as Error).message}`);
    }
    return { extra: event.extra as Record<string, JsonValue> };
  });
}

function invalidEvents(label: string, how: string, problem: string): TidemarkError {
  return new TidemarkError(
    'invalid_watcher_events',
    `${label} ${how} something that is not events: ${problem}; events look like [{ extra: { file: "a.csv" } }]`,
  );
}

function isPlainObject(value: unknown): value is Record<string, unknown> {
  if (typeof value !== 'object' || value === null) return false;
  const prototype = Object.getPrototypeOf(value);
  return prototype === Object.prototype || prototype === null;
}

function describe(value: unknown): string {
  if (Array.isArray(value)) return 'a list';
  if (value instanceof Date) return 'a Date';
  if (typeof value === 'object' && value !== null) return 'an object';
  return typeof value === 'string' ? `the string ${JSON.stringify(value)}` : String(value);
}
