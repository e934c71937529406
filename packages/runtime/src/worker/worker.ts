import { hostname } from 'node:os';
import { type ClaimedAttempt, MAX_CLAIM_BATCH, TidemarkError } from '@tidemark/core';
import { TASK_PROCESS_ENTRY } from '@tidemark/sdk';
import type { Logger } from 'pino';
import type { WorkerMetrics } from '../observability/worker-metrics.ts';
import type { StateOffload } from '../offload/create-offload-store.ts';
import { Backoff, sleep } from './backoff.ts';
import { ExecutionApiClient } from './execution-api-client.ts';
import { isTransientApiError } from './execution-api-errors.ts';
import { type AttemptResult, runAttempt } from './supervisor.ts';
import { TaskProcessPool } from './task-process-pool.ts';
import { createWorkerLogger } from './worker-logger.ts';

export interface WorkerOptions {
  /** The api-server, e.g. `http://127.0.0.1:8080` (worker.api_url). */
  readonly apiUrl: string;
  /** Signs the worker token (api.secret_key). */
  readonly secretKey: string;
  /** DAG files are found here under the claim's `fileloc` (core.dags_folder). */
  readonly dagsFolder: string;
  /** Attempts run at once (worker.parallelism). */
  readonly parallelism: number;
  /** Pause between claims when there is nothing to do (worker.poll_interval). */
  readonly pollIntervalMs: number;
  /** After SIGTERM, how long a task process may take to exit before SIGKILL (worker.kill_grace_period). */
  readonly killGracePeriodMs: number;
  /** Shown as the TI's worker. Default `hostname:pid`. */
  readonly workerName?: string;
  readonly logger?: Logger;
  /** Called after each attempt ended (and was reported). */
  readonly onAttemptDone?: (result: AttemptResult) => void;
  /** The task process's main file. Default: the SDK's TASK_PROCESS_ENTRY. */
  readonly taskProcessEntry?: string;
  /** SPEC §9.2: the offload store for large state values (`state.offload.*`); omitted: none. */
  readonly offload?: StateOffload | undefined;
  /** Task processes kept started ahead of claims (worker.warm_processes). Default 0. */
  readonly warmProcesses?: number;
  /** Attempts one task process runs one after another (worker.max_attempts_per_process). Default 1. */
  readonly maxAttemptsPerProcess?: number;
  /** A reused task process above this resident memory is replaced (worker.max_process_memory_mb). Default 0: no ceiling. */
  readonly maxProcessMemoryMb?: number;
  /** Where the attempts' metrics go (README "Observability"); omitted: none. */
  readonly metrics?: WorkerMetrics | undefined;
}

export interface StopOptions {
  /** How long running attempts may take to finish before they are ended (SIGTERM). Default 30 s. */
  readonly graceMs?: number;
}

export interface Worker {
  readonly name: string;
  /** Attempts running now. */
  readonly running: number;
  /** Stops claiming, waits for running attempts (ending them after the grace), then resolves. */
  stop(options?: StopOptions): Promise<void>;
}

const DEFAULT_STOP_GRACE_MS = 30_000;
/** A claim waits this long on the server for work to be queued (long poll) before it answers 204. */
const CLAIM_WAIT_MS = 1_000;
const CLAIM_BACKOFF_BASE_MS = 500;
const CLAIM_BACKOFF_MAX_MS = 15_000;

/**
 * Starts a worker: it claims attempts from the execution API while fewer than `parallelism` run,
 * and runs a supervisor per attempt. It never opens the database.
 */
export function startWorker(options: WorkerOptions): Worker {
  return new WorkerLoop(options).start();
}

class WorkerLoop implements Worker {
  readonly name: string;
  readonly #options: WorkerOptions;
  readonly #api: ExecutionApiClient;
  readonly #logger: Logger;
  readonly #attempts = new Set<Promise<void>>();
  /** Aborted when stop() begins: wakes the loop up from its sleeps. */
  readonly #stopping = new AbortController();
  /** Aborted when the stop grace is over: ends running task processes. */
  readonly #terminating = new AbortController();
  readonly #claimBackoff = new Backoff(CLAIM_BACKOFF_BASE_MS, CLAIM_BACKOFF_MAX_MS);
  readonly #taskProcesses: TaskProcessPool | undefined;
  #slotFreed: (() => void) | undefined;
  #loop: Promise<void> = Promise.resolve();
  #stopped: Promise<void> | undefined;

  constructor(options: WorkerOptions) {
    this.#options = options;
    this.name = options.workerName ?? `${hostname()}:${process.pid}`;
    this.#api = new ExecutionApiClient({ apiUrl: options.apiUrl, secretKey: options.secretKey });
    this.#logger = (options.logger ?? createWorkerLogger()).child({ worker: this.name });
    this.#taskProcesses = createTaskProcessPool(options, this.#logger);
  }

  get running(): number {
    return this.#attempts.size;
  }

  start(): this {
    this.#logger.info(
      { apiUrl: this.#options.apiUrl, parallelism: this.#options.parallelism, dagsFolder: this.#options.dagsFolder },
      'worker started',
    );
    this.#loop = this.#claimLoop();
    return this;
  }

  stop(options: StopOptions = {}): Promise<void> {
    this.#stopped ??= this.#stop(options.graceMs ?? DEFAULT_STOP_GRACE_MS);
    return this.#stopped;
  }

  async #stop(graceMs: number): Promise<void> {
    this.#logger.info({ running: this.running, graceMs }, 'worker stopping: no new claims');
    this.#stopping.abort();
    await this.#loop;
    await this.#taskProcesses?.close();
    const graceTimer = setTimeout(() => {
      if (this.running > 0) this.#logger.warn({ running: this.running }, 'stop grace over: ending running attempts');
      this.#terminating.abort();
    }, graceMs);
    await Promise.all(this.#attempts);
    clearTimeout(graceTimer);
    this.#logger.info('worker stopped');
  }

  async #claimLoop(): Promise<void> {
    const stopSignal = this.#stopping.signal;
    while (!stopSignal.aborted) {
      if (this.running >= this.#options.parallelism) {
        await this.#waitForFreeSlot();
        continue;
      }
      const claimed = await this.#claimNext(Math.min(MAX_CLAIM_BATCH, this.#options.parallelism - this.running));
      if (claimed === 'failed') continue;
      if (claimed.length === 0) await sleep(this.#options.pollIntervalMs, stopSignal);
      // Claimed attempts are `running` already: they start even when stop() began meanwhile.
      else for (const attempt of claimed) this.#launch(attempt);
    }
  }

  /**
   * Up to `freeSlots` attempts in one request (empty when there is none), or 'failed' after an
   * error (already waited out).
   */
  async #claimNext(freeSlots: number): Promise<ClaimedAttempt[] | 'failed'> {
    try {
      const claimed = await this.#api.claimMany(this.name, freeSlots, CLAIM_WAIT_MS);
      this.#claimBackoff.reset();
      return claimed;
    } catch (error) {
      const delayMs = this.#claimBackoff.next();
      this.#logClaimFailure(error, delayMs);
      await sleep(delayMs, this.#stopping.signal);
      return 'failed';
    }
  }

  #logClaimFailure(error: unknown, delayMs: number): void {
    if (isTransientApiError(error)) {
      this.#logger.warn({ err: error, delayMs }, 'claim failed: the api-server is unreachable; trying again');
    } else if (error instanceof TidemarkError && error.code === 'invalid_token') {
      this.#logger.error(
        { err: error, delayMs },
        'claim refused: the api-server does not accept the worker token; give the worker the same secret key ' +
          'as the api-server (api.secret_key, TIDEMARK_API__SECRET_KEY)',
      );
    } else {
      this.#logger.error({ err: error, delayMs }, 'claim refused; trying again');
    }
  }

  #launch(claimed: ClaimedAttempt): void {
    const attempt = this.#runAttempt(claimed).finally(() => {
      this.#attempts.delete(attempt);
      this.#slotFreed?.();
    });
    this.#attempts.add(attempt);
  }

  async #runAttempt(claimed: ClaimedAttempt): Promise<void> {
    try {
      const result = await runAttempt({
        claimed,
        api: this.#api,
        dagsFolder: this.#options.dagsFolder,
        killGracePeriodMs: this.#options.killGracePeriodMs,
        workerName: this.name,
        logger: this.#logger,
        signal: this.#terminating.signal,
        ...(this.#options.taskProcessEntry ? { taskProcessEntry: this.#options.taskProcessEntry } : {}),
        offload: this.#options.offload,
        taskProcesses: this.#taskProcesses,
        metrics: this.#options.metrics,
      });
      this.#options.onAttemptDone?.(result);
    } catch (error) {
      this.#logger.error({ err: error, ti_id: claimed.ti_id }, 'supervisor failed unexpectedly');
    }
  }

  #waitForFreeSlot(): Promise<void> {
    return new Promise((resolve) => {
      const wake = () => {
        this.#slotFreed = undefined;
        this.#stopping.signal.removeEventListener('abort', wake);
        resolve();
      };
      this.#slotFreed = wake;
      this.#stopping.signal.addEventListener('abort', wake, { once: true });
    });
  }
}

/** The worker's waiting task processes; none when processes are neither warmed nor reused. */
function createTaskProcessPool(options: WorkerOptions, logger: Logger): TaskProcessPool | undefined {
  const warm = options.warmProcesses ?? 0;
  const maxAttemptsPerProcess = options.maxAttemptsPerProcess ?? 1;
  if (warm === 0 && maxAttemptsPerProcess <= 1) return undefined;
  return new TaskProcessPool({
    entryFile: options.taskProcessEntry ?? TASK_PROCESS_ENTRY,
    warm,
    maxAttemptsPerProcess,
    maxProcessMemoryMb: options.maxProcessMemoryMb ?? 0,
    killGracePeriodMs: options.killGracePeriodMs,
    logger,
  });
}
