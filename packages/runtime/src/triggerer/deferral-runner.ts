import type { DeferralLeaseResponse, LeasedDeferral } from '@tidemark/core';
import type { Logger } from 'pino';
import { DeferralWaiter, type IdleCheck } from './deferral-waiter.ts';
import { LeaseLoop } from './lease-loop.ts';
import type { TriggererApiClient } from './triggerer-api-client.ts';
import type { CheckEnd, WatcherProcessHost } from './watcher-process-host.ts';

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
 * holds, and reports the idle checks of polls with each renewal.
 */
export class DeferralRunner {
  readonly #options: DeferralRunnerOptions;
  readonly #leases: LeaseLoop<IdleCheck, DeferralLeaseResponse>;
  readonly #waiters = new Map<number, DeferralWaiter>();
  readonly #stopping = new Set<Promise<void>>();
  /** Deferrals whose wait ended here: not started again should a lease answer still list them. */
  readonly #ended = new Set<number>();
  readonly #idleChecks = new Map<number, IdleCheck>();
  #stopped = false;

  constructor(options: DeferralRunnerOptions) {
    this.#options = options;
    this.#leases = new LeaseLoop({
      lease: (idle) =>
        options.api.leaseDeferrals({
          hostname: options.hostname,
          capacity: options.capacity,
          ...(idle.length > 0 ? { idle_checks: [...idle] } : {}),
        }),
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
    return this;
  }

  async stop(): Promise<void> {
    this.#stopped = true;
    await this.#leases.stop();
    this.#stopAll('the triggerer is stopping');
    await Promise.all(this.#stopping);
  }

  #reconcile(answer: DeferralLeaseResponse): void {
    if (this.#stopped) return;
    const leased = new Set<number>();
    for (const deferral of answer.deferrals) {
      leased.add(deferral.id);
      if (this.#ended.has(deferral.id)) continue;
      const running = this.#waiters.get(deferral.id);
      if (running?.deferral.lease === deferral.lease) running.renewed(deferral);
      else {
        if (running) this.#stopWaiter(deferral.id, 'the deferral was leased again');
        this.#waiters.set(deferral.id, this.#newWaiter(deferral));
      }
    }
    for (const id of [...this.#waiters.keys()]) {
      if (!leased.has(id)) this.#stopWaiter(id, 'the triggerer no longer holds the lease');
    }
    for (const id of [...this.#ended]) if (!leased.has(id)) this.#ended.delete(id);
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
        this.#idleChecks.delete(id);
      },
      ...(this.#options.onCheckDone ? { onCheckDone: this.#options.onCheckDone } : {}),
    });
  }

  #stopWaiter(id: number, reason: string): void {
    const waiter = this.#waiters.get(id);
    if (!waiter) return;
    this.#waiters.delete(id);
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
