import { type Kysely, sql } from 'kysely';
import { notNull, type TidemarkMigration } from './migration.ts';

/**
 * Issue 18: a state write records one `state_history` row, and on SQLite every database page it
 * touches is a 4 KiB frame appended to the WAL at COMMIT. Two of a task write's five frames were
 * bookkeeping:
 *
 * * AUTOINCREMENT: each insert also rewrote the table's `sqlite_sequence` row. History ids are
 *   never shown nor kept after their row is gone, so a plain rowid primary key serves (an id can
 *   only be reused after the newest row was deleted). SQLite can't drop AUTOINCREMENT in place: the
 *   table is rebuilt, rows and ids kept.
 * * The per-scope indexes held an entry for every row, NULL for the other scopes' rows: the asset
 *   index grew with each task write. Each index now holds only its own scope's rows, on both
 *   dialects; every history query names its scope's columns, so it still finds its index.
 */
export const leanStateHistorySchema: TidemarkMigration = {
  name: '0009_lean_state_history',
  async up(db, dialect) {
    if (dialect === 'sqlite') await rebuildStateHistoryWithoutAutoincrement(db);
    else await dropStateHistoryIndexes(db);
    await createPartialStateHistoryIndexes(db);
  },
};

// biome-ignore lint/suspicious/noExplicitAny: migrations describe tables that the typed schema does not know yet
type AnyDb = Kysely<any>;

const STATE_HISTORY_COLUMNS = [
  'id',
  'dag_run_id',
  'task_id',
  'map_index',
  'asset_id',
  'key',
  'version',
  'operation',
  'value',
  'written_at',
  'written_by',
  'dag_id',
  'item_key',
];

/** Exactly one scope per history row: an asset, a task instance (or one item of a task), or a DAG (as 0006). */
const ONE_SCOPE = sql`(
  (asset_id is not null and dag_run_id is null and task_id is null and map_index is null and dag_id is null and item_key is null)
  or (dag_run_id is not null and task_id is not null and map_index is not null and asset_id is null and dag_id is null)
  or (dag_id is not null and dag_run_id is null and task_id is null and map_index is null and asset_id is null and item_key is null))`;

const HISTORY_INDEXES = [
  'state_history_task_key_idx',
  'state_history_asset_key_idx',
  'state_history_item_key_idx',
  'state_history_dag_key_idx',
];

async function rebuildStateHistoryWithoutAutoincrement(db: AnyDb): Promise<void> {
  await db.schema
    .createTable('state_history_rebuilt')
    .addColumn('id', 'integer', (c) => c.primaryKey())
    .addColumn('dag_run_id', 'bigint', (c) => c.references('dag_run.id').onDelete('cascade'))
    .addColumn('task_id', 'text')
    .addColumn('map_index', 'integer')
    .addColumn('asset_id', 'bigint', (c) => c.references('asset.id').onDelete('cascade'))
    .addColumn('key', 'text', notNull)
    .addColumn('version', 'integer', notNull)
    .addColumn('operation', 'text', notNull)
    .addColumn('value', 'text')
    .addColumn('written_at', 'bigint', notNull)
    .addColumn('written_by', 'text')
    .addColumn('dag_id', 'text', (c) => c.references('dag.dag_id').onDelete('cascade'))
    .addColumn('item_key', 'text')
    .addCheckConstraint('state_history_one_scope', ONE_SCOPE)
    .execute();
  const columns = sql.join(STATE_HISTORY_COLUMNS.map((column) => sql.ref(column)));
  await sql`insert into state_history_rebuilt (${columns}) select ${columns} from state_history`.execute(db);
  await db.schema.dropTable('state_history').execute();
  await db.schema.alterTable('state_history_rebuilt').renameTo('state_history').execute();
}

async function dropStateHistoryIndexes(db: AnyDb): Promise<void> {
  for (const index of HISTORY_INDEXES) await db.schema.dropIndex(index).execute();
}

async function createPartialStateHistoryIndexes(db: AnyDb): Promise<void> {
  await db.schema
    .createIndex('state_history_task_key_idx')
    .on('state_history')
    .columns(['dag_run_id', 'task_id', 'map_index', 'key', 'version'])
    .where(sql.ref('dag_run_id'), 'is not', null)
    .execute();
  await db.schema
    .createIndex('state_history_item_key_idx')
    .on('state_history')
    .columns(['dag_run_id', 'task_id', 'item_key', 'key', 'version'])
    .where(sql.ref('item_key'), 'is not', null)
    .execute();
  await db.schema
    .createIndex('state_history_asset_key_idx')
    .on('state_history')
    .columns(['asset_id', 'key', 'version'])
    .where(sql.ref('asset_id'), 'is not', null)
    .execute();
  await db.schema
    .createIndex('state_history_dag_key_idx')
    .on('state_history')
    .columns(['dag_id', 'key', 'version'])
    .where(sql.ref('dag_id'), 'is not', null)
    .execute();
}
