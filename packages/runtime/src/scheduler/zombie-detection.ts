import { isTidemarkError } from '@tidemark/core';
import { findZombies, type MetadataDatabase, recordAttemptFailure } from '@tidemark/db';
import type { Logger } from 'pino';

/**
 * A running TI whose heartbeat is older than the timeout lost its worker (killed, partitioned,
 * machine gone). Its attempt fails like any other, so the retry policy decides what comes next.
 */
export async function failZombies(
  database: MetadataDatabase,
  now: number,
  heartbeatTimeoutMs: number,
  log: Logger,
): Promise<number> {
  const zombies = await findZombies(database.db, now - heartbeatTimeoutMs);
  let failed = 0;
  for (const zombie of zombies) {
    const silentFor = zombie.heartbeat_at === null ? 'ever' : `${Math.round((now - zombie.heartbeat_at) / 1000)}s`;
    try {
      const outcome = await recordAttemptFailure(database, {
        tiId: zombie.id,
        tryNumber: zombie.try_number,
        error: `zombie: no heartbeat for ${silentFor} (the worker is gone)`,
        retryable: true,
        now,
      });
      failed++;
      log.warn({ ti_id: zombie.id, try_number: zombie.try_number, state: outcome.state }, 'zombie task instance');
    } catch (error) {
      // Another scheduler, or the worker's own finish, got there first.
      if (!isTidemarkError(error) || error.code !== 'stale_attempt') throw error;
    }
  }
  return failed;
}
