import { createAssetTriggeredRun, listDagsWithQueuedEvents, type MetadataDatabase } from '@tidemark/db';
import type { Logger } from 'pino';

/**
 * SPEC §15.1: a run for every unpaused DAG whose asset condition holds over its queued events.
 * Each DAG is tried in its own transaction; another scheduler holding a DAG's lock makes this one
 * skip it, so the pair never creates two runs for one set of events.
 */
export async function createAssetTriggeredRuns(database: MetadataDatabase, now: number, log: Logger): Promise<number> {
  let created = 0;
  for (const dagId of await listDagsWithQueuedEvents(database.db)) {
    const run = await createAssetTriggeredRun(database, dagId, now);
    if (!run) continue;
    created++;
    log.info({ dag_id: dagId, run_id: run.runId }, 'asset-triggered run created');
  }
  return created;
}
