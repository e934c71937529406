import { resolve } from 'node:path';
import { type LeasedWatcher, TidemarkError } from '@tidemark/core';
import type { Logger } from 'pino';
import type { StateOffload } from '../offload/create-offload-store.ts';
import type { TriggererApiClient } from './triggerer-api-client.ts';
import { WatcherPoll } from './watcher-poll.ts';
import type { PollEnd, WatcherProcessHost } from './watcher-process-host.ts';
import { type ListedState, WatcherStateCache } from './watcher-state-cache.ts';
import { WatcherStateOffload } from './watcher-state-offload.ts';

/** A poll that found nothing: it committed nothing, so the next lease request reports it. */
export interface IdlePoll {
  readonly watcher_id: number;
  readonly lease: number;
  readonly polled_at: number;
}

export interface WatcherPollSchedulerOptions {
  readonly api: TriggererApiClient;
  readonly host: WatcherProcessHost;
  /** DAG files are found here under the watcher's `fileloc`. */
  readonly dagsFolder: string;
  readonly logger: Logger;
  /** SPEC §9.2: the offload store for large state values (`state.offload.*`); omitted: none. */
  readonly offload?: StateOffload | undefined;
  readonly onIdlePoll: (poll: IdlePoll) => void;
  /** The server said another triggerer holds the watcher now. */
  readonly onLeaseLost: (watcherId: number) => void;
  /** The first poll waits for this (the end of the watcher's poll under its previous lease). */
  readonly startAfter?: Promise<void>;
  /** Called after each poll ended and was reported (tests, metrics). */
  readonly onPollDone?: (watcher: LeasedWatcher, end: PollEnd) => void;
}

/**
 * Runs one leased watcher: one poll at a time, each at the time the server set (`next_poll_at`,
 * backoff included) or, after a poll that committed nothing, `every` after it started. Keeps the
 * watcher's state cache between polls.
 */
export class WatcherPollScheduler {
  readonly #options: WatcherPollSchedulerOptions;
  readonly #cache = new WatcherStateCache();
  readonly #logger: Logger;
  #watcher: LeasedWatcher;
  #nextPollAt: number;
  #timer: NodeJS.Timeout | undefined;
  #running: Promise<void> | undefined;
  #pollAbort: AbortController | undefined;
  #pollId: number | undefined;
  #stopped = false;
  /** The cache's mark when the current lease renewal was asked for; -1: none asked for. */
  #stateMark = -1;

  constructor(watcher: LeasedWatcher, options: WatcherPollSchedulerOptions) {
    this.#options = options;
    this.#watcher = watcher;
    this.#nextPollAt = watcher.next_poll_at;
    if (watcher.state) this.#cache.rememberAll(watcher.state);
    this.#logger = options.logger.child({
      watcher: watcher.name,
      watcher_id: watcher.id,
      asset: watcher.asset.name,
      dag_id: watcher.dag_id,
    });
    if (options.startAfter) void options.startAfter.then(() => this.#schedule());
    else this.#schedule();
  }

  get watcher(): LeasedWatcher {
    return this.#watcher;
  }

  /** A lease renewal is about to be asked for (see WatcherStateCache.mark). */
  renewing(): void {
    this.#stateMark = this.#cache.mark();
  }

  /**
   * The lease was renewed (same lease generation): keep the schedule, take the watcher's current
   * definition, and take the state the renewal brought, else forget the cached state (other
   * writers may have changed it).
   */
  renewed(watcher: LeasedWatcher): void {
    const everyChanged = watcher.every_ms !== this.#watcher.every_ms;
    this.#watcher = watcher;
    this.#cache.renew(watcher.state, this.#stateMark);
    if (everyChanged && this.#running === undefined) {
      this.#nextPollAt = Math.min(this.#nextPollAt, Date.now() + watcher.every_ms);
      this.#schedule();
    }
  }

  /** Stops polling: aborts a running poll (it commits nothing more) and resolves once it ended. */
  async stop(reason: string): Promise<void> {
    if (!this.#stopped) {
      this.#stopped = true;
      clearTimeout(this.#timer);
      this.#pollAbort?.abort(new TidemarkError('poll_aborted', reason));
      if (this.#pollId !== undefined) this.#options.host.abort(this.#pollId, reason);
    }
    await this.#running;
  }

  #schedule(): void {
    if (this.#stopped || this.#running) return;
    clearTimeout(this.#timer);
    this.#timer = setTimeout(
      () => {
        this.#running = this.#poll().finally(() => {
          this.#running = undefined;
          this.#schedule();
        });
      },
      Math.max(0, this.#nextPollAt - Date.now()),
    );
  }

  async #poll(): Promise<void> {
    const watcher = this.#watcher;
    const polledAt = Date.now();
    const abort = new AbortController();
    this.#pollAbort = abort;
    const poll = new WatcherPoll({
      api: this.#options.api,
      watcher,
      cache: this.#cache,
      polledAt,
      signal: abort.signal,
      logger: this.#logger,
      offload: this.#options.offload && new WatcherStateOffload(this.#options.offload, watcher.asset.name),
    });
    const started = this.#options.host.runPoll(
      {
        watcherId: watcher.id,
        watcherName: watcher.name,
        asset: { name: watcher.asset.name, uri: watcher.asset.uri },
        dagId: watcher.dag_id,
        dagFile: resolve(this.#options.dagsFolder, watcher.fileloc),
        ...this.#knownState(),
      },
      poll,
    );
    this.#pollId = started.pollId;
    const end = await started.done;
    this.#pollId = undefined;
    this.#pollAbort = undefined;
    if (this.#stopped) return;
    await this.#afterPoll(watcher, poll, polledAt, end, abort.signal);
    this.#options.onPollDone?.(watcher, end);
  }

  /** The state the poll may read in its own process; none with an offload store (values may be envelopes). */
  #knownState(): { state?: ListedState } {
    const known = this.#options.offload ? null : this.#cache.known();
    return known ? { state: known } : {};
  }

  async #afterPoll(
    watcher: LeasedWatcher,
    poll: WatcherPoll,
    polledAt: number,
    end: PollEnd,
    signal: AbortSignal,
  ): Promise<void> {
    const every = polledAt + watcher.every_ms;
    if (end.outcome === 'ok') {
      if (poll.lastCommit) this.#nextPollAt = poll.lastCommit.next_poll_at;
      else {
        this.#options.onIdlePoll({ watcher_id: watcher.id, lease: watcher.lease, polled_at: polledAt });
        this.#nextPollAt = every;
      }
      return;
    }
    if (end.outcome === 'ended') {
      if (poll.refusal === 'watcher_lease_lost') this.#leaseLost();
      else this.#nextPollAt = poll.lastCommit?.next_poll_at ?? every;
      return;
    }
    this.#logger.warn({ error: end.error }, `watcher poll failed${end.outcome === 'crashed' ? ' (crash)' : ''}`);
    try {
      const answer = await poll.reportError(end.error);
      this.#nextPollAt = answer.next_poll_at;
    } catch (error) {
      if (error instanceof TidemarkError && error.code === 'watcher_lease_lost') this.#leaseLost();
      else if (!signal.aborted) {
        this.#logger.error({ err: error }, 'the failed poll could not be reported; polling again after `every`');
        this.#nextPollAt = Date.now() + watcher.every_ms;
      }
    }
  }

  #leaseLost(): void {
    this.#logger.warn('another triggerer holds the watcher now; it stops here');
    this.#stopped = true;
    this.#options.onLeaseLost(this.#watcher.id);
  }
}
