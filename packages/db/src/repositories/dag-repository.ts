import { parseStoredDag, type SerializedDag, serializeStoredDag } from '@tidemark/core';
import type { Db } from '../open-database.ts';
import { serializedDagHash } from './serialized-dag-hash.ts';

export interface DagRegistration {
  readonly dagId: string;
  readonly fileloc?: string;
  readonly schedule?: string | null;
  readonly description?: string | null;
}

/** Where an active DAG is defined: its file, relative to the DAGs folder. */
export interface DagLocation {
  readonly dagId: string;
  readonly fileloc: string;
}

/** The `dag` columns that store a DAG's structure: its text and that text's hash, always written together. */
export function storedDagColumns(dag: SerializedDag): { serialized: string; serialized_hash: string } {
  const serialized = serializeStoredDag(dag);
  return { serialized, serialized_hash: serializedDagHash(serialized) };
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

/**
 * Stores a DAG as the DAG processor parsed it and marks it active. A new DAG starts unpaused; an
 * existing one keeps its pause flag. When the schedule changed, the next run time is forgotten so
 * that the scheduler computes it again from the new schedule.
 */
export async function upsertSerializedDag(db: Db, dag: SerializedDag, now = Date.now()): Promise<void> {
  const existing = await db.selectFrom('dag').select('schedule').where('dag_id', '=', dag.dagId).executeTakeFirst();
  const changes = {
    fileloc: dag.fileloc,
    schedule: dag.schedule,
    description: dag.description,
    is_active: 1,
    ...storedDagColumns(dag),
    last_parsed_at: now,
    updated_at: now,
  };
  const scheduleChanged = existing !== undefined && existing.schedule !== dag.schedule;
  await db
    .insertInto('dag')
    .values({ dag_id: dag.dagId, ...changes, is_paused: 0, next_run_at: null, created_at: now })
    .onConflict((conflict) =>
      conflict.column('dag_id').doUpdateSet(scheduleChanged ? { ...changes, next_run_at: null } : changes),
    )
    .execute();
}

/** Every active DAG and its file, ordered by DAG id. */
export async function listActiveDagLocations(db: Db): Promise<DagLocation[]> {
  const rows = await db
    .selectFrom('dag')
    .select(['dag_id', 'fileloc'])
    .where('is_active', '=', 1)
    .orderBy('dag_id')
    .execute();
  return rows.map((row) => ({ dagId: row.dag_id, fileloc: row.fileloc }));
}

/** The structure of every active DAG that has been parsed, ordered by DAG id. */
export async function listActiveSerializedDags(db: Db): Promise<SerializedDag[]> {
  const rows = await db
    .selectFrom('dag')
    .select(['dag_id', 'serialized'])
    .where('is_active', '=', 1)
    .where('serialized', 'is not', null)
    .orderBy('dag_id')
    .execute();
  return rows.map((row) => parseStoredDag(row.serialized as string, row.dag_id));
}

/** The DAGs' files no longer define them: they stay in the database, with their runs, but inactive. */
export async function deactivateDags(db: Db, dagIds: readonly string[], now = Date.now()): Promise<void> {
  if (dagIds.length === 0) return;
  await db
    .updateTable('dag')
    .set({ is_active: 0, updated_at: now })
    .where('dag_id', 'in', [...dagIds])
    .execute();
}
