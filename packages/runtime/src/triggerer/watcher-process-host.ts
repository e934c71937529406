import {
  type DeferralCheckSpec,
  type JsonValue,
  TidemarkError,
  type TriggererToWatcherProcess,
  type WatcherPollSpec,
  type WatcherProcessRequest,
  type WatcherProcessToTriggerer,
} from '@tidemark/core';
import type { Logger } from 'pino';
import { Backoff } from '../worker/backoff.ts';
import { TaskProcess, type TaskProcessExit } from '../worker/task-process.ts';

export type WatcherLogLevel = Extract<WatcherProcessToTriggerer, { type: 'log' }>['level'];

/** What the host asks of the one who started a poll. */
export interface PollHandlers {
  /** Answers a request of the poll; a thrown error goes back to the watcher with its code. */
  request(request: WatcherProcessRequest): Promise<JsonValue | undefined>;
  log(level: WatcherLogLevel, message: string): void;
}

/** How a poll ended; `crashed`: the watcher process went away while it ran. */
export type PollEnd =
  | { readonly outcome: 'ok' }
  | { readonly outcome: 'error'; readonly error: string }
  | { readonly outcome: 'ended' }
  | { readonly outcome: 'crashed'; readonly error: string };

/** How a deferral check (SPEC §16) ended: `pending` (its poll returned nothing yet) or `fired` instead of `ok`. */
export type CheckEnd =
  | Exclude<PollEnd, { readonly outcome: 'ok' }>
  | { readonly outcome: 'pending' }
  | { readonly outcome: 'fired'; readonly event: JsonValue };

type AnyEnd = PollEnd | CheckEnd;

export interface WatcherProcessHostOptions {
  /** The watcher process's main file (the SDK's WATCHER_PROCESS_ENTRY). */
  readonly entryFile: string;
  readonly logger: Logger;
  /** First and longest wait before a crashed watcher process is started again. Default 500 ms, 30 s. */
  readonly restartBaseDelayMs?: number;
  readonly restartMaxDelayMs?: number;
  /**
   * A watcher process that leaves a ping unanswered this long has its event loop blocked by a
   * watcher (a synchronous loop, a blocking call): it is killed so the other watchers go on.
   * Default 30 s; pings go out every fifth of it.
   */
  readonly stallTimeoutMs?: number;
}

interface RunningPoll {
  /** What is sent to the process to start it: a watcher poll, or a deferral check. */
  readonly start: Extract<TriggererToWatcherProcess, { type: 'poll' | 'check' }>;
  readonly handlers: PollHandlers;
  readonly settle: (end: AnyEnd) => void;
  readonly done: Promise<AnyEnd>;
  /** Sent to the current process (else it waits for the next one to be ready). */
  sent: boolean;
}

type WatcherProcess = TaskProcess<TriggererToWatcherProcess, WatcherProcessToTriggerer>;

/**
 * The watcher process lives as long as its triggerer with a small heap: a 1 MB young generation
 * (instead of 16) keeps about 12 MB less resident for a little more frequent minor GC (SPEC §16:
 * 1,000 waiting deferrals cost a triggerer at most 200 MB).
 */
const WATCHER_PROCESS_NODE_ARGS = ['--max-semi-space-size=1'] as const;

/** Stderr lines of the watcher process kept to explain a crash. */
const STDERR_TAIL_LINES = 20;

/**
 * Supervises the triggerer's one watcher process: starts it with the first poll (a triggerer
 * without watchers runs no process), hands it polls (and deferral checks) once it is ready,
 * relays each poll's requests and log lines, and starts it again with backoff when it exits. A
 * crash ends every poll that was running in it as `crashed`; polls started while it is down wait
 * for the next process.
 */
export class WatcherProcessHost {
  readonly #options: WatcherProcessHostOptions;
  readonly #log: Logger;
  readonly #polls = new Map<number, RunningPoll>();
  readonly #restartBackoff: Backoff;
  #process: WatcherProcess | undefined;
  #ready = false;
  #stderrTail: string[] = [];
  #nextPollId = 1;
  #restartTimer: NodeJS.Timeout | undefined;
  #stopping = false;
  #exited: Promise<unknown> = Promise.resolve();
  #pingTimer: NodeJS.Timeout | undefined;
  #nextPingId = 1;
  /** When the oldest unanswered ping went out (undefined: every ping was answered). */
  #unansweredSince: number | undefined;
  /** Why the current process was killed by the host, to tell its polls. */
  #killedBecause: string | undefined;

  constructor(options: WatcherProcessHostOptions) {
    this.#options = options;
    this.#log = options.logger.child({ component: 'watcher-process' });
    this.#restartBackoff = new Backoff(options.restartBaseDelayMs ?? 500, options.restartMaxDelayMs ?? 30_000);
  }

  /** The watcher process's pid, while one runs. */
  get pid(): number | undefined {
    return this.#process?.hasExited === false ? this.#process.pid : undefined;
  }

  /** Starts the watcher process now (else the first poll does). */
  start(): void {
    if (this.#process || this.#stopping || this.#restartTimer) return;
    const child: WatcherProcess = new TaskProcess(
      this.#options.entryFile,
      {
        onMessage: (message) => this.#receive(child, message),
        onOutputLine: (source, line) => this.#outputLine(source, line),
      },
      WATCHER_PROCESS_NODE_ARGS,
    );
    this.#process = child;
    this.#ready = false;
    this.#stderrTail = [];
    this.#killedBecause = undefined;
    this.#unansweredSince = undefined;
    this.#exited = child.exited.then((exit) => this.#onExit(child, exit));
    this.#startStallWatch(child);
  }

  /** Pings the process while polls run in it; kills it when a ping stays unanswered too long. */
  #startStallWatch(child: WatcherProcess): void {
    const stallTimeoutMs = this.#options.stallTimeoutMs ?? 30_000;
    clearInterval(this.#pingTimer);
    this.#pingTimer = setInterval(
      () => {
        if (child !== this.#process || !this.#ready) return;
        const now = Date.now();
        if (this.#unansweredSince !== undefined && now - this.#unansweredSince >= stallTimeoutMs) {
          this.#killStalled(child, stallTimeoutMs);
          return;
        }
        if (this.#polls.size === 0) return;
        this.#unansweredSince ??= now;
        child.send({ type: 'ping', id: this.#nextPingId++ });
      },
      Math.max(10, Math.floor(stallTimeoutMs / 5)),
    );
    this.#pingTimer.unref();
  }

  #killStalled(child: WatcherProcess, stallTimeoutMs: number): void {
    const running = [...this.#polls.values()]
      .filter((poll) => poll.sent)
      .map((poll) =>
        poll.start.type === 'poll' ? poll.start.poll.watcherName : `check of poll ${poll.start.check.pollName}`,
      );
    this.#killedBecause =
      `it answered nothing for ${stallTimeoutMs} ms: a watcher blocked its event loop (a synchronous loop or a ` +
      `blocking call; make it await), and these polls were running: ${running.join(', ')}`;
    this.#log.error(`killing the watcher process: ${this.#killedBecause}`);
    child.kill();
  }

  /** Runs one poll in the watcher process; resolves when it ended. */
  runPoll(spec: Omit<WatcherPollSpec, 'pollId'>, handlers: PollHandlers): { pollId: number; done: Promise<PollEnd> } {
    const pollId = this.#nextPollId++;
    // A watcher poll ends ok, error, ended or crashed: never pending or fired (those are checks').
    const done = this.#run(pollId, { type: 'poll', poll: { ...spec, pollId } }, handlers) as Promise<PollEnd>;
    return { pollId, done };
  }

  /**
   * Runs one check of a deferred task's poll (SPEC §16) in the watcher process; resolves when it
   * ended. A check makes no requests; its log lines go to `log`.
   */
  runCheck(
    spec: Omit<DeferralCheckSpec, 'pollId'>,
    log: PollHandlers['log'],
  ): { pollId: number; done: Promise<CheckEnd> } {
    const pollId = this.#nextPollId++;
    const handlers: PollHandlers = {
      request: async () => {
        throw new TidemarkError('unknown_request', 'a deferral check makes no requests');
      },
      log,
    };
    const done = this.#run(pollId, { type: 'check', check: { ...spec, pollId } }, handlers);
    return { pollId, done: done.then((end) => (end.outcome === 'ok' ? { outcome: 'pending' } : end)) };
  }

  #run(pollId: number, start: RunningPoll['start'], handlers: PollHandlers): Promise<AnyEnd> {
    if (this.#stopping) return Promise.resolve({ outcome: 'ended' });
    let settle: (end: AnyEnd) => void = () => {};
    const done = new Promise<AnyEnd>((resolve) => {
      settle = (end) => {
        this.#polls.delete(pollId);
        resolve(end);
      };
    });
    this.#polls.set(pollId, { start, handlers, sent: false, settle, done });
    this.start();
    this.#sendWaitingPolls();
    return done;
  }

  /** Aborts the poll's `ctx.signal` in the watcher process. */
  abort(pollId: number, reason: string): void {
    const poll = this.#polls.get(pollId);
    if (!poll) return;
    if (poll.sent) this.#process?.send({ type: 'abort', pollId, reason });
    else poll.settle({ outcome: 'ended' });
  }

  /**
   * Aborts every poll, waits up to `graceMs` for them to end, then ends the process (SIGTERM, then
   * SIGKILL after `graceMs` more).
   */
  async stop(graceMs: number): Promise<void> {
    this.#stopping = true;
    clearTimeout(this.#restartTimer);
    for (const pollId of [...this.#polls.keys()]) this.abort(pollId, 'the triggerer is stopping');
    const running = [...this.#polls.values()].map((poll) => poll.done);
    if (running.length > 0) {
      let graceTimer: NodeJS.Timeout | undefined;
      await Promise.race([Promise.all(running), new Promise((resolve) => (graceTimer = setTimeout(resolve, graceMs)))]);
      clearTimeout(graceTimer);
    }
    this.#process?.terminate(graceMs);
    await this.#exited;
  }

  #sendWaitingPolls(): void {
    if (!this.#ready || !this.#process) return;
    for (const poll of this.#polls.values()) {
      if (poll.sent) continue;
      poll.sent = this.#process.send(poll.start);
    }
  }

  #receive(child: WatcherProcess, message: WatcherProcessToTriggerer): void {
    if (child !== this.#process) return;
    if (message.type === 'ready') {
      this.#ready = true;
      this.#sendWaitingPolls();
      return;
    }
    if (message.type === 'pong') {
      this.#unansweredSince = undefined;
      return;
    }
    const poll = this.#polls.get(message.pollId);
    if (!poll) return;
    if (message.type === 'log') poll.handlers.log(message.level, message.message);
    else if (message.type === 'finished') {
      this.#restartBackoff.reset();
      poll.settle(endOf(message));
    } else {
      const { id, type: _type, pollId: _pollId, ...request } = message;
      void poll.handlers.request(request as WatcherProcessRequest).then(
        (value) => child.send({ type: 'response', id, ok: true, value }),
        (error: unknown) => child.send({ type: 'response', id, ok: false, error: errorAnswer(error) }),
      );
    }
  }

  #outputLine(source: 'stdout' | 'stderr', line: string): void {
    if (source === 'stderr') {
      this.#stderrTail.push(line);
      if (this.#stderrTail.length > STDERR_TAIL_LINES) this.#stderrTail.shift();
      this.#log.warn({ stream: source }, line);
    } else this.#log.info({ stream: source }, line);
  }

  #onExit(child: WatcherProcess, exit: TaskProcessExit): void {
    if (child !== this.#process) return;
    this.#process = undefined;
    this.#ready = false;
    clearInterval(this.#pingTimer);
    const how = this.#killedBecause ? `was killed because ${this.#killedBecause}` : describeExit(exit);
    const tail = this.#stderrTail.join('\n');
    for (const poll of [...this.#polls.values()]) {
      if (!poll.sent) continue;
      poll.settle({
        outcome: 'crashed',
        error: `the watcher process ${how} while the poll ran${tail === '' ? '' : `; its last output:\n${tail}`}`,
      });
    }
    if (this.#stopping) return;
    const delayMs = this.#restartBackoff.next();
    this.#log.error({ exit: how, delayMs }, `the watcher process ${how}; starting a new one in ${delayMs} ms`);
    this.#restartTimer = setTimeout(() => {
      this.#restartTimer = undefined;
      this.start();
    }, delayMs);
  }
}

function endOf(message: Extract<WatcherProcessToTriggerer, { type: 'finished' }>): AnyEnd {
  switch (message.outcome) {
    case 'error':
      return { outcome: 'error', error: message.error };
    case 'fired':
      return { outcome: 'fired', event: message.event };
    default:
      return { outcome: message.outcome };
  }
}

function describeExit(exit: TaskProcessExit): string {
  if (exit.spawnError) return `could not start (${exit.spawnError.message})`;
  if (exit.signal) return `was killed by ${exit.signal}`;
  return `exited with code ${exit.code}`;
}

function errorAnswer(error: unknown): { code: string; message: string } {
  if (error instanceof TidemarkError) {
    const reason = typeof error.details.reason === 'string' ? error.details.reason : error.code;
    return { code: reason, message: error.message };
  }
  return { code: 'internal_error', message: error instanceof Error ? error.message : String(error) };
}
