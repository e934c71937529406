import {
  type DeferralCheckSpec,
  errorCodeOf,
  type JsonValue,
  TidemarkError,
  type TriggererToWatcherProcess,
  type WatcherPollSpec,
  type WatcherProcessRequest,
  type WatcherProcessToTriggerer,
} from '@tidemark/core/task-process';

export type WatcherLogLevel = Extract<WatcherProcessToTriggerer, { type: 'log' }>['level'];
export type WatcherFinishedMessage = Extract<WatcherProcessToTriggerer, { type: 'finished' }>;
type RequestMethod = WatcherProcessRequest['method'];
type RequestParams<TMethod extends RequestMethod> = Extract<WatcherProcessRequest, { method: TMethod }>['params'];

/** What one poll needs from the triggerer: its requests and its log lines. */
export interface PollRequester {
  request<TMethod extends RequestMethod>(
    method: TMethod,
    params: RequestParams<TMethod>,
  ): Promise<JsonValue | undefined>;
  log(level: WatcherLogLevel, message: string): void;
}

export interface TriggererChannelHandlers {
  readonly onPoll: (poll: WatcherPollSpec) => void;
  /** A check of a deferred task's poll (SPEC §16). */
  readonly onCheck: (check: DeferralCheckSpec) => void;
  readonly onAbort: (pollId: number, reason: string) => void;
}

interface PendingRequest {
  readonly method: RequestMethod;
  readonly resolve: (value: JsonValue | undefined) => void;
  readonly reject: (error: Error) => void;
}

/**
 * The watcher process's end of the IPC channel to its triggerer (watcher-process-protocol.ts in
 * core). Requests are numbered; each promise settles with the `response` of its id, an error
 * response rebuilt as a TidemarkError with the triggerer's code.
 */
export class TriggererChannel {
  readonly #port: NodeJS.Process;
  readonly #pending = new Map<number, PendingRequest>();
  #nextRequestId = 1;
  #closedBecause: TidemarkError | undefined;

  constructor(port: NodeJS.Process, handlers: TriggererChannelHandlers) {
    if (typeof port.send !== 'function' || !port.connected) {
      throw new TidemarkError(
        'no_supervisor_channel',
        'the watcher process has no IPC channel: it must be spawned by a triggerer with stdio "ipc"',
      );
    }
    this.#port = port;
    port.on('message', (message: TriggererToWatcherProcess) => this.#receive(message, handlers));
    port.on('disconnect', () =>
      this.#close(new TidemarkError('supervisor_disconnected', 'the triggerer closed the IPC channel')),
    );
    this.#send({ type: 'ready' }, () => {});
  }

  /** The requester of one poll. */
  forPoll(pollId: number): PollRequester {
    return {
      request: (method, params) => this.#request(pollId, method, params),
      log: (level, message) => {
        if (!this.#closedBecause) this.#send({ type: 'log', pollId, level, message, ts: Date.now() }, () => {});
      },
    };
  }

  /** Sends the poll's `finished` message; resolves once it has left the process. */
  finish(message: WatcherFinishedMessage): Promise<void> {
    return new Promise((resolve, reject) => this.#send(message, (error) => (error ? reject(error) : resolve())));
  }

  #request<TMethod extends RequestMethod>(
    pollId: number,
    method: TMethod,
    params: RequestParams<TMethod>,
  ): Promise<JsonValue | undefined> {
    if (this.#closedBecause) return Promise.reject(this.#closedBecause);
    const id = this.#nextRequestId++;
    return new Promise((resolve, reject) => {
      this.#pending.set(id, { method, resolve, reject });
      this.#send({ type: 'request', id, pollId, method, params } as WatcherProcessToTriggerer, (error) => {
        if (!error) return;
        this.#pending.delete(id);
        reject(
          new TidemarkError('supervisor_disconnected', `cannot send "${method}" to the triggerer: ${error.message}`),
        );
      });
    });
  }

  #send(message: WatcherProcessToTriggerer, callback: (error: Error | null) => void): void {
    try {
      this.#port.send?.(message, callback);
    } catch (error) {
      callback(error instanceof Error ? error : new Error(String(error)));
    }
  }

  #receive(message: TriggererToWatcherProcess, handlers: TriggererChannelHandlers): void {
    if (message?.type === 'poll') handlers.onPoll(message.poll);
    else if (message?.type === 'check') handlers.onCheck(message.check);
    else if (message?.type === 'abort') handlers.onAbort(message.pollId, message.reason);
    else if (message?.type === 'ping') this.#send({ type: 'pong', id: message.id }, () => {});
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
