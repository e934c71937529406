import { hostname } from 'node:os';
import type { LeasedDeferral, LeasedWatcher, LeaseResponse } from '@tidemark/core';
import { WATCHER_PROCESS_ENTRY } from '@tidemark/sdk';
import type { Logger } from 'pino';
import type { StateOffload } from '../offload/create-offload-store.ts';
import { createWorkerLogger } from '../worker/worker-logger.ts';
import { DeferralRunner } from './deferral-runner.ts';
import { LeaseLoop } from './lease-loop.ts';
import { TriggererApiClient } from './triggerer-api-client.ts';
import { checkTriggererId, newTriggererId } from './triggerer-id.ts';
import { type IdlePoll, WatcherPollScheduler } from './watcher-poll-scheduler.ts';
import { type CheckEnd, type PollEnd, WatcherProcessHost } from './watcher-process-host.ts';

export interface TriggererOptions {
  /** The api-server, e.g. `http://127.0.0.1:8080` (triggerer.api_url, else worker.api_url). */
  readonly apiUrl: string;
  /** Signs the triggerer token (api.secret_key). */
  readonly secretKey: string;
  /** DAG files are found here under each watcher's `fileloc` (core.dags_folder). */
  readonly dagsFolder: string;
  /** Watchers it runs at most (triggerer.capacity). */
  readonly capacity: number;
  /** triggerer.lease_timeout, used until the server says what it is. Default 30 s. */
  readonly leaseTimeoutMs?: number;
  /** Default `hostname:pid:random`. */
  readonly triggererId?: string;
  readonly logger?: Logger;
  /** `triggerer.watcher_stall_timeout`: a watcher process that answers nothing this long is killed. */
  readonly watcherStallTimeoutMs?: number;
  /** The watcher process's main file. Default: the SDK's WATCHER_PROCESS_ENTRY. */
  readonly watcherProcessEntry?: string;
  /**
   * A request without an answer after this long counts as unreachable. Default a third of the lease
   * timeout (at least 1 s): a renewal that hangs must not outlast the lease.
   */
  readonly requestTimeoutMs?: number;
  /** SPEC §9.2: the offload store for large state values (`state.offload.*`); omitted: none. */
  readonly offload?: StateOffload | undefined;
  /** Called after each poll ended and was reported. */
  readonly onPollDone?: (watcher: LeasedWatcher, end: PollEnd) => void;
  /** Waits of deferred tasks it runs at most (SPEC §16, `triggerer.deferral_capacity`); 0: none. Default 5,000. */
  readonly deferralCapacity?: number;
  /** Called after each deferral check (or timer) ended and was reported. */
  readonly onDeferralCheckDone?: (deferral: LeasedDeferral, end: CheckEnd) => void;
}

export interface TriggererStopOptions {
  /** How long running polls may take to end after their `ctx.signal` aborted. Default 10 s. */
  readonly graceMs?: number;
}

export interface Triggerer {
  readonly id: string;
  /** The watchers it runs now. */
  readonly watcherIds: readonly number[];
  /** The deferrals whose waits it runs now (SPEC §16). */
  readonly deferralIds: readonly number[];
  /** The pid of its watcher process, while one runs. */
  readonly watcherProcessPid: number | undefined;
  /** Aborts the polls, ends the watcher process and gives the leases back. */
  stop(options?: TriggererStopOptions): Promise<void>;
}

const DEFAULT_LEASE_TIMEOUT_MS = 30_000;
const DEFAULT_DEFERRAL_CAPACITY = 5_000;
const DEFAULT_STOP_GRACE_MS = 10_000;
const RELEASE_TIMEOUT_MS = 5_000;

/**
 * Starts a triggerer (SPEC §15.3): it leases watchers from the api-server, runs their polls in one
 * supervised watcher process, and commits what they find. It also runs the waits of deferred
 * tasks (SPEC §16): timers on its own timers, polls in the same watcher process. It never opens
 * the database.
 */
export function startTriggerer(options: TriggererOptions): Triggerer {
  return new TriggererRun(options).start();
}

class TriggererRun implements Triggerer {
  readonly id: string;
  readonly #options: TriggererOptions;
  readonly #logger: Logger;
  readonly #api: TriggererApiClient;
  readonly #host: WatcherProcessHost;
  readonly #leases: LeaseLoop<IdlePoll, LeaseResponse>;
  readonly #schedulers = new Map<number, WatcherPollScheduler>();
  /** Schedulers being stopped: a new one for the same watcher waits for its poll to end. */
  readonly #stopping = new Map<number, Promise<void>>();
  readonly #idlePolls = new Map<number, IdlePoll>();
  readonly #deferrals: DeferralRunner | undefined;
  #stopped: Promise<void> | undefined;

  constructor(options: TriggererOptions) {
    this.#options = options;
    this.id = checkTriggererId(options.triggererId ?? newTriggererId());
    this.#logger = (options.logger ?? createWorkerLogger()).child({ component: 'triggerer', triggerer: this.id });
    const leaseTimeoutMs = options.leaseTimeoutMs ?? DEFAULT_LEASE_TIMEOUT_MS;
    this.#api = new TriggererApiClient({
      apiUrl: options.apiUrl,
      secretKey: options.secretKey,
      triggererId: this.id,
      requestTimeoutMs: options.requestTimeoutMs ?? Math.max(1_000, Math.floor(leaseTimeoutMs / 3)),
    });
    this.#host = new WatcherProcessHost({
      entryFile: options.watcherProcessEntry ?? WATCHER_PROCESS_ENTRY,
      logger: this.#logger,
      ...(options.watcherStallTimeoutMs === undefined ? {} : { stallTimeoutMs: options.watcherStallTimeoutMs }),
    });
    const leaseHostname = `${hostname()}:${process.pid}`;
    this.#leases = new LeaseLoop({
      lease: (idlePolls) => {
        for (const scheduler of this.#schedulers.values()) scheduler.renewing();
        return this.#api.lease({
          hostname: leaseHostname,
          capacity: options.capacity,
          with_state: true,
          ...(idlePolls.length > 0 ? { idle_polls: [...idlePolls] } : {}),
        });
      },
      what: 'watchers',
      count: (response) => response.watchers.length,
      logger: this.#logger,
      initialLeaseTimeoutMs: leaseTimeoutMs,
      takeIdle: () => this.#takeIdlePolls(),
      restoreIdle: (polls) => this.#restoreIdlePolls(polls),
      onLeased: (response) => this.#reconcile(response),
      onLeaseDeadline: () => this.#stopAllWatchers('the leases could not be renewed before they expire'),
    });
    const deferralCapacity = options.deferralCapacity ?? DEFAULT_DEFERRAL_CAPACITY;
    if (deferralCapacity > 0) {
      this.#deferrals = new DeferralRunner({
        api: this.#api,
        host: this.#host,
        dagsFolder: options.dagsFolder,
        hostname: leaseHostname,
        capacity: deferralCapacity,
        leaseTimeoutMs,
        logger: this.#logger,
        ...(options.onDeferralCheckDone ? { onCheckDone: options.onDeferralCheckDone } : {}),
      });
    }
  }

  get watcherIds(): readonly number[] {
    return [...this.#schedulers.keys()];
  }

  get deferralIds(): readonly number[] {
    return this.#deferrals?.deferralIds ?? [];
  }

  get watcherProcessPid(): number | undefined {
    return this.#host.pid;
  }

  start(): this {
    this.#logger.info(
      { apiUrl: this.#options.apiUrl, capacity: this.#options.capacity, dagsFolder: this.#options.dagsFolder },
      'triggerer started',
    );
    this.#leases.start();
    this.#deferrals?.start();
    return this;
  }

  stop(options: TriggererStopOptions = {}): Promise<void> {
    this.#stopped ??= this.#stop(options.graceMs ?? DEFAULT_STOP_GRACE_MS);
    return this.#stopped;
  }

  async #stop(graceMs: number): Promise<void> {
    this.#logger.info({ watchers: this.#schedulers.size }, 'triggerer stopping');
    await this.#leases.stop();
    this.#stopAllWatchers('the triggerer is stopping');
    const deferralsStopped = this.#deferrals?.stop();
    await this.#host.stop(graceMs);
    await deferralsStopped;
    await Promise.all(this.#stopping.values());
    try {
      await Promise.race([
        Promise.all([this.#api.releaseLeases(), this.#deferrals && this.#api.releaseDeferralLeases()]),
        new Promise((_, reject) => setTimeout(() => reject(new Error('no answer')), RELEASE_TIMEOUT_MS).unref()),
      ]);
    } catch (error) {
      this.#logger.warn({ err: error }, 'could not give the leases back; they move when they expire');
    }
    this.#logger.info('triggerer stopped');
  }

  /** Runs what the server leased to this triggerer, and stops what it no longer holds. */
  #reconcile(response: LeaseResponse): void {
    if (this.#stopped) return;
    const leased = new Set<number>();
    for (const watcher of response.watchers) {
      leased.add(watcher.id);
      const running = this.#schedulers.get(watcher.id);
      if (running?.watcher.lease === watcher.lease) running.renewed(watcher);
      else {
        if (running) this.#stopWatcher(watcher.id, 'the watcher was leased again');
        this.#startWatcher(watcher);
      }
    }
    for (const id of [...this.#schedulers.keys()]) {
      if (!leased.has(id)) this.#stopWatcher(id, 'the triggerer no longer holds the lease');
    }
  }

  #startWatcher(watcher: LeasedWatcher): void {
    const previous = this.#stopping.get(watcher.id);
    const scheduler = new WatcherPollScheduler(watcher, {
      api: this.#api,
      host: this.#host,
      dagsFolder: this.#options.dagsFolder,
      logger: this.#logger,
      offload: this.#options.offload,
      onIdlePoll: (poll) => this.#idlePolls.set(poll.watcher_id, poll),
      onLeaseLost: () => {
        if (this.#schedulers.get(watcher.id) === scheduler) this.#forget(watcher.id);
      },
      // One poll of a watcher at a time: a new lease starts polling once the old poll ended.
      ...(previous ? { startAfter: previous } : {}),
      ...(this.#options.onPollDone ? { onPollDone: this.#options.onPollDone } : {}),
    });
    this.#schedulers.set(watcher.id, scheduler);
  }

  #stopWatcher(watcherId: number, reason: string): void {
    const scheduler = this.#schedulers.get(watcherId);
    if (!scheduler) return;
    this.#forget(watcherId);
    const stopped = scheduler.stop(reason).finally(() => {
      if (this.#stopping.get(watcherId) === stopped) this.#stopping.delete(watcherId);
    });
    this.#stopping.set(watcherId, stopped);
  }

  #forget(watcherId: number): void {
    this.#schedulers.delete(watcherId);
    this.#idlePolls.delete(watcherId);
  }

  #stopAllWatchers(reason: string): void {
    for (const id of [...this.#schedulers.keys()]) this.#stopWatcher(id, reason);
  }

  #takeIdlePolls(): IdlePoll[] {
    const polls = [...this.#idlePolls.values()].filter(
      (poll) => this.#schedulers.get(poll.watcher_id)?.watcher.lease === poll.lease,
    );
    this.#idlePolls.clear();
    return polls;
  }

  #restoreIdlePolls(polls: readonly IdlePoll[]): void {
    for (const poll of polls) {
      const newer = this.#idlePolls.get(poll.watcher_id);
      if (newer === undefined || newer.polled_at < poll.polled_at) this.#idlePolls.set(poll.watcher_id, poll);
    }
  }
}
