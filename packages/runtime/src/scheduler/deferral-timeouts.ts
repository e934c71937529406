import { formatDurationMs } from '@tidemark/core';
import { deleteStaleDeferrals, failTimedOutDeferrals, type MetadataDatabase } from '@tidemark/db';
import type { Logger } from 'pino';

/** How often the scheduler looks for deferrals nothing will fire or consume any more. */
const STALE_SWEEP_INTERVAL_MS = 60_000;

/**
 * SPEC §16: a deferred try whose wait has not fired by its timeout fails like any other attempt, so
 * its retry policy decides what comes next. Deferrals left behind by a TI that moved on (its task
 * left the DAG) are swept now and then.
 */
export class DeferralTimeouts {
  #lastSweep = Number.NEGATIVE_INFINITY;

  async run(database: MetadataDatabase, now: number, log: Logger): Promise<number> {
    const timedOut = await failTimedOutDeferrals(database, now);
    for (const deferral of timedOut) {
      log.warn(
        {
          ti_id: deferral.tiId,
          try_number: deferral.tryNumber,
          state: deferral.outcome.state,
          waited: formatDurationMs(deferral.waitedMs),
        },
        'deferred task instance timed out waiting',
      );
    }
    if (now - this.#lastSweep >= STALE_SWEEP_INTERVAL_MS) {
      this.#lastSweep = now;
      const swept = await deleteStaleDeferrals(database);
      if (swept > 0) log.info({ swept }, 'deleted deferrals whose task instance moved on');
    }
    return timedOut.length;
  }
}
