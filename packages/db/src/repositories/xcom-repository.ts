import type { JsonValue } from '@tidemark/core';
import type { Db } from '../open-database.ts';

/**
 * XComs (SPEC §10): values passed between tasks, one row per (run, task, map index, key). They
 * belong to a try: the claim of a new try wipes them (`claimNextAttempt`). Values arrive here as
 * JSON text already checked against the value rules and size limit (`encodeStateValue`).
 */
export interface XcomWrite {
  readonly dagRunId: number;
  readonly dagId: string;
  readonly runId: string;
  readonly taskId: string;
  readonly mapIndex: number;
  readonly key: string;
  /** JSON text. */
  readonly value: string;
  readonly now: number;
}

export interface XcomAddress {
  readonly dagRunId: number;
  readonly taskId: string;
  readonly mapIndex: number;
  readonly key: string;
}

/** Stores an XCom, replacing the one under the same address. */
export async function setXcom(db: Db, xcom: XcomWrite): Promise<void> {
  await db
    .insertInto('xcom')
    .values({
      dag_run_id: xcom.dagRunId,
      dag_id: xcom.dagId,
      run_id: xcom.runId,
      task_id: xcom.taskId,
      map_index: xcom.mapIndex,
      key: xcom.key,
      value: xcom.value,
      created_at: xcom.now,
    })
    .onConflict((conflict) =>
      conflict
        .columns(['dag_run_id', 'task_id', 'map_index', 'key'])
        .doUpdateSet({ value: xcom.value, created_at: xcom.now }),
    )
    .execute();
}

/** The parsed value, or `undefined` when there is none. */
export async function getXcom(db: Db, address: XcomAddress): Promise<JsonValue | undefined> {
  const row = await db
    .selectFrom('xcom')
    .select('value')
    .where('dag_run_id', '=', address.dagRunId)
    .where('task_id', '=', address.taskId)
    .where('map_index', '=', address.mapIndex)
    .where('key', '=', address.key)
    .executeTakeFirst();
  return row ? (JSON.parse(row.value) as JsonValue) : undefined;
}

/** Every map index's value of a mapped task, in map-index order (indices without a value are left out). */
export async function getMappedXcoms(db: Db, address: Omit<XcomAddress, 'mapIndex'>): Promise<JsonValue[]> {
  const rows = await db
    .selectFrom('xcom')
    .select('value')
    .where('dag_run_id', '=', address.dagRunId)
    .where('task_id', '=', address.taskId)
    .where('map_index', '>=', 0)
    .where('key', '=', address.key)
    .orderBy('map_index')
    .execute();
  return rows.map((row) => JSON.parse(row.value) as JsonValue);
}

/** TIs per DELETE of clearXcomsOfMany: keeps its OR well inside SQLite's expression depth (1,000). */
const XCOM_CLEAR_CHUNK = 64;

/** The set-based form of clearXcoms for a batch claim: the XComs of up to 64 TIs go in one DELETE. */
export async function clearXcomsOfMany(
  db: Db,
  tis: readonly { readonly dagRunId: number; readonly taskId: string; readonly mapIndex: number }[],
): Promise<void> {
  for (let start = 0; start < tis.length; start += XCOM_CLEAR_CHUNK) {
    await clearXcomsOfChunk(db, tis.slice(start, start + XCOM_CLEAR_CHUNK));
  }
}

async function clearXcomsOfChunk(
  db: Db,
  tis: readonly { readonly dagRunId: number; readonly taskId: string; readonly mapIndex: number }[],
): Promise<void> {
  await db
    .deleteFrom('xcom')
    .where((eb) =>
      eb.or(
        tis.map((ti) =>
          eb.and([
            eb('dag_run_id', '=', ti.dagRunId),
            eb('task_id', '=', ti.taskId),
            eb('map_index', '=', ti.mapIndex),
          ]),
        ),
      ),
    )
    .execute();
}

/** Deletes every XCom of one TI (all keys); returns how many went. */
export async function clearXcoms(
  db: Db,
  ti: { readonly dagRunId: number; readonly taskId: string; readonly mapIndex: number },
): Promise<number> {
  const result = await db
    .deleteFrom('xcom')
    .where('dag_run_id', '=', ti.dagRunId)
    .where('task_id', '=', ti.taskId)
    .where('map_index', '=', ti.mapIndex)
    .executeTakeFirst();
  return Number(result.numDeletedRows);
}
