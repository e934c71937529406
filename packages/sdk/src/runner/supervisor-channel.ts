import {
  errorCodeOf,
  type JsonValue,
  type SupervisorToTask,
  type TaskMetricEvent,
  type TaskProcessReady,
  type TaskRequest,
  type TaskToSupervisor,
  TidemarkError,
} from '@tidemark/core/task-process';

export type TaskRequestMethod = TaskRequest['method'];
export type TaskRequestParams<TMethod extends TaskRequestMethod> = Extract<TaskRequest, { method: TMethod }>['params'];
export type TaskLogLevel = Extract<TaskToSupervisor, { type: 'log' }>['level'];
export type FinishedMessage = Extract<TaskToSupervisor, { type: 'finished' }>;
export type StartMessage = Extract<SupervisorToTask, { type: 'start' }>;

/**
 * What the task-side accessors (`ctx.xcom`, `ctx.log`, and later `ctx.taskState`, `ctx.assetState`)
 * need from the supervisor. A new accessor adds a method to core's `TaskRequest` union and calls
 * `request` with it.
 */
export interface SupervisorRequester {
  request<TMethod extends TaskRequestMethod>(
    method: TMethod,
    params: TaskRequestParams<TMethod>,
  ): Promise<JsonValue | undefined>;
  log(level: TaskLogLevel, message: string): void;
  /** Counts a pattern helper's event in the worker's metrics; fire and forget. */
  metric?(event: TaskMetricEvent): void;
}

interface PendingRequest {
  readonly method: TaskRequestMethod;
  readonly resolve: (value: JsonValue | undefined) => void;
  readonly reject: (error: Error) => void;
}

/**
 * The task process's end of the IPC channel to its supervisor (supervisor-protocol.ts in core).
 * Requests are numbered; each promise settles when the `response` with its id arrives, and an
 * error response is rebuilt as a TidemarkError with the supervisor's code.
 */
export class SupervisorChannel implements SupervisorRequester {
  readonly #port: NodeJS.Process;
  readonly #pending = new Map<number, PendingRequest>();
  readonly #startWaiters: ((start: StartMessage) => void)[] = [];
  /** A `start` that arrived before anyone waited for it. */
  #pendingStart: StartMessage | undefined;
  #nextRequestId = 1;
  #closedBecause: TidemarkError | undefined;

  constructor(port: NodeJS.Process) {
    if (typeof port.send !== 'function' || !port.connected) {
      throw new TidemarkError(
        'no_supervisor_channel',
        'the task process has no IPC channel: it must be spawned by a worker supervisor with stdio "ipc"',
      );
    }
    this.#port = port;
    port.on('message', (message: SupervisorToTask) => this.#receive(message));
    port.on('disconnect', () =>
      this.#close(new TidemarkError('supervisor_disconnected', 'the supervisor closed the IPC channel')),
    );
  }

  /** Resolves with the supervisor's next `start` message (a reused process gets one per attempt). */
  waitForStart(): Promise<StartMessage> {
    const pending = this.#pendingStart;
    if (pending !== undefined) {
      this.#pendingStart = undefined;
      return Promise.resolve(pending);
    }
    return new Promise((resolve) => this.#startWaiters.push(resolve));
  }

  /**
   * The attempt's own way to the supervisor: once `end()` was called (the attempt is over), its
   * requests are refused and its log lines dropped, so code an attempt left running cannot act in
   * the name of the next attempt of a reused process.
   */
  forAttempt(): AttemptRequester {
    return new AttemptRequester(this);
  }

  /** Says the process is clean and waits for the next `start` (a reused process, after `finished`). */
  ready(message: TaskProcessReady): Promise<void> {
    return new Promise((resolve, reject) => this.#send(message, (error) => (error ? reject(error) : resolve())));
  }

  request<TMethod extends TaskRequestMethod>(
    method: TMethod,
    params: TaskRequestParams<TMethod>,
  ): Promise<JsonValue | undefined> {
    if (this.#closedBecause) return Promise.reject(this.#closedBecause);
    const id = this.#nextRequestId++;
    return new Promise((resolve, reject) => {
      this.#pending.set(id, { method, resolve, reject });
      this.#send({ type: 'request', id, method, params } as TaskToSupervisor, (error) => {
        if (!error) return;
        this.#pending.delete(id);
        reject(
          new TidemarkError('supervisor_disconnected', `cannot send "${method}" to the supervisor: ${error.message}`),
        );
      });
    });
  }

  log(level: TaskLogLevel, message: string): void {
    if (this.#closedBecause) return;
    this.#send({ type: 'log', level, message, ts: Date.now() }, () => {});
  }

  metric(event: TaskMetricEvent): void {
    if (this.#closedBecause) return;
    this.#send({ type: 'metric', ...event }, () => {});
  }

  /** Sends the attempt's one `finished` message; resolves once it has left the process. */
  finish(message: FinishedMessage): Promise<void> {
    return new Promise((resolve, reject) => this.#send(message, (error) => (error ? reject(error) : resolve())));
  }

  #send(message: TaskToSupervisor, callback: (error: Error | null) => void): void {
    try {
      this.#port.send?.(message, callback);
    } catch (error) {
      callback(error instanceof Error ? error : new Error(String(error)));
    }
  }

  #receive(message: SupervisorToTask): void {
    if (message?.type === 'start') {
      const waiter = this.#startWaiters.shift();
      if (waiter) waiter(message);
      else this.#pendingStart ??= message;
      return;
    }
    if (message?.type !== 'response') return;
    const pending = this.#pending.get(message.id);
    if (!pending) return;
    this.#pending.delete(message.id);
    if (message.ok) pending.resolve(message.value);
    else {
      const { code, message: text } = message.error;
      pending.reject(new TidemarkError(errorCodeOf(code), text, { method: pending.method, reason: code }));
    }
  }

  #close(reason: TidemarkError): void {
    this.#closedBecause = reason;
    for (const pending of this.#pending.values()) pending.reject(reason);
    this.#pending.clear();
  }
}

/** One attempt's requester on a (possibly reused) task process's channel; see `forAttempt`. */
export class AttemptRequester implements SupervisorRequester {
  readonly #channel: SupervisorChannel;
  #ended = false;

  constructor(channel: SupervisorChannel) {
    this.#channel = channel;
  }

  request<TMethod extends TaskRequestMethod>(
    method: TMethod,
    params: TaskRequestParams<TMethod>,
  ): Promise<JsonValue | undefined> {
    if (this.#ended) {
      return Promise.reject(
        new TidemarkError(
          'supervisor_disconnected',
          `cannot send "${method}": the attempt it belongs to has ended (code it left running called it afterwards)`,
        ),
      );
    }
    return this.#channel.request(method, params);
  }

  log(level: TaskLogLevel, message: string): void {
    if (!this.#ended) this.#channel.log(level, message);
  }

  metric(event: TaskMetricEvent): void {
    if (!this.#ended) this.#channel.metric(event);
  }

  end(): void {
    this.#ended = true;
  }
}
