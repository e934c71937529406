import type { Logger } from 'pino';

/**
 * Stops the given services in order on SIGINT/SIGTERM, once; a second signal exits at once.
 * Resolves when they have stopped, so a command's action can `await` it and return.
 */
export function untilStopped(log: Logger, stops: readonly (() => Promise<unknown>)[]): Promise<void> {
  return new Promise((resolve) => {
    let stopping = false;
    const onSignal = (signal: NodeJS.Signals) => {
      if (stopping) {
        log.warn(`${signal} again: exiting now`);
        process.exit(130);
      }
      stopping = true;
      log.info(`${signal} received: stopping (send it again to exit at once)`);
      void (async () => {
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
      })();
    };
    process.on('SIGINT', onSignal);
    process.on('SIGTERM', onSignal);
  });
}
