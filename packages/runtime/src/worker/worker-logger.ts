import { type Logger, pino } from 'pino';

/** The worker's logger when none is given: pino at `info`, one child per component. */
export function createWorkerLogger(level: string = 'info'): Logger {
  return pino({ level, base: { component: 'worker' } });
}

export function createSilentLogger(): Logger {
  return pino({ level: 'silent' });
}
