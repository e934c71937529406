import { resolve } from 'node:path';
import type { TaskProcessReady } from '@tidemark/core';
import { dagFileVersion } from '@tidemark/sdk';
import type { Logger } from 'pino';
import { TaskProcess, type TaskProcessHandlers } from './task-process.ts';

export interface TaskProcessPoolOptions {
  /** The task process's main file. */
  readonly entryFile: string;
  /** Processes kept started ahead of claims (worker.warm_processes); used idle ones count. */
  readonly warm: number;
  /** Attempts one process runs before it is replaced (worker.max_attempts_per_process); 1: one each. */
  readonly maxAttemptsPerProcess: number;
  /** A process above this resident memory after an attempt is replaced (worker.max_process_memory_mb); 0: never. */
  readonly maxProcessMemoryMb: number;
  /** SIGTERM to SIGKILL when a process is retired (worker.kill_grace_period). */
  readonly killGracePeriodMs: number;
  readonly logger?: Logger | undefined;
}

/** The process an attempt runs in, and whether it stays for another attempt afterwards. */
export interface TaskProcessLease {
  readonly task: TaskProcess;
  /** Sent with `start`: the process says `ready` after `finished` instead of exiting. */
  readonly reuse: boolean;
}

interface IdleProcess {
  readonly task: TaskProcess;
  readonly ready: TaskProcessReady;
  readonly timer: NodeJS.Timeout;
}

/** A used process idle this long is ended, unless fewer than `warm` processes would be left waiting. */
const IDLE_PROCESS_TTL_MS = 60_000;

/**
 * The worker's task processes between attempts: warm ones started ahead of claims, and used ones
 * that wait for their next attempt (`worker.max_attempts_per_process`), so that an attempt costs a
 * message instead of a Node start. A process is not reused after a crash, a kill (timeout, stop,
 * stale attempt), its last allowed attempt, a memory ceiling, or when a DAG file it imported changed.
 */
export class TaskProcessPool {
  readonly #options: TaskProcessPoolOptions;
  /** Started, no attempt yet. */
  readonly #spares: TaskProcess[] = [];
  /** Used, waiting for the next attempt; the most recently used last. */
  #idle: IdleProcess[] = [];
  #closed = false;

  constructor(options: TaskProcessPoolOptions) {
    this.#options = options;
    this.#refill();
  }

  /**
   * A process for an attempt of `dagFile`: an idle one (one that already imported the file first),
   * a warm one, or a new one. Another starts warming at once when fewer than `warm` wait.
   */
  take(handlers: TaskProcessHandlers, dagFile: string): TaskProcessLease {
    const task = this.#takeIdle(resolve(dagFile)) ?? this.#takeSpare() ?? new TaskProcess(this.#options.entryFile);
    task.attach(handlers);
    const attempts = task.beginAttempt();
    this.#refill();
    return { task, reuse: !this.#closed && attempts < this.#options.maxAttemptsPerProcess };
  }

  /** After an attempt whose process said `ready` and whose output was read: keeps or retires the process. */
  release(task: TaskProcess, ready: TaskProcessReady): void {
    task.detach();
    const reason = this.#retirementReason(task, ready);
    if (reason !== null) {
      this.#retire(task, reason);
      return;
    }
    const timer = setTimeout(() => this.#expire(task), IDLE_PROCESS_TTL_MS).unref();
    this.#idle.push({ task, ready, timer });
    void task.exited.then(() => this.#forget(task));
  }

  /** Ends the waiting processes; processes running attempts belong to them (and are not reused). */
  async close(): Promise<void> {
    this.#closed = true;
    const waiting = [...this.#spares.splice(0), ...this.#idle.map((idle) => idle.task)];
    for (const idle of this.#idle) clearTimeout(idle.timer);
    this.#idle = [];
    for (const task of waiting) task.kill();
    await Promise.all(waiting.map((task) => task.exited));
  }

  #takeIdle(dagFile: string): TaskProcess | undefined {
    if (this.#idle.length === 0) return undefined;
    const version = dagFileVersion(dagFile);
    for (const idle of this.#idle.filter((candidate) => importedOtherVersion(candidate.ready, dagFile, version))) {
      this.#forget(idle.task);
      this.#retire(idle.task, `${dagFile} changed since the process imported it`);
    }
    const live = this.#idle.filter((idle) => !idle.task.hasExited);
    const chosen =
      live.findLast((idle) => idle.ready.dagFiles[dagFile] !== undefined) ?? live[live.length - 1] ?? undefined;
    if (!chosen) return undefined;
    this.#forget(chosen.task);
    return chosen.task;
  }

  #takeSpare(): TaskProcess | undefined {
    let task = this.#spares.shift();
    while (task?.hasExited) task = this.#spares.shift();
    return task;
  }

  #retirementReason(task: TaskProcess, ready: TaskProcessReady): string | null {
    if (this.#closed) return 'the worker is stopping';
    if (task.hasExited) return 'it exited';
    if (task.attempts >= this.#options.maxAttemptsPerProcess) {
      return `it ran ${task.attempts} attempts (worker.max_attempts_per_process)`;
    }
    const ceilingMb = this.#options.maxProcessMemoryMb;
    const rssMb = ready.rssBytes / 1024 / 1024;
    if (ceilingMb > 0 && rssMb > ceilingMb) {
      return `it holds ${Math.round(rssMb)} MB, above worker.max_process_memory_mb (${ceilingMb} MB)`;
    }
    return null;
  }

  #retire(task: TaskProcess, reason: string): void {
    this.#options.logger?.debug({ pid: task.pid, attempts: task.attempts }, `task process retired: ${reason}`);
    task.terminate(this.#options.killGracePeriodMs);
  }

  /** An idle process past its time: ended while enough others wait. */
  #expire(task: TaskProcess): void {
    if (this.#idle.length + this.#spares.length <= this.#options.warm) return;
    this.#forget(task);
    this.#retire(task, `idle for ${IDLE_PROCESS_TTL_MS / 1000} s`);
  }

  #forget(task: TaskProcess): void {
    const idle = this.#idle.find((candidate) => candidate.task === task);
    if (!idle) return;
    clearTimeout(idle.timer);
    this.#idle = this.#idle.filter((candidate) => candidate !== idle);
  }

  #refill(): void {
    const waiting = () => this.#spares.length + this.#idle.length;
    while (!this.#closed && waiting() < this.#options.warm) {
      this.#spares.push(new TaskProcess(this.#options.entryFile));
    }
  }
}

/** The process imported `dagFile` at a version other than its current one. */
function importedOtherVersion(ready: TaskProcessReady, dagFile: string, version: string | null): boolean {
  const imported = ready.dagFiles[dagFile];
  return imported !== undefined && imported !== version;
}
