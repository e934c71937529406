import type { StateHistoryOperation } from '@tidemark/core';
import type { DialectName } from '../dialect/database-url.ts';
import { type PreparedStatement, runPreparedInOrder } from '../dialect/prepared-query.ts';
import type { Db } from '../open-database.ts';
import { placeholdersOf, scopeParams, scopeShape } from './state-rows.ts';
import type { ScopeColumns, StateTarget } from './state-target.ts';

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
 * Records writes and drops what falls beyond `depth` versions of their keys (see trimsHistory).
 * Depth 0 records nothing. One write runs prepared statements (one round trip on PostgreSQL); many
 * (a clear's tombstones) a multi-row insert.
 */
export async function recordHistory(
  db: Db,
  dialect: DialectName,
  target: StateTarget,
  writes: readonly HistoryWrite[],
  depth: number,
): Promise<void> {
  const [only] = writes;
  if (writes.length === 1 && only) return runPreparedInOrder(db, dialect, historyStatements(target, only, depth));
  if (depth <= 0 || writes.length === 0) return;
  await db
    .insertInto('state_history')
    .values(writes.map((write) => historyRow(target, write)))
    .execute();
  for (const write of writes) {
    const [, drop] = historyStatements(target, write, depth);
    if (drop) await runPreparedInOrder(db, dialect, [drop]);
  }
}

/** The history record of one write, and the drop of what falls beyond `depth` (when anything can). */
export function historyStatements(target: StateTarget, write: HistoryWrite, depth: number): PreparedStatement[] {
  if (depth <= 0) return [];
  const row: Record<string, unknown> = historyRow(target, write);
  const insert: PreparedStatement = {
    shape: `history-insert:${Object.keys(row).join(',')}`,
    values: row,
    build: (db, param) => db.insertInto('state_history').values(placeholdersOf(row, param) as never),
  };
  if (!trimsHistory(write.version, depth)) return [insert];
  const scope: ScopeColumns = { ...target.historyFilter, ...mapIndexOf(write) };
  const drop: PreparedStatement = {
    shape: `history-drop:${scopeShape(scope)}`,
    values: { ...scope, key: write.key, below: write.version - depth },
    build: (db, param) =>
      db
        .deleteFrom('state_history')
        .where((eb) => eb.and(scopeParams(scope, param)))
        .where('key', '=', param('key'))
        .where('version', '<=', param('below')),
  };
  return [insert, drop];
}

/**
 * Whether the write of `version` also drops its key's versions beyond `depth`, so that history holds
 * exactly the configured depth after every write. (Trimming only every depth-th version saved a
 * delete on most writes, but kept up to twice the depth, and with it the offloaded objects those
 * rows name: see docs/decisions.md.)
 */
export function trimsHistory(version: number, depth: number): boolean {
  return depth > 0 && version > depth;
}

function historyRow(target: StateTarget, write: HistoryWrite) {
  return {
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
  };
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
