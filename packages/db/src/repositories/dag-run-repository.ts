import type { Db } from '../open-database.ts';

export type DagRunState = 'queued' | 'running' | 'success' | 'failed';
export type DagRunType = 'manual' | 'scheduled' | 'asset_triggered';

export interface NewDagRun {
  readonly dagId: string;
  readonly runId: string;
  readonly runType?: DagRunType;
  readonly conf?: Record<string, unknown>;
  readonly logicalDate?: number | null;
}

/** Creates a run in state `queued`; returns its surrogate id. */
export async function createDagRun(db: Db, run: NewDagRun, now = Date.now()): Promise<number> {
  const row = await db
    .insertInto('dag_run')
    .values({
      dag_id: run.dagId,
      run_id: run.runId,
      state: 'queued',
      run_type: run.runType ?? 'manual',
      conf: JSON.stringify(run.conf ?? {}),
      logical_date: run.logicalDate ?? null,
      data_interval_start: null,
      data_interval_end: null,
      queued_at: now,
      start_date: null,
      end_date: null,
      created_at: now,
      updated_at: now,
    })
    .returning('id')
    .executeTakeFirstOrThrow();
  return row.id;
}

/** Deletes a run; its TIs, XComs, task state and history go with it (ON DELETE CASCADE). */
export async function deleteDagRun(db: Db, dagId: string, runId: string): Promise<boolean> {
  const result = await db
    .deleteFrom('dag_run')
    .where('dag_id', '=', dagId)
    .where('run_id', '=', runId)
    .executeTakeFirst();
  return Number(result.numDeletedRows) > 0;
}
