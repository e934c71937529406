import { type ChildProcess, spawn } from 'node:child_process';
import { createRequire } from 'node:module';
import { createInterface } from 'node:readline';
import type { Readable } from 'node:stream';
import { pathToFileURL } from 'node:url';
import { ATTEMPT_OUTPUT_END_MARKER, type SupervisorToTask, type TaskToSupervisor } from '@tidemark/core';
import { DAG_FILE_MODULE_HOOKS_URL } from '../dag-file-format/dag-file-module-hooks-url.ts';
import { inheritedConditionArgs } from '../inherited-conditions.ts';

/** How the task process ended: an exit code, a signal, or a failure to start at all. */
export interface TaskProcessExit {
  readonly code: number | null;
  readonly signal: NodeJS.Signals | null;
  readonly spawnError?: Error;
}

export interface TaskProcessHandlers<TFromChild = TaskToSupervisor> {
  readonly onMessage: (message: TFromChild) => void;
  readonly onOutputLine: (source: 'stdout' | 'stderr', line: string) => void;
}

/** After the process exited, wait at most this long for its last output lines. */
const OUTPUT_DRAIN_TIMEOUT_MS = 1_000;

/**
 * tsx's ESM loader as a file URL, for `node --import` (task code and DAG files are TypeScript).
 * The ESM-only entry starts ~70 ms faster than `tsx` (which adds CommonJS hooks DAG files don't need).
 */
export const TSX_LOADER_URL = pathToFileURL(createRequire(import.meta.url).resolve('tsx/esm')).href;

/**
 * The child process that runs attempts' task code: Node with the tsx loader, an IPC channel for the
 * supervisor protocol, stdout and stderr read line by line. One attempt at a time, and several one
 * after another when reused (TaskProcessPool). A triggerer's watcher process is one too, speaking
 * the watcher-process protocol instead.
 */
export class TaskProcess<TToChild extends object = SupervisorToTask, TFromChild = TaskToSupervisor> {
  readonly exited: Promise<TaskProcessExit>;
  readonly #child: ChildProcess;
  #hasExited = false;
  #killTimer: NodeJS.Timeout | undefined;

  /**
   * Until handlers are attached (a warm process waiting for its first attempt), what the process
   * says is kept; once detached (a reused process between attempts) it is dropped.
   */
  #handlers: TaskProcessHandlers<TFromChild> | 'hold' | 'drop';
  #held: ((handlers: TaskProcessHandlers<TFromChild>) => void)[] = [];
  /** Attempts started in this process (a reused one runs several). */
  #attempts = 0;
  /** End-of-attempt markers read from stdout and stderr (ATTEMPT_OUTPUT_END_MARKER). */
  readonly #outputEnds = { stdout: 0, stderr: 0 };
  #outputEndWaiters: { readonly attempts: number; readonly resolve: () => void }[] = [];

  /**
   * Starts the process; without `handlers` it waits, warm, for `attach`. `nodeArgs` go before the
   * loaders (V8 flags, e.g. the watcher process's smaller young generation).
   */
  constructor(entryFile: string, handlers?: TaskProcessHandlers<TFromChild>, nodeArgs: readonly string[] = []) {
    this.#handlers = handlers ?? 'hold';
    this.#child = spawn(
      process.execPath,
      [
        ...nodeArgs,
        ...inheritedConditionArgs(),
        '--import',
        TSX_LOADER_URL,
        '--import',
        DAG_FILE_MODULE_HOOKS_URL,
        entryFile,
      ],
      {
        stdio: ['ignore', 'pipe', 'pipe', 'ipc'],
        env: taskEnvironment(process.env),
      },
    );
    this.#child.on('message', (message) => this.#deliver((to) => to.onMessage(message as TFromChild)));
    for (const source of ['stdout', 'stderr'] as const) {
      readLines(this.#child[source], (line) => this.#onLine(source, line));
    }
    this.exited = this.#waitForExit();
  }

  /** Hands a waiting process to the attempt that will use it; what a warm one said so far is delivered first. */
  attach(handlers: TaskProcessHandlers<TFromChild>): void {
    if (typeof this.#handlers !== 'string') throw new Error('this task process already belongs to an attempt');
    this.#handlers = handlers;
    for (const deliver of this.#held) deliver(handlers);
    this.#held = [];
  }

  /** The attempt is over (the process waits for another): what it says until the next attach is dropped. */
  detach(): void {
    this.#handlers = 'drop';
  }

  /** Counts an attempt started in this process; returns how many it has started. */
  beginAttempt(): number {
    this.#attempts += 1;
    return this.#attempts;
  }

  get attempts(): number {
    return this.#attempts;
  }

  /**
   * Resolves once the end-of-attempt markers of `attempts` attempts were read from both stdout and
   * stderr: all the output of those attempts was delivered.
   */
  outputEnded(attempts: number): Promise<void> {
    if (this.#hasOutputEnded(attempts)) return Promise.resolve();
    return new Promise((resolve) => this.#outputEndWaiters.push({ attempts, resolve }));
  }

  #hasOutputEnded(attempts: number): boolean {
    return this.#outputEnds.stdout >= attempts && this.#outputEnds.stderr >= attempts;
  }

  #onLine(source: 'stdout' | 'stderr', line: string): void {
    if (!line.endsWith(ATTEMPT_OUTPUT_END_MARKER)) {
      this.#deliver((to) => to.onOutputLine(source, line));
      return;
    }
    // Output the task left without a final newline ends up in front of the marker.
    const unterminated = line.slice(0, -ATTEMPT_OUTPUT_END_MARKER.length);
    if (unterminated !== '') this.#deliver((to) => to.onOutputLine(source, unterminated));
    this.#outputEnds[source] += 1;
    const waiting = this.#outputEndWaiters;
    this.#outputEndWaiters = waiting.filter((waiter) => !this.#hasOutputEnded(waiter.attempts));
    for (const waiter of waiting) if (this.#hasOutputEnded(waiter.attempts)) waiter.resolve();
  }

  #deliver(event: (handlers: TaskProcessHandlers<TFromChild>) => void): void {
    if (this.#handlers === 'hold') this.#held.push(event);
    else if (this.#handlers !== 'drop') event(this.#handlers);
  }

  get pid(): number | undefined {
    return this.#child.pid;
  }

  get hasExited(): boolean {
    return this.#hasExited;
  }

  /** Sends a protocol message; false when the channel is already closed (the process is gone). */
  send(message: TToChild): boolean {
    if (!this.#child.connected) return false;
    try {
      this.#child.send(message);
      return true;
    } catch {
      return false;
    }
  }

  /** SIGTERM now, SIGKILL after `graceMs` if it is still running; `onKill` reports the escalation. */
  terminate(graceMs: number, onKill?: () => void): void {
    if (this.#hasExited || this.#killTimer) return;
    this.#child.kill('SIGTERM');
    this.#killTimer = setTimeout(() => {
      if (this.#hasExited) return;
      onKill?.();
      this.kill();
    }, graceMs);
  }

  kill(): void {
    if (!this.#hasExited) this.#child.kill('SIGKILL');
  }

  /** Resolves when the process exited and its output was read (or stopped coming). */
  #waitForExit(): Promise<TaskProcessExit> {
    return new Promise((resolve) => {
      let drainTimer: NodeJS.Timeout | undefined;
      const settle = (exit: TaskProcessExit) => {
        this.#hasExited = true;
        clearTimeout(this.#killTimer);
        clearTimeout(drainTimer);
        resolve(exit);
      };
      this.#child.once('error', (error) => {
        if (this.#child.pid === undefined) settle({ code: null, signal: null, spawnError: error });
      });
      this.#child.once('exit', (code, signal) => {
        this.#hasExited = true;
        clearTimeout(this.#killTimer);
        // A grandchild may hold stdout open: do not wait for 'close' forever.
        drainTimer = setTimeout(() => settle({ code, signal }), OUTPUT_DRAIN_TIMEOUT_MS);
      });
      this.#child.once('close', (code, signal) => settle({ code, signal }));
    });
  }
}

function readLines(stream: Readable | null, onLine: (line: string) => void): void {
  if (!stream) return;
  createInterface({ input: stream, crlfDelay: Number.POSITIVE_INFINITY }).on('line', onLine);
}

/** Credentials of the worker (and of people) that task code has no business reading. */
const WORKER_SECRETS = [
  'TIDEMARK_API__SECRET_KEY',
  'TIDEMARK_API__SESSION_KEY',
  'TIDEMARK_API__ADMIN_PASSWORD',
  'TIDEMARK_API_TOKEN',
  'TIDEMARK_PASSWORD',
];

/** The worker's environment minus its secrets: the task process talks to the supervisor, not the API. */
export function taskEnvironment(env: NodeJS.ProcessEnv): NodeJS.ProcessEnv {
  const copy = { ...env };
  for (const name of WORKER_SECRETS) delete copy[name];
  return copy;
}
