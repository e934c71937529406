import { isTransientApiError } from './execution-api-errors.ts';

/** Waits `ms`, or less when the signal aborts first (it never throws). */
export function sleep(ms: number, signal?: AbortSignal): Promise<void> {
  if (signal?.aborted) return Promise.resolve();
  return new Promise((resolve) => {
    const done = () => {
      clearTimeout(timer);
      signal?.removeEventListener('abort', done);
      resolve();
    };
    const timer = setTimeout(done, ms);
    signal?.addEventListener('abort', done, { once: true });
  });
}

/** Exponential backoff with full jitter between half and all of the current delay. */
export class Backoff {
  readonly #baseMs: number;
  readonly #maxMs: number;
  #failures = 0;

  constructor(baseMs: number, maxMs: number) {
    this.#baseMs = baseMs;
    this.#maxMs = maxMs;
  }

  /** The delay before the next try, growing with each call since the last reset. */
  next(): number {
    const ceiling = Math.min(this.#maxMs, this.#baseMs * 2 ** this.#failures);
    this.#failures += 1;
    return Math.round(ceiling / 2 + (Math.random() * ceiling) / 2);
  }

  reset(): void {
    this.#failures = 0;
  }
}

export interface RetryTransientOptions {
  /** Stop retrying once this much time has passed since the first try. */
  readonly retryWindowMs: number;
  readonly baseDelayMs?: number;
  readonly maxDelayMs?: number;
  readonly onRetry?: (error: unknown, delayMs: number) => void;
}

/** Runs `operation`, trying again after transient execution-API errors while the window lasts. */
export async function retryTransient<T>(operation: () => Promise<T>, options: RetryTransientOptions): Promise<T> {
  const deadline = Date.now() + options.retryWindowMs;
  const backoff = new Backoff(options.baseDelayMs ?? 100, options.maxDelayMs ?? 5_000);
  for (;;) {
    try {
      return await operation();
    } catch (error) {
      const delay = backoff.next();
      if (!isTransientApiError(error) || Date.now() + delay > deadline) throw error;
      options.onRetry?.(error, delay);
      await sleep(delay);
    }
  }
}
