import type { LogLine } from '@tidemark/core';
import { isStaleAttemptError, isTransientApiError } from './execution-api-errors.ts';

export interface LogShipperOptions {
  readonly send: (lines: readonly LogLine[]) => Promise<void>;
  /** A buffered line waits at most this long. Default 250 ms. */
  readonly flushIntervalMs?: number;
  /** Send at once when this many lines are buffered. Default 200. */
  readonly flushAtLines?: number;
  /** A failed send that will not be retried (its lines are dropped). */
  readonly onError?: (error: unknown, droppedLines: number) => void;
}

/** Longer messages are cut: a batch must stay under the api-server's body limit. */
export const MAX_LOG_MESSAGE_CHARS = 8_000;
const MAX_BATCH_LINES = 1_000;
const MAX_BATCH_CHARS = 256_000;
/** While the api-server is unreachable, keep at most this many lines; older ones are dropped. */
const MAX_BUFFERED_LINES = 20_000;

/**
 * Ships an attempt's log lines to the execution API in batches (every 250 ms or 200 lines), one
 * request at a time and in order. Lines a transient failure kept back go with the next flush.
 */
export class LogShipper {
  readonly #options: LogShipperOptions;
  readonly #flushIntervalMs: number;
  readonly #flushAtLines: number;
  #buffer: LogLine[] = [];
  #timer: NodeJS.Timeout | undefined;
  #sending: Promise<void> = Promise.resolve();
  #droppedLines = 0;
  /** Set after a stale_attempt answer: the server refuses this attempt's lines from now on. */
  #refused = false;

  constructor(options: LogShipperOptions) {
    this.#options = options;
    this.#flushIntervalMs = options.flushIntervalMs ?? 250;
    this.#flushAtLines = options.flushAtLines ?? 200;
  }

  push(line: LogLine): void {
    if (this.#refused) return;
    this.#buffer.push(truncateMessage(line));
    this.#dropOverflow();
    if (this.#buffer.length >= this.#flushAtLines) void this.flush();
    else this.#timer ??= setTimeout(() => void this.flush(), this.#flushIntervalMs);
  }

  /** Sends everything buffered so far; resolves when it was sent (or kept back after a transient failure). */
  flush(): Promise<void> {
    this.#clearTimer();
    this.#sending = this.#sending.then(() => this.#sendBuffered());
    return this.#sending;
  }

  async #sendBuffered(): Promise<void> {
    while (this.#buffer.length > 0 && !this.#refused) {
      const batch = this.#takeBatch();
      try {
        await this.#options.send(batch);
      } catch (error) {
        if (isTransientApiError(error)) {
          this.#buffer.unshift(...batch);
          this.#timer ??= setTimeout(() => void this.flush(), this.#flushIntervalMs * 4);
          return;
        }
        if (isStaleAttemptError(error)) this.#refuse();
        this.#options.onError?.(error, batch.length);
      }
    }
  }

  #takeBatch(): LogLine[] {
    const batch = this.#droppedLines > 0 ? [droppedLinesNotice(this.#droppedLines)] : [];
    this.#droppedLines = 0;
    let chars = 0;
    while (this.#buffer.length > 0 && batch.length < MAX_BATCH_LINES) {
      const next = this.#buffer[0] as LogLine;
      if (batch.length > 0 && chars + next.message.length > MAX_BATCH_CHARS) break;
      chars += next.message.length;
      batch.push(next);
      this.#buffer.shift();
    }
    return batch;
  }

  #dropOverflow(): void {
    const overflow = this.#buffer.length - MAX_BUFFERED_LINES;
    if (overflow <= 0) return;
    this.#buffer.splice(0, overflow);
    this.#droppedLines += overflow;
  }

  #refuse(): void {
    this.#refused = true;
    this.#buffer = [];
    this.#clearTimer();
  }

  #clearTimer(): void {
    clearTimeout(this.#timer);
    this.#timer = undefined;
  }
}

function truncateMessage(line: LogLine): LogLine {
  if (line.message.length <= MAX_LOG_MESSAGE_CHARS) return line;
  const cut = line.message.length - MAX_LOG_MESSAGE_CHARS;
  return { ...line, message: `${line.message.slice(0, MAX_LOG_MESSAGE_CHARS)}… (${cut} more characters cut)` };
}

function droppedLinesNotice(count: number): LogLine {
  return {
    ts: Date.now(),
    level: 'warn',
    source: 'supervisor',
    message: `${count} log lines were dropped while the execution API could not be reached`,
  };
}
