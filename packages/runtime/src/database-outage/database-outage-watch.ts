import { describeDatabaseOutage, isDatabaseOutage } from '@tidemark/db';
import type { Logger } from 'pino';

/**
 * Follows a loop through a database outage: says once when the database became unreachable and
 * once when it is back, instead of one error per turn, and remembers when it came back (workers
 * could not heartbeat meanwhile, so the scheduler waits before judging zombies).
 */
export class DatabaseOutageWatch {
  readonly #log: Logger;
  readonly #loop: string;
  readonly #now: () => number;
  #since: number | undefined;
  #recoveredAt = Number.NEGATIVE_INFINITY;

  /** `loop` names the loop in the log lines ("scheduler", "state garbage collection"). */
  constructor(log: Logger, loop: string, now: () => number) {
    this.#log = log;
    this.#loop = loop;
    this.#now = now;
  }

  /** True while the last turn failed on an outage. */
  get inOutage(): boolean {
    return this.#since !== undefined;
  }

  /** Epoch ms when the database was last seen back after an outage (-Infinity: never out). */
  get recoveredAt(): number {
    return this.#recoveredAt;
  }

  /** A turn failed: true when `error` is an outage (logged when the outage starts), false for anything else. */
  failed(error: unknown): boolean {
    if (!isDatabaseOutage(error)) return false;
    if (this.#since === undefined) {
      this.#since = this.#now();
      this.#log.warn(
        { reason: describeDatabaseOutage(error) },
        `${this.#loop}: the database is unreachable; trying again every turn until it is back`,
      );
    }
    return true;
  }

  /** A turn reached the database. */
  succeeded(): void {
    if (this.#since === undefined) return;
    const seconds = ((this.#now() - this.#since) / 1000).toFixed(1);
    this.#since = undefined;
    this.#recoveredAt = this.#now();
    this.#log.info(`${this.#loop}: the database is back (unreachable for about ${seconds} s)`);
  }
}
