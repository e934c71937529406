import { isTidemarkError } from '@tidemark/core';
import {
  advanceNextRunAt,
  createRunWithTaskInstances,
  listDueScheduledDags,
  type MetadataDatabase,
} from '@tidemark/db';
import type { Logger } from 'pino';
import { dueRuns } from './cron-schedule.ts';

/**
 * Creates the runs that cron schedules make due. The DAG's `next_run_at` is claimed first with a
 * compare-and-set, so with several schedulers exactly one creates them; run ids are unique too.
 */
export async function createDueScheduledRuns(database: MetadataDatabase, now: number, log: Logger): Promise<number> {
  let created = 0;
  for (const { dagId, nextRunAt, dag } of await listDueScheduledDags(database.db, now)) {
    if (!dag.schedule) continue;
    let due: ReturnType<typeof dueRuns>;
    try {
      due = dueRuns({ schedule: dag.schedule, startDate: dag.startDate, catchup: dag.catchup }, nextRunAt, now);
    } catch (error) {
      log.error({ dag_id: dagId, err: error }, 'cannot schedule DAG');
      continue;
    }
    if (!(await advanceNextRunAt(database.db, dagId, nextRunAt, due.nextRunAt))) continue;
    for (const fireTime of due.fireTimes) {
      const runId = `scheduled__${new Date(fireTime).toISOString()}`;
      try {
        await createRunWithTaskInstances(
          database,
          { dagId, runId, runType: 'scheduled', logicalDate: fireTime, conf: {} },
          now,
        );
        created++;
        log.info({ dag_id: dagId, run_id: runId }, 'scheduled run created');
      } catch (error) {
        if (!isTidemarkError(error) || error.code !== 'dag_run_exists') throw error;
      }
    }
  }
  return created;
}
