import { TidemarkError } from '@tidemark/core';
import { Backoff, sleep } from '../worker/backoff.ts';
import { isTransientApiError } from '../worker/execution-api-errors.ts';

export interface RetryUntilAnsweredOptions {
  /** Ends the retries: the operation then throws `poll_aborted`. */
  readonly signal: AbortSignal;
  readonly baseDelayMs?: number;
  readonly maxDelayMs?: number;
  /** Called before each wait after a transient failure. */
  readonly onRetry?: (error: unknown, delayMs: number) => void;
}

/**
 * Runs `operation` until the api-server answers it: while the server is unreachable or answers 5xx
 * (503 `database_unavailable` while its database restarts), it waits with backoff and tries again,
 * for as long as `signal` allows. A triggerer rides out an outage this way instead of exiting; the
 * lease deadline (which aborts the signal) bounds how long a poll waits.
 */
export async function retryUntilAnswered<T>(
  operation: () => Promise<T>,
  options: RetryUntilAnsweredOptions,
): Promise<T> {
  const backoff = new Backoff(options.baseDelayMs ?? 200, options.maxDelayMs ?? 5_000);
  for (;;) {
    if (options.signal.aborted) throw pollAborted(options.signal);
    try {
      return await operation();
    } catch (error) {
      if (!isTransientApiError(error)) throw error;
      if (options.signal.aborted) throw pollAborted(options.signal);
      const delayMs = backoff.next();
      options.onRetry?.(error, delayMs);
      await sleep(delayMs, options.signal);
    }
  }
}

function pollAborted(signal: AbortSignal): TidemarkError {
  const reason = signal.reason instanceof Error ? signal.reason.message : 'the poll was aborted';
  return new TidemarkError('poll_aborted', reason);
}
