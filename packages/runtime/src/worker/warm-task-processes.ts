import { TaskProcess, type TaskProcessHandlers } from './task-process.ts';

/**
 * Task processes started ahead of the attempts that will use them. Each still runs exactly one
 * attempt (ARCHITECTURE: a child process per attempt), but its start-up — Node, the tsx loader, the
 * SDK — happens while the worker waits for work instead of after a claim, so a claimed attempt
 * starts in the time it takes to import its DAG file.
 */
export class WarmTaskProcesses {
  readonly #entryFile: string;
  readonly #size: number;
  readonly #spares: TaskProcess[] = [];
  #closed = false;

  constructor(entryFile: string, size: number) {
    this.#entryFile = entryFile;
    this.#size = size;
    this.#refill();
  }

  /** A warm process for an attempt (a fresh one when none is ready); another starts warming at once. */
  take(handlers: TaskProcessHandlers): TaskProcess {
    let task = this.#spares.shift();
    while (task?.hasExited) task = this.#spares.shift();
    if (task) task.attach(handlers);
    else task = new TaskProcess(this.#entryFile, handlers);
    this.#refill();
    return task;
  }

  /** Ends the spares; processes already taken belong to their attempts. */
  async close(): Promise<void> {
    this.#closed = true;
    const spares = this.#spares.splice(0);
    for (const spare of spares) spare.kill();
    await Promise.all(spares.map((spare) => spare.exited));
  }

  #refill(): void {
    while (!this.#closed && this.#spares.length < this.#size) {
      this.#spares.push(new TaskProcess(this.#entryFile));
    }
  }
}
