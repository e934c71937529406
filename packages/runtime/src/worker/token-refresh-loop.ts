import type { AttemptApiClient } from './execution-api-client.ts';
import { isStaleAttemptError } from './execution-api-errors.ts';

export interface TokenRefreshLoopOptions {
  readonly api: AttemptApiClient;
  /** The server refused to refresh: the attempt is no longer running. The loop has stopped. */
  readonly onStale: (error: unknown) => void;
  /** Any other failure; the loop tries again soon, while the token is still valid. */
  readonly onError: (error: unknown) => void;
  readonly now?: () => number;
}

export interface TokenRefreshLoop {
  stop(): void;
}

const RETRY_AFTER_FAILURE_MS = 2_000;

/**
 * Refreshes the attempt token when a third of its lifetime is left, whether or not the attempt
 * calls the API in between (a heartbeat interval may be longer than a short token lifetime).
 */
export function startTokenRefreshLoop(options: TokenRefreshLoopOptions): TokenRefreshLoop {
  const now = options.now ?? Date.now;
  let timer: NodeJS.Timeout | undefined;
  let stopped = false;
  const schedule = (delayMs: number) => {
    if (!stopped) timer = setTimeout(() => void refresh(), Math.max(0, delayMs));
  };
  const refresh = async () => {
    try {
      await options.api.refreshToken();
      schedule(options.api.tokenRefreshDueAt - now());
    } catch (error) {
      if (stopped) return;
      if (isStaleAttemptError(error)) {
        stopped = true;
        options.onStale(error);
        return;
      }
      options.onError(error);
      schedule(RETRY_AFTER_FAILURE_MS);
    }
  };
  schedule(options.api.tokenRefreshDueAt - now());
  return {
    stop() {
      stopped = true;
      clearTimeout(timer);
    },
  };
}
