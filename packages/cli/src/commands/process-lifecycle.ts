import type { Logger } from 'pino';

type Stop = () => Promise<unknown>;

export interface StopSignals {
  /**
   * Stops the given services in order on the first SIGINT/SIGTERM (at once when one came while
   * they started), and resolves when they have stopped, so a command's action can `await` it.
   */
  untilStopped(stops: readonly Stop[]): Promise<void>;
}

/**
 * Handles SIGINT and SIGTERM from now on: call it before a command starts its services. Until
 * Node has a listener for a signal, the signal's default action ends the process, so a SIGTERM
 * that came while the services started, or just after they announced themselves, killed the
 * process instead of stopping it. A signal that comes before `untilStopped` is kept for it; a
 * second signal exits at once.
 */
export function listenForStopSignals(log: Logger): StopSignals {
  let received: NodeJS.Signals | undefined;
  let stopOnSignal: (() => void) | undefined;
  const onSignal = (signal: NodeJS.Signals) => {
    if (received) {
      log.warn(`${signal} again: exiting now`);
      process.exit(130);
    }
    received = signal;
    log.info(`${signal} received: stopping (send it again to exit at once)`);
    stopOnSignal?.();
  };
  process.on('SIGINT', onSignal);
  process.on('SIGTERM', onSignal);

  return {
    untilStopped: (stops) =>
      new Promise((resolve) => {
        const stopAll = async () => {
          for (const stop of stops) {
            try {
              await stop();
            } catch (error) {
              log.error({ err: error }, 'error while stopping');
            }
          }
          process.off('SIGINT', onSignal);
          process.off('SIGTERM', onSignal);
          resolve();
        };
        if (received) void stopAll();
        else stopOnSignal = () => void stopAll();
      }),
  };
}
