import { resolve } from 'node:path';
import { type JsonValue, type LeasedDeferral, TidemarkError } from '@tidemark/core';
import type { Logger } from 'pino';
import { retryUntilAnswered } from './retry-until-answered.ts';
import type { TriggererApiClient } from './triggerer-api-client.ts';
import type { CheckEnd, WatcherProcessHost } from './watcher-process-host.ts';

/** A poll check that returned nothing: the next deferral lease request reports it. */
export interface IdleCheck {
  readonly deferral_id: number;
  readonly lease: number;
  readonly checked_at: number;
}

export interface DeferralWaiterOptions {
  readonly api: TriggererApiClient;
  readonly host: WatcherProcessHost;
  /** DAG files are found here under the deferral's `fileloc`. */
  readonly dagsFolder: string;
  readonly logger: Logger;
  readonly onIdleCheck: (check: IdleCheck) => void;
  /** The wait ended here: it fired, failed, or the server says it no longer waits or is held elsewhere. */
  readonly onDone: (deferralId: number) => void;
  /** Called after each check or timer ended and was reported (tests, benchmarks). */
  readonly onCheckDone?: (deferral: LeasedDeferral, end: CheckEnd) => void;
}

/** setTimeout holds at most 2^31 − 1 ms; a longer timer is armed again when it wakes. */
const MAX_TIMER_MS = 2_147_483_647;

/** Reports outcomes that end the wait here; the server answered for good. */
const FINAL_ANSWERS = new Set(['deferral_not_found', 'deferral_lease_lost']);

/**
 * Runs one leased deferral's wait (SPEC §16). A timer fires from this process's own timer at
 * `next_check_at`: no watcher process is involved. A poll is checked in the watcher process at
 * `next_check_at`, then `every` after each check that found nothing (one check at a time); what
 * it returns fires the wait, a throw fails the try. A crashed watcher process only costs a check.
 * Fire and error reports name the lease generation and are retried while the api-server is away.
 */
export class DeferralWaiter {
  readonly #options: DeferralWaiterOptions;
  #childLogger: Logger | undefined;
  readonly #abort = new AbortController();
  #deferral: LeasedDeferral;
  #nextCheckAt: number;
  #timer: NodeJS.Timeout | undefined;
  #running: Promise<void> | undefined;
  #checkId: number | undefined;

  constructor(deferral: LeasedDeferral, options: DeferralWaiterOptions) {
    this.#options = options;
    this.#deferral = deferral;
    this.#nextCheckAt = deferral.next_check_at;
    this.#schedule();
  }

  /** Made when first needed: most waits log twice in their life, and a thousand idle child loggers weigh. */
  get #logger(): Logger {
    const deferral = this.#deferral;
    this.#childLogger ??= this.#options.logger.child({
      deferral_id: deferral.id,
      ti_id: deferral.ti.id,
      dag_id: deferral.ti.dag_id,
      task_id: deferral.ti.task_id,
      ...(deferral.poll_name === null ? {} : { poll: deferral.poll_name }),
    });
    return this.#childLogger;
  }

  get deferral(): LeasedDeferral {
    return this.#deferral;
  }

  /** The lease was renewed (same generation): keep the schedule. */
  renewed(deferral: LeasedDeferral): void {
    this.#deferral = deferral;
  }

  /** Stops waiting here (lease lost or given back, triggerer stopping); resolves once a running check ended. */
  async stop(reason: string): Promise<void> {
    if (!this.#abort.signal.aborted) {
      this.#abort.abort(new TidemarkError('poll_aborted', reason));
      clearTimeout(this.#timer);
      if (this.#checkId !== undefined) this.#options.host.abort(this.#checkId, reason);
    }
    await this.#running;
  }

  #schedule(): void {
    if (this.#abort.signal.aborted || this.#running) return;
    clearTimeout(this.#timer);
    const delayMs = this.#nextCheckAt - Date.now();
    this.#timer = setTimeout(
      () => {
        if (delayMs > MAX_TIMER_MS) return this.#schedule();
        this.#running = this.#wake().finally(() => {
          this.#running = undefined;
          this.#schedule();
        });
      },
      Math.min(MAX_TIMER_MS, Math.max(0, delayMs)),
    );
  }

  async #wake(): Promise<void> {
    const deferral = this.#deferral;
    if (deferral.kind === 'timer') {
      await this.#fire(deferral, { kind: 'timer' });
      this.#options.onCheckDone?.(deferral, { outcome: 'fired', event: { kind: 'timer' } });
      return;
    }
    const checkedAt = Date.now();
    const started = this.#options.host.runCheck(
      {
        deferralId: deferral.id,
        pollName: deferral.poll_name ?? '',
        args: (deferral.args ?? {}) as JsonValue,
        dagId: deferral.ti.dag_id,
        dagFile: resolve(this.#options.dagsFolder, deferral.fileloc),
        runId: deferral.ti.run_id,
        taskId: deferral.ti.task_id,
        mapIndex: deferral.ti.map_index,
        tryNumber: deferral.ti.try_number,
      },
      (level, message) => this.#logger[level]({ source: 'poll' }, message),
    );
    this.#checkId = started.pollId;
    const end = await started.done;
    this.#checkId = undefined;
    if (this.#abort.signal.aborted) return;
    await this.#afterCheck(deferral, checkedAt, end);
    this.#options.onCheckDone?.(deferral, end);
  }

  async #afterCheck(deferral: LeasedDeferral, checkedAt: number, end: CheckEnd): Promise<void> {
    const every = deferral.every_ms ?? 1_000;
    switch (end.outcome) {
      case 'fired':
        return this.#fire(deferral, end.event);
      case 'error':
        return this.#fail(deferral, end.error);
      case 'pending':
        this.#options.onIdleCheck({ deferral_id: deferral.id, lease: deferral.lease, checked_at: checkedAt });
        this.#nextCheckAt = Math.max(Date.now(), checkedAt + every);
        return;
      case 'crashed':
        this.#logger.warn({ error: end.error }, 'the watcher process crashed during the check; checking again');
        this.#nextCheckAt = Math.max(Date.now(), checkedAt + every);
        return;
      case 'ended':
        this.#nextCheckAt = Math.max(Date.now(), checkedAt + every);
        return;
    }
  }

  async #fire(deferral: LeasedDeferral, event: JsonValue): Promise<void> {
    try {
      const answer = await this.#report(() => this.#options.api.fireDeferral(deferral.id, deferral.lease, event));
      this.#logger.info({ resumed: answer.resumed }, 'the wait fired: the task resumes');
      this.#done();
    } catch (error) {
      this.#onReportError(error, 'the fired wait could not be reported');
    }
  }

  async #fail(deferral: LeasedDeferral, message: string): Promise<void> {
    this.#logger.warn({ error: message }, 'the wait failed: the deferred try fails');
    try {
      const answer = await this.#report(() =>
        this.#options.api.reportDeferralError(deferral.id, deferral.lease, message),
      );
      this.#logger.info({ state: answer.state }, 'the failed wait was reported');
      this.#done();
    } catch (error) {
      this.#onReportError(error, 'the failed wait could not be reported');
    }
  }

  #report<T>(operation: () => Promise<T>): Promise<T> {
    return retryUntilAnswered(operation, {
      signal: this.#abort.signal,
      onRetry: (error, delayMs) =>
        this.#logger.warn({ err: error, delayMs }, 'the api-server did not answer; trying again'),
    });
  }

  /** A final answer (not found, lease lost) ends the wait here; anything else is retried at the next check. */
  #onReportError(error: unknown, what: string): void {
    if (this.#abort.signal.aborted) return;
    if (error instanceof TidemarkError && FINAL_ANSWERS.has(error.code)) {
      this.#logger.info({ reason: error.code }, 'the wait no longer runs here');
      this.#done();
      return;
    }
    this.#logger.error({ err: error }, `${what}; trying again later`);
    this.#nextCheckAt = Date.now() + (this.#deferral.every_ms ?? 5_000);
  }

  #done(): void {
    this.#abort.abort(new TidemarkError('poll_aborted', 'the wait ended'));
    clearTimeout(this.#timer);
    this.#options.onDone(this.#deferral.id);
  }
}
