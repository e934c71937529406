import type { StateHistoryOperation } from '@tidemark/core';
import type { Db } from '../open-database.ts';
import type { StateTarget } from './state-target.ts';

export interface HistoryWrite {
  readonly key: string;
  readonly version: number;
  readonly operation: StateHistoryOperation;
  readonly value: string | null;
  readonly writtenAt: number;
  readonly writtenBy: string | null;
  /** Only when the target spans every map index of a task (an operator's clear): the row's own. */
  readonly mapIndex?: number;
  readonly itemKey?: string | null;
}

function historyOf(db: Db, target: StateTarget, key: string) {
  return db
    .selectFrom('state_history')
    .where((eb) => eb.and(target.historyFilter))
    .where('key', '=', key);
}

/** The highest version a key has had, from its history; 0 when it has none. New rows continue from
 *  it so that a deleted and re-created key never repeats a version a CAS client may hold. */
export async function lastHistoryVersion(db: Db, target: StateTarget, key: string): Promise<number> {
  const row = await historyOf(db, target, key)
    .select((eb) => eb.fn.max('version').as('version'))
    .executeTakeFirst();
  return Number(row?.version ?? 0);
}

/**
 * Records one write and drops what falls beyond `depth` versions of the key, so that history holds
 * exactly the configured depth after every write. Depth 0 records nothing.
 */
export async function recordHistory(
  db: Db,
  target: StateTarget,
  writes: readonly HistoryWrite[],
  depth: number,
): Promise<void> {
  if (depth <= 0 || writes.length === 0) return;
  await db
    .insertInto('state_history')
    .values(
      writes.map((write) => ({
        dag_run_id: null,
        task_id: null,
        map_index: null,
        asset_id: null,
        dag_id: null,
        item_key: null,
        ...target.historyFilter,
        ...mapIndexOf(write),
        key: write.key,
        version: write.version,
        operation: write.operation,
        value: write.value,
        written_at: write.writtenAt,
        written_by: write.writtenBy,
      })),
    )
    .execute();
  for (const write of writes) {
    if (write.version <= depth) continue; // nothing of this key can be beyond the depth yet
    await db
      .deleteFrom('state_history')
      .where((eb) => eb.and({ ...target.historyFilter, ...mapIndexOf(write) }))
      .where('key', '=', write.key)
      .where('version', '<=', write.version - depth)
      .execute();
  }
}

function mapIndexOf(write: HistoryWrite): { map_index?: number; item_key?: string | null } {
  return write.mapIndex === undefined ? {} : { map_index: write.mapIndex, item_key: write.itemKey ?? null };
}

export async function readHistory(db: Db, target: StateTarget, key: string, limit: number) {
  return historyOf(db, target, key)
    .select(['version', 'operation', 'value', 'written_at', 'written_by'])
    .orderBy('version', 'desc')
    .limit(limit)
    .execute();
}
