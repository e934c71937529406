import { parseStoredDag, type SerializedDag } from '@tidemark/core';
import type { Db } from '../open-database.ts';

export interface SchedulableDag {
  readonly dagId: string;
  readonly nextRunAt: number | null;
  readonly dag: SerializedDag;
}

/** Active, unpaused DAGs with a schedule whose next run is due (or not yet computed). */
export async function listDueScheduledDags(db: Db, now: number): Promise<SchedulableDag[]> {
  const rows = await db
    .selectFrom('dag')
    .select(['dag_id', 'next_run_at', 'serialized'])
    .where('is_active', '=', 1)
    .where('is_paused', '=', 0)
    .where('schedule', 'is not', null)
    .where('serialized', 'is not', null)
    .where((eb) => eb.or([eb('next_run_at', 'is', null), eb('next_run_at', '<=', now)]))
    .execute();
  return rows.map((row) => ({
    dagId: row.dag_id,
    nextRunAt: row.next_run_at,
    dag: parseStoredDag(row.serialized as string, row.dag_id),
  }));
}

/**
 * Moves the DAG's next run time on, only if no other scheduler moved it since it was read, so that
 * two schedulers never both create the same scheduled runs. Returns whether this caller won.
 */
export async function advanceNextRunAt(db: Db, dagId: string, expected: number | null, next: number): Promise<boolean> {
  const result = await db
    .updateTable('dag')
    .set({ next_run_at: next })
    .where('dag_id', '=', dagId)
    .where((eb) => (expected === null ? eb('next_run_at', 'is', null) : eb('next_run_at', '=', expected)))
    .executeTakeFirst();
  return Number(result.numUpdatedRows) > 0;
}
