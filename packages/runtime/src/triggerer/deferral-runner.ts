import type { DeferralLeaseResponse, LeasedDeferral } from '@tidemark/core';
import type { Logger } from 'pino';
import { Backoff, sleep } from '../worker/backoff.ts';
import { DeferralWaiter, type IdleCheck } from './deferral-waiter.ts';
import { LeaseLoop } from './lease-loop.ts';
import type { TriggererApiClient } from './triggerer-api-client.ts';
import type { CheckEnd, WatcherProcessHost } from './watcher-process-host.ts';

/** A take waits this long on the server for a new deferral (long poll) before it answers none. */
const TAKE_WAIT_MS = 1_000;

/** A lease answer and when its request was sent: a waiter started after that is not in it yet. */
type TimedAnswer = DeferralLeaseResponse & { readonly sentAt: number };

export interface DeferralRunnerOptions {
  readonly api: TriggererApiClient;
  readonly host: WatcherProcessHost;
  readonly dagsFolder: string;
  /** hostname:pid, shown on the TI. */
  readonly hostname: string;
  /** Deferrals this triggerer runs at most (`triggerer.deferral_capacity`). */
  readonly capacity: number;
  readonly leaseTimeoutMs: number;
  readonly logger: Logger;
  readonly onCheckDone?: (deferral: LeasedDeferral, end: CheckEnd) => void;
}

/**
 * The triggerer's share of deferred tasks' waits (SPEC §16): leases deferrals (its own lease loop,
 * beside the watchers'), runs one DeferralWaiter per leased deferral, stops those it no longer
 * holds, and reports the idle checks of polls with each renewal. Between renewals a long-polled
 * take picks up new deferrals as they come, so a short wait does not sit until the next renewal.
 */
export class DeferralRunner {
  readonly #options: DeferralRunnerOptions;
  readonly #leases: LeaseLoop<IdleCheck, TimedAnswer>;
  readonly #waiters = new Map<number, DeferralWaiter>();
  /** When each waiter started (ms): a renewal sent before it does not list it yet. */
  readonly #startedAt = new Map<number, number>();
  readonly #stopSignal = new AbortController();
  #pickup: Promise<void> = Promise.resolve();
  /** The lease loop answered once: takes may start. */
  #leased = false;
  readonly #stopping = new Set<Promise<void>>();
  /** Deferrals whose wait ended here: not started again should a lease answer still list them. */
  readonly #ended = new Set<number>();
  readonly #idleChecks = new Map<number, IdleCheck>();
  #stopped = false;

  constructor(options: DeferralRunnerOptions) {
    this.#options = options;
    this.#leases = new LeaseLoop({
      lease: async (idle) => {
        const sentAt = Date.now();
        const answer = await options.api.leaseDeferrals({
          hostname: options.hostname,
          capacity: options.capacity,
          ...(idle.length > 0 ? { idle_checks: [...idle] } : {}),
        });
        return { ...answer, sentAt };
      },
      what: 'deferrals',
      count: (answer) => answer.deferrals.length,
      logger: options.logger,
      initialLeaseTimeoutMs: options.leaseTimeoutMs,
      takeIdle: () => this.#takeIdleChecks(),
      restoreIdle: (checks) => this.#restoreIdleChecks(checks),
      onLeased: (answer) => this.#reconcile(answer),
      onLeaseDeadline: () => this.#stopAll('the deferral leases could not be renewed before they expire'),
    });
  }

  /** The deferrals it runs now. */
  get deferralIds(): readonly number[] {
    return [...this.#waiters.keys()];
  }

  start(): this {
    this.#leases.start();
    this.#pickup = this.#takeNew();
    return this;
  }

  async stop(): Promise<void> {
    this.#stopped = true;
    this.#stopSignal.abort();
    await Promise.all([this.#leases.stop(), this.#pickup]);
    this.#stopAll('the triggerer is stopping');
    await Promise.all(this.#stopping);
  }

  #reconcile(answer: TimedAnswer): void {
    if (this.#stopped) return;
    this.#leased = true;
    const leased = new Set<number>();
    for (const deferral of answer.deferrals) {
      leased.add(deferral.id);
      this.#adopt(deferral);
    }
    for (const id of [...this.#waiters.keys()]) {
      const startedAfter = (this.#startedAt.get(id) ?? 0) > answer.sentAt;
      if (!leased.has(id) && !startedAfter) this.#stopWaiter(id, 'the triggerer no longer holds the lease');
    }
    for (const id of [...this.#ended]) if (!leased.has(id)) this.#ended.delete(id);
  }

  /** Runs a deferral it holds: starts its waiter, or keeps the running one when the lease is the same. */
  #adopt(deferral: LeasedDeferral): void {
    if (this.#ended.has(deferral.id)) return;
    const running = this.#waiters.get(deferral.id);
    if (running?.deferral.lease === deferral.lease) {
      running.renewed(deferral);
      return;
    }
    if (running) this.#stopWaiter(deferral.id, 'the deferral was leased again');
    this.#waiters.set(deferral.id, this.#newWaiter(deferral));
    this.#startedAt.set(deferral.id, Date.now());
  }

  /** Between renewals: long-polled takes of new deferrals, while there is room for them. */
  async #takeNew(): Promise<void> {
    const signal = this.#stopSignal.signal;
    const backoff = new Backoff(500, 5_000);
    while (!signal.aborted) {
      if (!this.#leased || this.#waiters.size >= this.#options.capacity) {
        await sleep(250, signal);
        continue;
      }
      try {
        const answer = await this.#options.api.takeDeferrals({
          hostname: this.#options.hostname,
          capacity: this.#options.capacity,
          wait_ms: TAKE_WAIT_MS,
        });
        backoff.reset();
        if (!this.#stopped) for (const deferral of answer.deferrals) this.#adopt(deferral);
      } catch (error) {
        if (signal.aborted) return;
        // The lease loop reports an unreachable api-server; here it only waits before the next take.
        this.#options.logger.debug({ err: error }, 'taking new deferrals failed; trying again');
        await sleep(backoff.next(), signal);
      }
    }
  }

  #newWaiter(deferral: LeasedDeferral): DeferralWaiter {
    return new DeferralWaiter(deferral, {
      api: this.#options.api,
      host: this.#options.host,
      dagsFolder: this.#options.dagsFolder,
      logger: this.#options.logger,
      onIdleCheck: (check) => this.#idleChecks.set(check.deferral_id, check),
      onDone: (id) => {
        this.#ended.add(id);
        this.#waiters.delete(id);
        this.#startedAt.delete(id);
        this.#idleChecks.delete(id);
      },
      ...(this.#options.onCheckDone ? { onCheckDone: this.#options.onCheckDone } : {}),
    });
  }

  #stopWaiter(id: number, reason: string): void {
    const waiter = this.#waiters.get(id);
    if (!waiter) return;
    this.#waiters.delete(id);
    this.#startedAt.delete(id);
    this.#idleChecks.delete(id);
    const stopped = waiter.stop(reason).finally(() => this.#stopping.delete(stopped));
    this.#stopping.add(stopped);
  }

  #stopAll(reason: string): void {
    for (const id of [...this.#waiters.keys()]) this.#stopWaiter(id, reason);
  }

  #takeIdleChecks(): IdleCheck[] {
    const checks = [...this.#idleChecks.values()].filter(
      (check) => this.#waiters.get(check.deferral_id)?.deferral.lease === check.lease,
    );
    this.#idleChecks.clear();
    return checks;
  }

  #restoreIdleChecks(checks: readonly IdleCheck[]): void {
    for (const check of checks) {
      const newer = this.#idleChecks.get(check.deferral_id);
      if (newer === undefined || newer.checked_at < check.checked_at) this.#idleChecks.set(check.deferral_id, check);
    }
  }
}
