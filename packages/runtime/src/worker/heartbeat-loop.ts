import { isStaleAttemptError } from './execution-api-errors.ts';

export interface HeartbeatLoopOptions {
  readonly intervalMs: number;
  readonly beat: () => Promise<void>;
  /** The server answered `stale_attempt`: the TI moved on. The loop has stopped. */
  readonly onStale: (error: unknown) => void;
  /** Any other failure; the loop keeps beating. */
  readonly onError: (error: unknown) => void;
}

export interface HeartbeatLoop {
  stop(): void;
}

/**
 * Heartbeats on a timer of the worker's own event loop, so they go on while task code is busy in
 * its process. A beat is skipped while the previous one is still in flight.
 */
export function startHeartbeatLoop(options: HeartbeatLoopOptions): HeartbeatLoop {
  let stopped = false;
  let inFlight = false;
  const beatOnce = async () => {
    if (inFlight || stopped) return;
    inFlight = true;
    try {
      await options.beat();
    } catch (error) {
      if (stopped) return;
      if (isStaleAttemptError(error)) {
        stop();
        options.onStale(error);
      } else {
        options.onError(error);
      }
    } finally {
      inFlight = false;
    }
  };
  const timer = setInterval(() => void beatOnce(), options.intervalMs);
  const stop = () => {
    stopped = true;
    clearInterval(timer);
  };
  return { stop };
}
