import type { Db } from '../open-database.ts';

/**
 * Pauses or unpauses a DAG; returns false when the DAG is unknown. A paused DAG gets no new
 * scheduled runs (`listDueScheduledDags` skips it) while its running runs carry on; runs can still
 * be triggered by hand.
 *
 * `next_run_at` is left alone on purpose: on unpause the scheduler finds it in the past and
 * `dueRuns` creates what the DAG's policy asks for — the latest missed run without catchup, every
 * missed run with catchup (as Airflow does). Clearing it would make a catchup DAG start again from
 * its start date.
 */
export async function setDagPaused(db: Db, dagId: string, paused: boolean, now = Date.now()): Promise<boolean> {
  const result = await db
    .updateTable('dag')
    .set({ is_paused: paused ? 1 : 0, updated_at: now })
    .where('dag_id', '=', dagId)
    .executeTakeFirst();
  return Number(result.numUpdatedRows) > 0;
}
