import {
  type JsonValue,
  type LeasedWatcher,
  MAX_EVENTS_PER_POLL,
  type StagedStateChange,
  TidemarkError,
  type WatcherCommitParams,
  type WatcherPollResponse,
  type WatcherProcessRequest,
  type WatcherStateChange,
} from '@tidemark/core';
import type { Logger } from 'pino';
import { retryUntilAnswered } from './retry-until-answered.ts';
import type { TriggererApiClient } from './triggerer-api-client.ts';
import type { PollHandlers, WatcherLogLevel } from './watcher-process-host.ts';
import type { WatcherStateCache } from './watcher-state-cache.ts';
import type { WatcherStateOffload } from './watcher-state-offload.ts';

export interface WatcherPollOptions {
  readonly api: TriggererApiClient;
  readonly watcher: LeasedWatcher;
  readonly cache: WatcherStateCache;
  /** Epoch ms when the poll started. */
  readonly polledAt: number;
  /** Aborted when the poll must stop (the triggerer stops, the lease is gone). */
  readonly signal: AbortSignal;
  /** The watcher's logger: its `ctx.log` lines and the poll's own. */
  readonly logger: Logger;
  /** Large values (`state.offload.*`); omitted: values travel as stored. */
  readonly offload?: WatcherStateOffload | undefined;
}

/** Why the server refused a commit of the poll; the poll ended there. */
export type CommitRefusal = 'state_conflict' | 'watcher_lease_lost';

/**
 * One poll of one watcher, as the triggerer sees it: answers the watcher's state reads (from the
 * cache, else the api-server) and commits each batch of events with its state changes,
 * compare-and-set against the version each key was read at in this poll.
 */
export class WatcherPoll implements PollHandlers {
  readonly #options: WatcherPollOptions;
  /** The version of each key as this poll read it (0: absent), moved on by its own commits. */
  readonly #readVersions = new Map<string, number>();
  #lastCommit: WatcherPollResponse | undefined;
  #refusal: CommitRefusal | undefined;

  constructor(options: WatcherPollOptions) {
    this.#options = options;
  }

  /** The answer to the poll's last commit, if it committed anything. */
  get lastCommit(): WatcherPollResponse | undefined {
    return this.#lastCommit;
  }

  get refusal(): CommitRefusal | undefined {
    return this.#refusal;
  }

  request(request: WatcherProcessRequest): Promise<JsonValue | undefined> {
    switch (request.method) {
      case 'state.get':
        return this.#get(request.params.key);
      case 'state.keys':
        return this.#keys();
      case 'commit':
        return this.#commit(request.params);
    }
  }

  log(level: WatcherLogLevel, message: string): void {
    this.#options.logger[level](message);
  }

  /** Commits the poll's failure (no events, no state): the server counts it and sets the backoff. */
  reportError(error: string): Promise<WatcherPollResponse> {
    const { api, watcher, polledAt } = this.#options;
    return this.#untilAnswered(() =>
      api.commitPoll(watcher.id, {
        lease: watcher.lease,
        polled_at: polledAt,
        outcome: 'error',
        error: error.slice(0, 4_000),
      }),
    );
  }

  async #get(key: string): Promise<JsonValue> {
    const { api, watcher, cache, offload } = this.#options;
    let entry = cache.get(key) ?? cache.remember(key, await this.#untilAnswered(() => api.getState(watcher.id, key)));
    if (entry.present && offload) {
      const value = await offload.resolve(key, entry.value);
      if (value !== entry.value) entry = cache.remember(key, { value, version: entry.version });
    }
    this.#readVersions.set(key, entry.version);
    return entry.present ? { value: entry.value, version: entry.version } : null;
  }

  async #keys(): Promise<JsonValue> {
    const { api, watcher, cache } = this.#options;
    let keys = cache.keys();
    if (keys === undefined) {
      cache.rememberAll(await this.#untilAnswered(() => api.listState(watcher.id)));
      keys = cache.keys() ?? [];
    }
    return { keys };
  }

  async #commit(params: WatcherCommitParams): Promise<JsonValue> {
    const { api, watcher, cache, polledAt } = this.#options;
    checkCommitSize(watcher, params);
    for (const [key, version] of Object.entries(params.read ?? {})) {
      if (!this.#readVersions.has(key)) this.#readVersions.set(key, version);
    }
    const { offload } = this.#options;
    const changes = offload ? await Promise.all(params.state.map((change) => offload.prepare(change))) : params.state;
    let response: WatcherPollResponse;
    try {
      response = await this.#untilAnswered(() =>
        api.commitPoll(watcher.id, {
          lease: watcher.lease,
          polled_at: polledAt,
          outcome: 'ok',
          events: params.events.map((event) => (event.extra === undefined ? {} : { extra: { ...event.extra } })),
          state: changes.map((change) => this.#withReadVersion(change)),
        }),
      );
    } catch (error) {
      this.#noteRefusal(error);
      throw error;
    }
    this.#lastCommit = response;
    const versions = new Map(response.state.map((entry) => [entry.key, entry.version]));
    for (const change of params.state) {
      const version = versions.get(change.key) ?? 0;
      cache.applyCommitted(change, version);
      if (this.#readVersions.has(change.key) && (change.operation === 'delete' || version > 0)) {
        this.#readVersions.set(change.key, version);
      }
    }
    return { event_ids: response.event_ids };
  }

  #withReadVersion(change: StagedStateChange): WatcherStateChange {
    const ifVersion = this.#readVersions.get(change.key);
    return {
      key: change.key,
      operation: change.operation,
      ...(change.operation === 'delete' ? {} : { value: change.value }),
      ...(ifVersion === undefined ? {} : { if_version: ifVersion }),
    };
  }

  #noteRefusal(error: unknown): void {
    if (!(error instanceof TidemarkError)) return;
    if (error.code === 'state_conflict') {
      // What the poll read is stale: the next poll reads the state again.
      this.#options.cache.clear();
      this.#refusal = 'state_conflict';
      this.#options.logger.info(
        { err: error },
        'the state changed under the poll: nothing was committed; the next poll reads it again',
      );
    } else if (error.code === 'watcher_lease_lost') this.#refusal = 'watcher_lease_lost';
  }

  #untilAnswered<T>(operation: () => Promise<T>): Promise<T> {
    return retryUntilAnswered(operation, {
      signal: this.#options.signal,
      onRetry: (error, delayMs) =>
        this.#options.logger.warn({ err: error, delayMs }, 'the api-server did not answer the poll; trying again'),
    });
  }
}

function checkCommitSize(watcher: LeasedWatcher, params: WatcherCommitParams): void {
  const count = Math.max(params.events.length, params.state.length);
  if (count <= MAX_EVENTS_PER_POLL) return;
  const what =
    params.events.length > MAX_EVENTS_PER_POLL
      ? `${params.events.length} events`
      : `${params.state.length} state changes`;
  throw new TidemarkError(
    'invalid_watcher_events',
    `watcher "${watcher.name}" of asset "${watcher.asset.name}" emitted ${what} in one return or yield; ` +
      `one commit takes at most ${MAX_EVENTS_PER_POLL}: make the watcher an async generator and yield them in batches`,
  );
}
