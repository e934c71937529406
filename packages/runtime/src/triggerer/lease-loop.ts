import { TidemarkError } from '@tidemark/core';
import type { Logger } from 'pino';
import { Backoff, sleep } from '../worker/backoff.ts';
import { isTransientApiError } from '../worker/execution-api-errors.ts';

/** What a lease request answers: at least how long the leases last. */
export interface LeaseAnswer {
  readonly lease_timeout_ms: number;
}

/**
 * One kind of leased rows (watchers, SPEC §15.3; deferrals, SPEC §16): `TIdle` is what the
 * triggerer reports with each renewal (polls or checks that found nothing), `TAnswer` what the
 * server answers.
 */
export interface LeaseLoopOptions<TIdle, TAnswer extends LeaseAnswer> {
  /** Sends one lease request with the idle reports taken for it. */
  readonly lease: (idle: readonly TIdle[]) => Promise<TAnswer>;
  /** What is leased, for log lines: "watchers", "deferrals". */
  readonly what: string;
  /** How many are held after `answer`, for the first log line. */
  readonly count: (answer: TAnswer) => number;
  readonly logger: Logger;
  /** `triggerer.lease_timeout` until the server said what it is. */
  readonly initialLeaseTimeoutMs: number;
  /** The idle reports to send now; they are handed back with `restoreIdle` when the request fails. */
  readonly takeIdle: () => TIdle[];
  readonly restoreIdle: (idle: readonly TIdle[]) => void;
  /** What this triggerer holds now. */
  readonly onLeased: (answer: TAnswer) => void;
  /** Renewal failed for so long that the leases may move: stop everything before another triggerer starts it. */
  readonly onLeaseDeadline: () => void;
}

const RETRY_BASE_DELAY_MS = 500;

/**
 * Renews the triggerer's leases every third of the lease timeout (taking free watchers up to its
 * capacity, reporting the polls that found nothing). While renewals fail it retries with backoff;
 * once the leases may have expired it stops the watchers locally, so that two triggerers never run
 * one watcher at once.
 */
export class LeaseLoop<TIdle, TAnswer extends LeaseAnswer> {
  readonly #options: LeaseLoopOptions<TIdle, TAnswer>;
  readonly #stopping = new AbortController();
  #leaseTimeoutMs: number;
  #deadlineTimer: NodeJS.Timeout | undefined;
  #loop: Promise<void> = Promise.resolve();
  #everLeased = false;

  constructor(options: LeaseLoopOptions<TIdle, TAnswer>) {
    this.#options = options;
    this.#leaseTimeoutMs = options.initialLeaseTimeoutMs;
  }

  start(): this {
    this.#loop = this.#run();
    return this;
  }

  async stop(): Promise<void> {
    this.#stopping.abort();
    clearTimeout(this.#deadlineTimer);
    await this.#loop;
  }

  async #run(): Promise<void> {
    const backoff = new Backoff(RETRY_BASE_DELAY_MS, Math.max(RETRY_BASE_DELAY_MS, this.#leaseTimeoutMs / 3));
    while (!this.#stopping.signal.aborted) {
      const renewed = await this.#renew();
      if (renewed) backoff.reset();
      const waitMs = renewed ? this.#leaseTimeoutMs / 3 : Math.min(backoff.next(), this.#leaseTimeoutMs / 3);
      await sleep(waitMs, this.#stopping.signal);
    }
  }

  async #renew(): Promise<boolean> {
    const { logger } = this.#options;
    const sentAt = Date.now();
    const idle = this.#options.takeIdle();
    let response: TAnswer;
    try {
      response = await this.#options.lease(idle);
    } catch (error) {
      this.#options.restoreIdle(idle);
      if (!this.#stopping.signal.aborted) this.#logFailure(error);
      return false;
    }
    if (this.#stopping.signal.aborted) return true;
    this.#leaseTimeoutMs = response.lease_timeout_ms;
    this.#armDeadline(sentAt);
    if (!this.#everLeased) {
      this.#everLeased = true;
      logger.info(
        { [this.#options.what]: this.#options.count(response) },
        `triggerer leased its ${this.#options.what}`,
      );
    }
    this.#options.onLeased(response);
    return true;
  }

  /**
   * The server's lease runs `lease_timeout` from when it received the request, which is no earlier
   * than `sentAt` here: stopping a margin before `sentAt + lease_timeout` stops before it can move.
   */
  #armDeadline(sentAt: number): void {
    clearTimeout(this.#deadlineTimer);
    const marginMs = Math.min(2_000, this.#leaseTimeoutMs / 6);
    const deadline = sentAt + this.#leaseTimeoutMs - marginMs;
    this.#deadlineTimer = setTimeout(
      () => {
        this.#options.logger.error(
          { leaseTimeoutMs: this.#leaseTimeoutMs },
          `the leases could not be renewed in time: the ${this.#options.what} stop here until the api-server answers again`,
        );
        this.#options.onLeaseDeadline();
      },
      Math.max(0, deadline - Date.now()),
    );
  }

  #logFailure(error: unknown): void {
    const { logger } = this.#options;
    if (isTransientApiError(error)) {
      logger.warn({ err: error }, 'lease renewal failed: the api-server is unreachable or busy; trying again');
    } else if (error instanceof TidemarkError && error.code === 'invalid_token') {
      logger.error(
        { err: error },
        'lease renewal refused: the api-server does not accept the triggerer token; give the triggerer the same ' +
          'secret key as the api-server (api.secret_key, TIDEMARK_API__SECRET_KEY)',
      );
    } else logger.error({ err: error }, 'lease renewal refused; trying again');
  }
}
