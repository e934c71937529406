import { type StateScope, validateStateItemKey } from '@tidemark/core';
import { type ColumnType, type Generated, type Kysely, sql } from 'kysely';
import type { DialectName } from '../dialect/database-url.ts';
import { type Placeholder, type PreparedStatement, runPrepared } from '../dialect/prepared-query.ts';
import type { Db } from '../open-database.ts';
import { readTarget, type ScopeColumns, type StateTarget, taskTarget } from './state-target.ts';

// The state tables share these columns; queries address them through a StateTarget, so they are
// written against this common shape rather than against either table.
interface StateRowsSchema {
  state: {
    id: Generated<number>;
    key: string;
    value: string;
    version: number;
    updated_at: number;
    expires_at: number | null;
    updated_by: string | null;
    map_index: ColumnType<number, number | undefined, number>;
    dag_run_id: ColumnType<number, number | undefined, number>;
    task_id: ColumnType<string, string | undefined, string>;
    asset_id: ColumnType<number, number | undefined, number>;
    dag_id: ColumnType<string, string | undefined, string>;
    item_key: ColumnType<string | null, string | null | undefined, string | null>;
  };
}

export interface StoredStateRow {
  readonly id: number;
  readonly key: string;
  readonly value: string;
  readonly version: number;
  readonly updated_at: number;
  readonly expires_at: number | null;
  readonly updated_by: string | null;
}

export interface StateRowWrite {
  readonly value: string;
  readonly version: number;
  readonly updated_at: number;
  readonly expires_at: number | null;
  readonly updated_by: string | null;
}

const ROW_COLUMNS = ['id', 'key', 'value', 'version', 'updated_at', 'updated_by'] as const;

function rows(db: Db): Kysely<StateRowsSchema> {
  return db as unknown as Kysely<StateRowsSchema>;
}

function from(db: Db, target: StateTarget) {
  return rows(db).selectFrom(target.table as 'state');
}

const VERSION_COLUMNS = ['id', 'version'] as const;

/** The row's columns (or only `columns`), with `expires_at` as null for a table that has none. */
function selectRow<C extends (typeof ROW_COLUMNS)[number]>(
  db: Db,
  target: StateTarget,
  columns: readonly C[] = ROW_COLUMNS as unknown as readonly C[],
) {
  const query = from(db, target).select(columns);
  return target.expires ? query.select('expires_at') : query.select(sql<null>`null`.as('expires_at'));
}

export function isLive(row: Pick<StoredStateRow, 'expires_at'>, now: number): boolean {
  return row.expires_at === null || row.expires_at > now;
}

/** What a write that replaces or removes a key reads of its row: not the value it overwrites. */
export type StateRowVersion = Pick<StoredStateRow, 'id' | 'version' | 'expires_at'>;

/** The id, version and expiry of a key's row, expired or not, locked on PostgreSQL (as findStateRow). */
export function findStateRowVersion(
  db: Db,
  dialect: DialectName,
  target: StateTarget,
  key: string,
): Promise<StateRowVersion | undefined> {
  return findRow(db, dialect, target, key, true, VERSION_COLUMNS, 'state-row-version');
}

/** The stored row of a key, expired or not. `lock` takes a row lock on PostgreSQL (SQLite's
 *  IMMEDIATE transaction already excludes other writers). */
export function findStateRow(
  db: Db,
  dialect: DialectName,
  target: StateTarget,
  key: string,
  lock: boolean,
): Promise<StoredStateRow | undefined> {
  return findRow(db, dialect, target, key, lock, ROW_COLUMNS, 'state-row');
}

async function findRow<C extends (typeof ROW_COLUMNS)[number]>(
  db: Db,
  dialect: DialectName,
  target: StateTarget,
  key: string,
  lock: boolean,
  columns: readonly C[],
  name: string,
) {
  const locked = lock && dialect === 'postgres';
  const shape = `${name}:${target.table}:${scopeShape(target.filter)}:${target.expires}:${locked}`;
  const [row] = await runPrepared(db, dialect, shape, { ...target.filter, key }, (db, param) => {
    const query = selectRow(db, target, columns)
      .where((eb) => eb.and(scopeParams(target.filter, param)))
      .where('key', '=', param('key'));
    return locked ? query.forUpdate() : query;
  });
  return row;
}

/**
 * The stored row of a key of `scope`, expired or not, in one statement (so one round trip on
 * PostgreSQL): a task scope's run is looked up inside it, and no scope is checked to exist first,
 * as no row outlives its run, asset or DAG (their foreign keys cascade). Undefined when either is
 * missing.
 */
export async function readStateRow(
  db: Db,
  dialect: DialectName,
  scope: StateScope,
  key: string,
): Promise<StoredStateRow | undefined> {
  if (scope.kind !== 'task') return findStateRow(db, dialect, readTarget(scope), key, false);
  if (scope.itemKey !== undefined) validateStateItemKey(scope.itemKey);
  // The run's id comes from the subquery, not from the target.
  const target = taskTarget(0, scope);
  const { dag_run_id: _run, ...filter } = target.filter;
  const values = { ...filter, dagId: scope.dagId, runId: scope.runId, key };
  const shape = `state-row-of-run:${scopeShape(filter)}`;
  const [row] = await runPrepared<StoredStateRow>(db, dialect, shape, values, (db, param) =>
    selectRow(db, target)
      .where((eb) => eb.and(scopeParams(filter, param)))
      .where('key', '=', param('key'))
      .where(
        'dag_run_id',
        '=',
        sql<number>`(select id from dag_run where dag_id = ${param('dagId')} and run_id = ${param('runId')})`,
      ),
  );
  return row;
}

/** The insert of a key's first row (or its first since it was deleted). */
export function insertStateRowStatement(target: StateTarget, key: string, write: StateRowWrite): PreparedStatement {
  const columns: Record<string, unknown> = { ...target.insertColumns, key, ...write };
  if (!target.expires) delete columns.expires_at;
  return {
    shape: `state-insert:${target.table}:${Object.keys(columns).join(',')}`,
    values: columns,
    build: (db, param) =>
      rows(db)
        .insertInto(target.table as 'state')
        .values(placeholdersOf(columns, param) as never),
  };
}

/** The update of an existing row, by id. */
export function updateStateRowStatement(target: StateTarget, id: number, write: StateRowWrite): PreparedStatement {
  const { expires_at, ...rest } = write;
  const columns: Record<string, unknown> = { ...rest, ...(target.expires ? { expires_at } : {}) };
  return {
    shape: `state-update:${target.table}:${Object.keys(columns).join(',')}`,
    values: { ...columns, id },
    build: (db, param) =>
      rows(db)
        .updateTable(target.table as 'state')
        .set(placeholdersOf(columns, param))
        .where('id', '=', param('id')),
  };
}

/** Each column's placeholder, named after it. */
export function placeholdersOf(columns: Readonly<Record<string, unknown>>, param: Placeholder): Record<string, never> {
  return Object.fromEntries(Object.keys(columns).map((name) => [name, param(name)]));
}

/** What of a scope's columns changes the SQL text: which are filtered, and which are `IS NULL`. */
export function scopeShape(columns: ScopeColumns): string {
  return Object.entries(columns)
    .map(([name, value]) => (value === null ? `${name} null` : name))
    .join(',');
}

/** The scope's columns as placeholders named after them (a null stays null: `IS NULL`). */
export function scopeParams(columns: ScopeColumns, param: Placeholder): Record<string, unknown> {
  return Object.fromEntries(
    Object.entries(columns).map(([name, value]) => [name, value === null ? null : param(name)]),
  );
}

export async function deleteStateRows(db: Db, target: StateTarget, ids: readonly number[]): Promise<void> {
  if (ids.length === 0) return;
  await rows(db)
    .deleteFrom(target.table as 'state')
    .where('id', 'in', ids)
    .execute();
}

/** Every row of the scope, expired or not, with its map index and item key (for an all-map-indices clear). */
export async function selectScopeRows(
  db: Db,
  dialect: DialectName,
  target: StateTarget,
): Promise<(StoredStateRow & { map_index: number | null; item_key: string | null })[]> {
  const task = target.table === 'task_state';
  const query = selectRow(db, target)
    .select(task ? sql<number>`map_index`.as('map_index') : sql<null>`null`.as('map_index'))
    .select(task ? sql<string | null>`item_key`.as('item_key') : sql<null>`null`.as('item_key'))
    .where((eb) => eb.and(target.filter));
  return (dialect === 'postgres' ? query.forUpdate() : query).execute();
}

export interface LiveRowsQuery {
  readonly now: number;
  readonly prefix?: string;
  readonly limit?: number;
  readonly offset?: number;
}

function liveRows(db: Db, target: StateTarget, query: LiveRowsQuery) {
  let builder = from(db, target).where((eb) => eb.and(target.filter));
  if (target.expires) {
    builder = builder.where((eb) => eb.or([eb('expires_at', 'is', null), eb('expires_at', '>', query.now)]));
  }
  if (query.prefix) {
    builder = builder.where(sql<string>`substr(key, 1, ${[...query.prefix].length})`, '=', query.prefix);
  }
  return builder;
}

/** Live rows in code-point order of key (both dialects: SQLite's BINARY, PostgreSQL's "C"). */
export async function listLiveStateRows(
  db: Db,
  dialect: DialectName,
  target: StateTarget,
  query: LiveRowsQuery,
): Promise<StoredStateRow[]> {
  const order = dialect === 'postgres' ? sql`key collate "C"` : sql`key`;
  let builder = liveRows(db, target, query)
    .select(ROW_COLUMNS)
    .select(target.expires ? sql<number | null>`expires_at`.as('expires_at') : sql<null>`null`.as('expires_at'))
    .orderBy(order);
  if (query.limit !== undefined) builder = builder.limit(query.limit);
  if (query.offset) builder = builder.offset(query.offset);
  return builder.execute();
}

export async function countLiveStateRows(db: Db, target: StateTarget, query: LiveRowsQuery): Promise<number> {
  const row = await liveRows(db, target, query)
    .select((eb) => eb.fn.countAll<number>().as('count'))
    .executeTakeFirstOrThrow();
  return Number(row.count);
}
