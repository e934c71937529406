import type { Db } from '../open-database.ts';
import { dagRunStateAllows } from './transition-guards.ts';

/**
 * Every write of a DAG run's state, one named function per transition of core's
 * `DAG_RUN_TRANSITIONS`, each guarded by it: a run that is not in one of the transition's
 * from-states is left as it is. Nothing outside this folder writes `dag_run.state`.
 */

/** The scheduler's first pass over a queued run. */
export async function markDagRunRunning(db: Db, dagRunId: number, now: number): Promise<void> {
  await db
    .updateTable('dag_run')
    .set({ state: 'running', start_date: now, updated_at: now })
    .where('id', '=', dagRunId)
    .where(dagRunStateAllows('running', 'scheduler'))
    .execute();
}

/** Every TI of the running run finished: the scheduler settles it. */
export async function markDagRunFinished(
  db: Db,
  dagRunId: number,
  state: 'success' | 'failed',
  now: number,
): Promise<void> {
  await db
    .updateTable('dag_run')
    .set({ state, end_date: now, updated_at: now })
    .where('id', '=', dagRunId)
    .where(dagRunStateAllows(state, 'scheduler'))
    .execute();
}

/** An operator cleared or marked a TI: its finished runs go back to `queued`; returns their ids. */
export async function requeueFinishedRuns(db: Db, dagRunIds: readonly number[], now: number): Promise<number[]> {
  if (dagRunIds.length === 0) return [];
  const rows = await db
    .updateTable('dag_run')
    .set({ state: 'queued', end_date: null, queued_at: now, updated_at: now })
    .where('id', 'in', [...dagRunIds])
    .where(dagRunStateAllows('queued', 'operator'))
    .returning('id')
    .execute();
  return rows.map((row) => row.id).sort((a, b) => a - b);
}
