import { resolve } from 'node:path';
import {
  type AttemptSpec,
  type ClaimedAttempt,
  type FinishRequest,
  type FinishResponse,
  type LogLine,
  type StateRequestParams,
  type TaskProcessReady,
  type TaskToSupervisor,
  triggeringAssetEventFromWire,
} from '@tidemark/core';
import { TASK_PROCESS_ENTRY } from '@tidemark/sdk';
import type { Logger } from 'pino';
import { AttemptTrace } from '../observability/attempt-trace.ts';
import type { AttemptOutcomeLabel, WorkerMetrics } from '../observability/worker-metrics.ts';
import type { StateOffload } from '../offload/create-offload-store.ts';
import { OffloadingStateRelay } from '../offload/offloading-state-relay.ts';
import {
  type AttemptOutcome,
  describeOutcome,
  type FinishedMessage,
  formatSeconds,
  type Interruption,
  outcomeFromCrash,
  outcomeFromFinishedMessage,
  outcomeFromInterruption,
} from './attempt-outcome.ts';
import { retryTransient } from './backoff.ts';
import type { AttemptApiClient, ExecutionApiClient } from './execution-api-client.ts';
import { httpStatusOf, isStaleAttemptError } from './execution-api-errors.ts';
import { type HeartbeatLoop, startHeartbeatLoop } from './heartbeat-loop.ts';
import { LogShipper } from './log-shipper.ts';
import { TaskProcess, type TaskProcessExit } from './task-process.ts';
import type { TaskProcessLease, TaskProcessPool } from './task-process-pool.ts';
import { type TaskRequestMessage, TaskRequestRelay } from './task-request-relay.ts';
import { startTokenRefreshLoop, type TokenRefreshLoop } from './token-refresh-loop.ts';
import { createSilentLogger } from './worker-logger.ts';

export interface RunAttemptOptions {
  readonly claimed: ClaimedAttempt;
  readonly api: ExecutionApiClient;
  /** Absolute, or relative to the working directory; the claim's `fileloc` is relative to it. */
  readonly dagsFolder: string;
  /** After SIGTERM (timeout, stop), how long the task process may take to exit before SIGKILL. */
  readonly killGracePeriodMs: number;
  /** Shown in the attempt log. */
  readonly workerName?: string;
  readonly logger?: Logger;
  /** Aborting ends the task process (SIGTERM, then SIGKILL) and reports the attempt failed, retryable. */
  readonly signal?: AbortSignal;
  /** The task process's main file. Default: the SDK's TASK_PROCESS_ENTRY. */
  readonly taskProcessEntry?: string;
  /** How long finish is retried while the api-server is unreachable. Default 60 s. */
  readonly finishRetryWindowMs?: number;
  /** SPEC §9.2: where state values above the threshold go (`state.offload.*`). Default: nowhere. */
  readonly offload?: StateOffload | undefined;
  /**
   * Where the task process comes from and goes back to: a waiting one (warm or reused, see
   * TaskProcessPool), else a new one is spawned, and it exits after this attempt.
   */
  readonly taskProcesses?: TaskProcessPool | undefined;
  /** The worker's metrics (outcomes, overhead, the pattern helpers' events); omitted: none. */
  readonly metrics?: WorkerMetrics | undefined;
}

/** Milliseconds since runAttempt started, for measuring the supervisor's overhead. */
export interface AttemptTimings {
  /** null: the process could not be started. */
  readonly spawnedMs: number | null;
  readonly firstMessageMs: number | null;
  readonly finishedMessageMs: number | null;
  readonly exitedMs: number | null;
  /** null: finish was not called or not recorded. */
  readonly finishRecordedMs: number | null;
}

type Mutable<T> = { -readonly [K in keyof T]: T[K] };

export interface AttemptResult {
  readonly tiId: string;
  readonly outcome: AttemptOutcome;
  /** The TI's state after finish; null when finish was not called (stale attempt) or not recorded. */
  readonly state: FinishResponse['state'] | null;
  readonly durationMs: number;
  readonly timings: AttemptTimings;
}

const STDERR_TAIL_LINES = 20;
/** After a reused process said `ready`, wait at most this long for the rest of the attempt's output. */
const OUTPUT_END_TIMEOUT_MS = 1_000;
const DEFAULT_FINISH_RETRY_WINDOW_MS = 60_000;

/**
 * Runs one claimed attempt to its end: spawns the task process, relays its requests, ships its
 * logs, heartbeats, enforces the execution timeout, and reports how it ended with finish (unless
 * the TI moved on). Never throws: every failure ends up in the result.
 */
export function runAttempt(options: RunAttemptOptions): Promise<AttemptResult> {
  return new AttemptSupervisor(options).run();
}

class AttemptSupervisor {
  readonly #options: RunAttemptOptions;
  readonly #claimed: ClaimedAttempt;
  readonly #api: AttemptApiClient;
  readonly #logger: Logger;
  readonly #shipper: LogShipper;
  readonly #startedAt = performance.now();
  readonly #stderrTail: string[] = [];
  readonly #relay: TaskRequestRelay;
  readonly #trace: AttemptTrace;
  #outcomeLabel: AttemptOutcomeLabel = 'crashed';
  #task: TaskProcess | undefined;
  /** The process stays for another attempt (it says `ready` after `finished` instead of exiting). */
  #reuse = false;
  #ready: ((ready: TaskProcessReady) => void) | undefined;
  /** The attempt is over in a reused process: it said `ready` (it did not exit). */
  #released = false;
  #finished: FinishedMessage | undefined;
  /** A task that reports after SIGTERM (timeout, stop) did not finish on its own. */
  #finishedAfterInterruption = false;
  #interruption: Interruption | undefined;
  readonly #timings: Mutable<Omit<AttemptTimings, 'finishRecordedMs'>> = {
    spawnedMs: null,
    firstMessageMs: null,
    finishedMessageMs: null,
    exitedMs: null,
  };

  constructor(options: RunAttemptOptions) {
    this.#options = options;
    this.#claimed = options.claimed;
    this.#api = options.api.forAttempt(options.claimed);
    this.#logger = attemptLogger(options.logger ?? createSilentLogger(), options.claimed);
    this.#trace = new AttemptTrace(options.claimed);
    options.metrics?.attemptStarted();
    this.#relay = new TaskRequestRelay(
      this.#api,
      options.offload && new OffloadingStateRelay(options.offload, taskInstanceOf(options.claimed)),
    );
    this.#shipper = new LogShipper({
      send: (lines) => this.#api.sendLogs(lines),
      onError: (error, dropped) => this.#onLogShippingError(error, dropped),
    });
  }

  async run(): Promise<AttemptResult> {
    this.#logSupervisorLine('info', this.#startingLine());
    const heartbeats = this.#startHeartbeats();
    const tokenRefresh = this.#startTokenRefresh();
    const exit = await this.#runTaskProcess();
    const decided = this.#decideOutcome(exit);
    this.#logSupervisorLine(decided.state === 'failed' ? 'error' : 'info', describeOutcome(decided, this.#claimed));
    await this.#shipper.flush();
    // The attempt lives until its finish is recorded: while finish is retried (the api-server or its
    // database is away), heartbeats go on, or the scheduler would judge the attempt a zombie.
    let reported: { outcome: AttemptOutcome; state: FinishResponse['state'] | null };
    try {
      reported = decided.state === 'stale' ? { outcome: decided, state: null } : await this.#reportFinish(decided);
    } finally {
      heartbeats.stop();
      tokenRefresh.stop();
    }
    await this.#shipper.flush();
    const result = this.#result(reported.outcome, reported.state);
    this.#recordOutcome(result);
    return result;
  }

  /** Metrics and the attempt span: how it ended, and the runtime's share of its time. */
  #recordOutcome(result: AttemptResult): void {
    const label = result.outcome.state === 'failed' && this.#outcomeLabel === 'success' ? 'failed' : this.#outcomeLabel;
    const ranMs = this.#finished?.ranMs;
    const reportedByTask = this.#finished !== undefined && !this.#finishedAfterInterruption;
    const overheadMs =
      reportedByTask && ranMs !== undefined && result.timings.finishRecordedMs !== null
        ? result.timings.finishRecordedMs - ranMs
        : undefined;
    this.#options.metrics?.attemptEnded(label, overheadMs === undefined ? undefined : overheadMs / 1000);
    this.#trace.end(label);
  }

  /**
   * Spawns (or takes) the task process, starts the attempt in it, and waits for its end (enforcing
   * timeout and stop): its exit, or for a reused process its `ready` and the end of its output.
   */
  async #runTaskProcess(): Promise<TaskProcessExit> {
    let task: TaskProcess;
    try {
      task = this.#spawnTaskProcess();
    } catch (error) {
      return { code: null, signal: null, spawnError: error as Error };
    }
    this.#timings.spawnedMs = this.#elapsed();
    const ready = new Promise<TaskProcessReady>((resolve) => {
      this.#ready = resolve;
    });
    this.#sendStart(task);
    const disarmTimeout = this.#armExecutionTimeout(task);
    const unwatchStop = this.#watchStopSignal(task);
    const ended = await Promise.race([task.exited, ready]);
    const exit = 'type' in ended ? await this.#handBack(task, ended) : ended;
    this.#timings.exitedMs = this.#elapsed();
    disarmTimeout();
    unwatchStop();
    return exit;
  }

  /**
   * A reused process said `ready`: once the attempt's output is read, it goes back to the pool (which
   * may retire it). Output that does not end in time, or an interrupted attempt, ends the process.
   */
  async #handBack(task: TaskProcess, ready: TaskProcessReady): Promise<TaskProcessExit> {
    const drained = await Promise.race([
      task.outputEnded(task.attempts).then(() => true),
      task.exited.then(() => false),
      new Promise<boolean>((resolve) => setTimeout(() => resolve(false), OUTPUT_END_TIMEOUT_MS).unref()),
    ]);
    this.#released = true;
    if (drained && !this.#interruption && !task.hasExited) this.#options.taskProcesses?.release(task, ready);
    else {
      task.detach();
      task.terminate(this.#options.killGracePeriodMs);
    }
    return { code: 0, signal: null };
  }

  #result(outcome: AttemptOutcome, state: FinishResponse['state'] | null): AttemptResult {
    const elapsed = this.#elapsed();
    return {
      tiId: this.#claimed.ti_id,
      outcome,
      state,
      durationMs: Math.round(elapsed),
      timings: { ...this.#timings, finishRecordedMs: state === null ? null : elapsed },
    };
  }

  #startingLine(): string {
    const { try_number, max_tries, task_id, run_id, dag_id, map_index } = this.#claimed;
    const mapped = map_index >= 0 ? ` [${map_index}]` : '';
    const worker = this.#options.workerName ? ` on worker ${this.#options.workerName}` : '';
    return `starting attempt ${try_number} of ${max_tries} of task ${task_id}${mapped} (DAG ${dag_id}, run ${run_id})${worker}`;
  }

  #startHeartbeats(): HeartbeatLoop {
    return startHeartbeatLoop({
      intervalMs: this.#claimed.heartbeat_interval_ms,
      beat: () => this.#api.heartbeat(),
      onStale: (error) => this.#interrupt({ kind: 'stale', reason: (error as Error).message }),
      onError: (error) => this.#logger.warn({ err: error }, 'heartbeat failed; trying again at the next interval'),
    });
  }

  #startTokenRefresh(): TokenRefreshLoop {
    return startTokenRefreshLoop({
      api: this.#api,
      onStale: (error) => this.#interrupt({ kind: 'stale', reason: (error as Error).message }),
      onError: (error) => this.#logger.warn({ err: error }, 'attempt token refresh failed; trying again soon'),
    });
  }

  #spawnTaskProcess(): TaskProcess {
    const handlers = {
      onMessage: (message: TaskToSupervisor) => this.#onTaskMessage(message),
      onOutputLine: (source: 'stdout' | 'stderr', line: string) => this.#onOutputLine(source, line),
    };
    const lease: TaskProcessLease = this.#options.taskProcesses?.take(
      handlers,
      resolve(this.#options.dagsFolder, this.#claimed.fileloc),
    ) ?? { task: new TaskProcess(this.#options.taskProcessEntry ?? TASK_PROCESS_ENTRY, handlers), reuse: false };
    const { task } = lease;
    if (!this.#options.taskProcesses) task.beginAttempt();
    this.#task = task;
    this.#reuse = lease.reuse;
    if (task.pid !== undefined) this.#logSupervisorLine('info', this.#processLine(task));
    return task;
  }

  #processLine(task: TaskProcess): string {
    if (task.attempts <= 1) return `task process started (pid ${task.pid})`;
    return `task process reused (pid ${task.pid}, attempt ${task.attempts} in this process)`;
  }

  #sendStart(task: TaskProcess): void {
    const attempt = attemptSpecOf(this.#claimed, this.#options.dagsFolder);
    const traceParent = this.#trace.traceParent;
    task.send({
      type: 'start',
      attempt: traceParent === undefined ? attempt : { ...attempt, traceParent },
      ...(this.#reuse ? { reuse: true } : {}),
    });
  }

  /** Returns the disarm function. */
  #armExecutionTimeout(task: TaskProcess): () => void {
    const timeoutMs = this.#claimed.execution_timeout_ms;
    if (timeoutMs === null) return () => undefined;
    const timer = setTimeout(() => {
      if (this.#finished || task.hasExited) return;
      this.#logSupervisorLine('error', `execution timeout of ${formatSeconds(timeoutMs)} reached: sending SIGTERM`);
      this.#interrupt({ kind: 'timeout', timeoutMs });
    }, timeoutMs);
    return () => clearTimeout(timer);
  }

  /** Returns the unwatch function. */
  #watchStopSignal(task: TaskProcess): () => void {
    const signal = this.#options.signal;
    if (!signal) return () => undefined;
    const onAbort = () => {
      if (this.#finished || task.hasExited) return;
      this.#logSupervisorLine('warn', 'the worker is stopping: sending SIGTERM to the task process');
      this.#interrupt({ kind: 'stopped' });
    };
    if (signal.aborted) onAbort();
    else signal.addEventListener('abort', onAbort, { once: true });
    return () => signal.removeEventListener('abort', onAbort);
  }

  /** Ends the task process early; the first reason wins. A stale attempt is killed at once. */
  #interrupt(interruption: Interruption): void {
    const task = this.#task;
    if (this.#interruption || !task || task.hasExited || this.#released) return;
    this.#interruption = interruption;
    if (interruption.kind === 'stale') {
      this.#logSupervisorLine('warn', `${interruption.reason}: killing the task process (SIGKILL)`);
      task.kill();
      return;
    }
    task.terminate(this.#options.killGracePeriodMs, () =>
      this.#logSupervisorLine(
        'error',
        `task process did not exit within ${formatSeconds(this.#options.killGracePeriodMs)} of SIGTERM: sending SIGKILL`,
      ),
    );
  }

  #onTaskMessage(message: TaskToSupervisor): void {
    this.#timings.firstMessageMs ??= this.#elapsed();
    switch (message.type) {
      case 'log':
        this.#shipper.push({ ts: message.ts, level: message.level, message: message.message, source: 'task' });
        return;
      case 'request':
        void this.#relayRequest(message);
        return;
      case 'finished':
        this.#onFinished(message);
        return;
      case 'metric':
        this.#options.metrics?.taskEvent(message);
        return;
      case 'ready':
        if (this.#reuse && this.#finished) this.#ready?.(message);
        return;
      default:
        this.#logger.warn({ message }, 'ignoring a message of unknown type from the task process');
    }
  }

  #onFinished(message: FinishedMessage): void {
    if (this.#finished) return;
    this.#finished = message;
    this.#finishedAfterInterruption = this.#interruption !== undefined;
    this.#timings.finishedMessageMs = this.#elapsed();
    // The process should exit (or, reused, say `ready`) right after reporting; one that lingers is ended.
    const task = this.#task;
    setTimeout(() => {
      if (!task || task.hasExited || this.#released) return;
      const what = this.#reuse ? 'say it is ready for the next attempt' : 'exit';
      this.#logSupervisorLine('warn', `task process did not ${what} after reporting its outcome: sending SIGTERM`);
      task.terminate(this.#options.killGracePeriodMs);
    }, this.#options.killGracePeriodMs).unref();
  }

  async #relayRequest(request: TaskRequestMessage): Promise<void> {
    const answer = await this.#trace.child(
      request.method,
      request.method.startsWith('state.')
        ? { 'tidemark.state.scope': (request.params as StateRequestParams).target.kind }
        : {},
      () => this.#relay.answer(request),
      (relayed) => (relayed.ok ? undefined : relayed.error.code),
    );
    if (answer.ok) {
      this.#task?.send({ type: 'response', id: request.id, ok: true, value: answer.value });
      return;
    }
    if (isStaleAttemptError(answer.cause)) this.#interrupt({ kind: 'stale', reason: answer.error.message });
    this.#task?.send({ type: 'response', id: request.id, ok: false, error: answer.error });
  }

  #onOutputLine(source: 'stdout' | 'stderr', line: string): void {
    if (source === 'stderr') {
      this.#stderrTail.push(line);
      if (this.#stderrTail.length > STDERR_TAIL_LINES) this.#stderrTail.shift();
    }
    this.#shipper.push({ ts: Date.now(), level: source === 'stderr' ? 'warn' : 'info', message: line, source });
  }

  #onLogShippingError(error: unknown, droppedLines: number): void {
    if (isStaleAttemptError(error)) {
      this.#interrupt({ kind: 'stale', reason: (error as Error).message });
      return;
    }
    this.#logger.error({ err: error, droppedLines }, 'the execution API refused log lines; they are dropped');
  }

  /** A stale attempt reports nothing; otherwise what happened first wins: the task's report or the interruption. */
  #decideOutcome(exit: TaskProcessExit): AttemptOutcome {
    if (this.#interruption?.kind === 'stale') {
      this.#outcomeLabel = 'stale';
      return outcomeFromInterruption(this.#interruption);
    }
    if (this.#finished && !this.#finishedAfterInterruption) {
      this.#outcomeLabel = this.#finished.outcome;
      return outcomeFromFinishedMessage(this.#finished);
    }
    if (this.#interruption) {
      this.#outcomeLabel = this.#interruption.kind === 'timeout' ? 'timeout' : 'stopped';
      return outcomeFromInterruption(this.#interruption);
    }
    this.#outcomeLabel = 'crashed';
    return outcomeFromCrash(exit, this.#stderrTail);
  }

  /** Calls finish; returns what was reported and the TI's state after it (null: not recorded). */
  async #reportFinish(
    outcome: FinishRequest,
  ): Promise<{ outcome: FinishRequest; state: FinishResponse['state'] | null }> {
    let reported = outcome;
    try {
      const response = await this.#sendFinish(outcome).catch(async (error: unknown) => {
        const refused = returnValueRefusal(outcome, error);
        if (!refused) throw error;
        reported = refused;
        this.#logSupervisorLine('error', describeOutcome(refused, this.#claimed));
        await this.#shipper.flush();
        return this.#sendFinish(refused);
      });
      this.#logger.info({ outcome: reported.state, state: response.state }, 'attempt finished');
      return { outcome: reported, state: response.state };
    } catch (error) {
      const staleNote = isStaleAttemptError(error) ? ' (the TI moved on)' : '';
      this.#logger.error(
        { err: error, outcome: reported.state },
        `could not report how the attempt ended${staleNote}; the scheduler will treat it as a zombie`,
      );
      return { outcome: reported, state: null };
    }
  }

  #sendFinish(outcome: FinishRequest): Promise<FinishResponse> {
    return this.#trace.child('finish', { 'tidemark.attempt.state': outcome.state }, () =>
      retryTransient(() => this.#api.finish(outcome), {
        retryWindowMs: this.#options.finishRetryWindowMs ?? DEFAULT_FINISH_RETRY_WINDOW_MS,
        onRetry: (error, delayMs) =>
          this.#logger.warn({ err: error, delayMs }, 'could not report how the attempt ended; trying again'),
      }),
    );
  }

  #logSupervisorLine(level: LogLine['level'], message: string): void {
    this.#logger[level](message);
    this.#shipper.push({ ts: Date.now(), level, message, source: 'supervisor' });
  }

  #elapsed(): number {
    return performance.now() - this.#startedAt;
  }
}

export function attemptSpecOf(claimed: ClaimedAttempt, dagsFolder: string): AttemptSpec {
  return {
    dagId: claimed.dag_id,
    runId: claimed.run_id,
    taskId: claimed.task_id,
    mapIndex: claimed.map_index,
    tryNumber: claimed.try_number,
    maxTries: claimed.max_tries,
    dagFile: resolve(dagsFolder, claimed.fileloc),
    conf: claimed.conf,
    logicalDate: claimed.logical_date,
    ...(claimed.map_item === undefined ? {} : { mapItem: claimed.map_item }),
    ...(claimed.triggering_asset_events === undefined
      ? {}
      : { triggeringAssetEvents: claimed.triggering_asset_events.map(triggeringAssetEventFromWire) }),
    ...(claimed.resumed_with === undefined ? {} : { resumedWith: claimed.resumed_with }),
  };
}

function taskInstanceOf(claimed: ClaimedAttempt) {
  return { dagId: claimed.dag_id, runId: claimed.run_id, taskId: claimed.task_id, mapIndex: claimed.map_index };
}

function attemptLogger(logger: Logger, claimed: ClaimedAttempt): Logger {
  return logger.child({
    ti_id: claimed.ti_id,
    dag_id: claimed.dag_id,
    run_id: claimed.run_id,
    task_id: claimed.task_id,
    map_index: claimed.map_index,
    try_number: claimed.try_number,
  });
}

/**
 * A success whose return value or outlet extras the server cannot store (too large, not storable
 * JSON), or a deferral whose poll arguments it cannot store, becomes a failure that says why;
 * retrying would send the same value.
 */
function returnValueRefusal(outcome: FinishRequest, error: unknown): FinishRequest | undefined {
  const status = httpStatusOf(error);
  if ((outcome.state !== 'success' && outcome.state !== 'deferred') || (status !== 413 && status !== 422)) {
    return undefined;
  }
  const what =
    outcome.state === 'success'
      ? "the task's result could not be stored (its return value as XCom, its outlet events' extras)"
      : 'the task could not defer (its wait was refused)';
  return { state: 'failed', error: `${what}: ${(error as Error).message}`, retryable: false };
}
