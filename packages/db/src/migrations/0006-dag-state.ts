import { type Kysely, sql } from 'kysely';
import { addIdColumn, notNull, type TidemarkMigration } from './migration.ts';

/**
 * SPEC §17, two more state scopes:
 *
 * * DAG state: `dag_state`, one row per key of a DAG, gone with the DAG (cascade). It expires only
 *   when written with a retention, so it keeps `expires_at` and its own expiry index.
 * * Item-keyed mapped state: `task_state.item_key`. A row with an item key belongs to
 *   `(dag_run_id, task_id, item_key)` whatever the map index (its `map_index` is -1); a row
 *   without one to `(dag_run_id, task_id, map_index)` as before. One unique index per kind
 *   replaces the old four-column unique constraint. `task_instance.state_item_key` records the
 *   item key a TI last used, so that clearing the TI discards that item's state.
 *
 * `state_history` gains `dag_id` and `item_key`, and its one-scope check a third scope. SQLite can
 * change neither a table's constraints nor its checks, so there both tables are rebuilt (rows and
 * ids kept); PostgreSQL alters them in place.
 */
export const dagStateSchema: TidemarkMigration = {
  name: '0006_dag_state',
  async up(db, dialect) {
    await addIdColumn(db.schema.createTable('dag_state'), dialect)
      .addColumn('dag_id', 'text', (c) => c.notNull().references('dag.dag_id').onDelete('cascade'))
      .addColumn('key', 'text', notNull)
      .addColumn('value', 'text', notNull)
      .addColumn('version', 'integer', notNull)
      .addColumn('updated_at', 'bigint', notNull)
      .addColumn('expires_at', 'bigint')
      .addColumn('updated_by', 'text')
      .addUniqueConstraint('dag_state_scope_key', ['dag_id', 'key'])
      .execute();
    await db.schema
      .createIndex('dag_state_expires_at_id_idx')
      .on('dag_state')
      .columns(['expires_at', 'id'])
      .where(sql.ref('expires_at'), 'is not', null)
      .execute();

    await db.schema.alterTable('task_instance').addColumn('state_item_key', 'text').execute();

    if (dialect === 'sqlite') {
      await rebuildTaskStateOnSqlite(db);
      await rebuildStateHistoryOnSqlite(db);
    } else {
      await alterTaskStateOnPostgres(db);
      await alterStateHistoryOnPostgres(db);
    }
    await createTaskStateIndexes(db);
    await createStateHistoryIndexes(db);
  },
};

// biome-ignore lint/suspicious/noExplicitAny: migrations describe tables that the typed schema does not know yet
type AnyDb = Kysely<any>;

const TASK_STATE_COLUMNS = [
  'id',
  'dag_run_id',
  'dag_id',
  'run_id',
  'task_id',
  'map_index',
  'key',
  'value',
  'version',
  'updated_at',
  'expires_at',
  'updated_by',
];

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
];

/** Exactly one scope per history row: an asset, a task instance (or one item of a task), or a DAG. */
const ONE_SCOPE = sql`(
  (asset_id is not null and dag_run_id is null and task_id is null and map_index is null and dag_id is null and item_key is null)
  or (dag_run_id is not null and task_id is not null and map_index is not null and asset_id is null and dag_id is null)
  or (dag_id is not null and dag_run_id is null and task_id is null and map_index is null and asset_id is null and item_key is null))`;

async function rebuildTaskStateOnSqlite(db: AnyDb): Promise<void> {
  await addIdColumn(db.schema.createTable('task_state_rebuilt'), 'sqlite')
    .addColumn('dag_run_id', 'bigint', (c) => c.notNull().references('dag_run.id').onDelete('cascade'))
    .addColumn('dag_id', 'text', notNull)
    .addColumn('run_id', 'text', notNull)
    .addColumn('task_id', 'text', notNull)
    .addColumn('map_index', 'integer', (c) => c.notNull().defaultTo(-1))
    .addColumn('key', 'text', notNull)
    .addColumn('value', 'text', notNull)
    .addColumn('version', 'integer', notNull)
    .addColumn('updated_at', 'bigint', notNull)
    .addColumn('expires_at', 'bigint')
    .addColumn('updated_by', 'text')
    .addColumn('item_key', 'text')
    .execute();
  await copyRows(db, 'task_state', 'task_state_rebuilt', TASK_STATE_COLUMNS);
  await db.schema.dropTable('task_state').execute();
  await db.schema.alterTable('task_state_rebuilt').renameTo('task_state').execute();
  await db.schema
    .createIndex('task_state_expires_at_id_idx')
    .on('task_state')
    .columns(['expires_at', 'id'])
    .where(sql.ref('expires_at'), 'is not', null)
    .execute();
}

async function rebuildStateHistoryOnSqlite(db: AnyDb): Promise<void> {
  await addIdColumn(db.schema.createTable('state_history_rebuilt'), 'sqlite')
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
  await copyRows(db, 'state_history', 'state_history_rebuilt', STATE_HISTORY_COLUMNS);
  await db.schema.dropTable('state_history').execute();
  await db.schema.alterTable('state_history_rebuilt').renameTo('state_history').execute();
  await db.schema
    .createIndex('state_history_task_key_idx')
    .on('state_history')
    .columns(['dag_run_id', 'task_id', 'map_index', 'key', 'version'])
    .execute();
  await db.schema
    .createIndex('state_history_asset_key_idx')
    .on('state_history')
    .columns(['asset_id', 'key', 'version'])
    .execute();
}

async function copyRows(db: AnyDb, from: string, to: string, columns: readonly string[]): Promise<void> {
  const list = sql.join(columns.map((column) => sql.ref(column)));
  await sql`insert into ${sql.table(to)} (${list}) select ${list} from ${sql.table(from)}`.execute(db);
}

async function alterTaskStateOnPostgres(db: AnyDb): Promise<void> {
  await db.schema.alterTable('task_state').addColumn('item_key', 'text').execute();
  await db.schema.alterTable('task_state').dropConstraint('task_state_scope_key').execute();
}

async function alterStateHistoryOnPostgres(db: AnyDb): Promise<void> {
  await db.schema.alterTable('state_history').dropConstraint('state_history_one_scope').execute();
  await db.schema
    .alterTable('state_history')
    .addColumn('dag_id', 'text', (c) => c.references('dag.dag_id').onDelete('cascade'))
    .execute();
  await db.schema.alterTable('state_history').addColumn('item_key', 'text').execute();
  await db.schema.alterTable('state_history').addCheckConstraint('state_history_one_scope', ONE_SCOPE).execute();
}

/** A positional row is unique per map index and key; an item-keyed row per item key and key. */
async function createTaskStateIndexes(db: AnyDb): Promise<void> {
  await db.schema
    .createIndex('task_state_scope_key')
    .on('task_state')
    .columns(['dag_run_id', 'task_id', 'map_index', 'key'])
    .unique()
    .where(sql.ref('item_key'), 'is', null)
    .execute();
  await db.schema
    .createIndex('task_state_item_scope_key')
    .on('task_state')
    .columns(['dag_run_id', 'task_id', 'item_key', 'key'])
    .unique()
    .where(sql.ref('item_key'), 'is not', null)
    .execute();
}

async function createStateHistoryIndexes(db: AnyDb): Promise<void> {
  await db.schema
    .createIndex('state_history_item_key_idx')
    .on('state_history')
    .columns(['dag_run_id', 'task_id', 'item_key', 'key', 'version'])
    .where(sql.ref('item_key'), 'is not', null)
    .execute();
  await db.schema
    .createIndex('state_history_dag_key_idx')
    .on('state_history')
    .columns(['dag_id', 'key', 'version'])
    .where(sql.ref('dag_id'), 'is not', null)
    .execute();
}
