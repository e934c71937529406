import type { Db } from '../open-database.ts';

export interface DagRegistration {
  readonly dagId: string;
  readonly fileloc?: string;
  readonly schedule?: string | null;
  readonly description?: string | null;
}

/** Records a DAG found by the DAG processor, or refreshes it; it becomes active again. */
export async function registerDag(db: Db, dag: DagRegistration, now = Date.now()): Promise<void> {
  await db
    .insertInto('dag')
    .values({
      dag_id: dag.dagId,
      fileloc: dag.fileloc ?? '',
      schedule: dag.schedule ?? null,
      description: dag.description ?? null,
      is_active: 1,
      last_parsed_at: now,
      created_at: now,
      updated_at: now,
    })
    .onConflict((conflict) =>
      conflict.column('dag_id').doUpdateSet({
        fileloc: dag.fileloc ?? '',
        schedule: dag.schedule ?? null,
        description: dag.description ?? null,
        is_active: 1,
        last_parsed_at: now,
        updated_at: now,
      }),
    )
    .execute();
}
