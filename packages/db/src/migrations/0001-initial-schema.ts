import { sql } from 'kysely';
import { addIdColumn, notNull, type TidemarkMigration } from './migration.ts';

/** The data model of ARCHITECTURE.md. Timestamps are UTC epoch ms in `bigint` columns. */
export const initialSchema: TidemarkMigration = {
  name: '0001_initial_schema',
  async up(db, dialect) {
    await db.schema
      .createTable('dag')
      .addColumn('dag_id', 'text', (c) => c.primaryKey())
      .addColumn('fileloc', 'text', (c) => c.notNull().defaultTo(''))
      .addColumn('schedule', 'text')
      .addColumn('is_paused', 'integer', (c) => c.notNull().defaultTo(0))
      .addColumn('is_active', 'integer', (c) => c.notNull().defaultTo(1))
      .addColumn('description', 'text')
      .addColumn('last_parsed_at', 'bigint')
      .addColumn('created_at', 'bigint', notNull)
      .addColumn('updated_at', 'bigint', notNull)
      .execute();

    await addIdColumn(db.schema.createTable('dag_run'), dialect)
      .addColumn('dag_id', 'text', (c) => c.notNull().references('dag.dag_id').onDelete('cascade'))
      .addColumn('run_id', 'text', notNull)
      .addColumn('state', 'text', notNull)
      .addColumn('run_type', 'text', notNull)
      .addColumn('logical_date', 'bigint')
      .addColumn('data_interval_start', 'bigint')
      .addColumn('data_interval_end', 'bigint')
      .addColumn('conf', 'text', (c) => c.notNull().defaultTo('{}'))
      .addColumn('queued_at', 'bigint')
      .addColumn('start_date', 'bigint')
      .addColumn('end_date', 'bigint')
      .addColumn('created_at', 'bigint', notNull)
      .addColumn('updated_at', 'bigint', notNull)
      .addUniqueConstraint('dag_run_dag_id_run_id_key', ['dag_id', 'run_id'])
      .execute();
    await db.schema.createIndex('dag_run_state_idx').on('dag_run').columns(['state']).execute();

    await db.schema
      .createTable('task_instance')
      .addColumn('id', 'text', (c) => c.primaryKey())
      .addColumn('dag_run_id', 'bigint', (c) => c.notNull().references('dag_run.id').onDelete('cascade'))
      .addColumn('dag_id', 'text', notNull)
      .addColumn('run_id', 'text', notNull)
      .addColumn('task_id', 'text', notNull)
      .addColumn('map_index', 'integer', (c) => c.notNull().defaultTo(-1))
      .addColumn('state', 'text')
      .addColumn('try_number', 'integer', (c) => c.notNull().defaultTo(0))
      .addColumn('max_tries', 'integer', (c) => c.notNull().defaultTo(0))
      .addColumn('queued_at', 'bigint')
      .addColumn('start_date', 'bigint')
      .addColumn('end_date', 'bigint')
      .addColumn('heartbeat_at', 'bigint')
      .addColumn('next_retry_at', 'bigint')
      .addColumn('worker', 'text')
      .addColumn('created_at', 'bigint', notNull)
      .addColumn('updated_at', 'bigint', notNull)
      .addUniqueConstraint('task_instance_run_task_map_key', ['dag_run_id', 'task_id', 'map_index'])
      .execute();
    await db.schema.createIndex('task_instance_state_idx').on('task_instance').columns(['state']).execute();

    await addIdColumn(db.schema.createTable('asset'), dialect)
      .addColumn('name', 'text', notNull)
      .addColumn('uri', 'text', notNull)
      .addColumn('group', 'text', (c) => c.notNull().defaultTo('asset'))
      .addColumn('extra', 'text', (c) => c.notNull().defaultTo('{}'))
      .addColumn('created_at', 'bigint', notNull)
      .addColumn('updated_at', 'bigint', notNull)
      .addUniqueConstraint('asset_name_uri_key', ['name', 'uri'])
      .execute();

    await db.schema
      .createTable('asset_active')
      .addColumn('name', 'text', notNull)
      .addColumn('uri', 'text', notNull)
      .addPrimaryKeyConstraint('asset_active_pkey', ['name', 'uri'])
      .addForeignKeyConstraint('asset_active_asset_fkey', ['name', 'uri'], 'asset', ['name', 'uri'], (fk) =>
        fk.onDelete('cascade'),
      )
      .execute();
    await db.schema.createIndex('asset_active_name_key').on('asset_active').column('name').unique().execute();
    await db.schema.createIndex('asset_active_uri_key').on('asset_active').column('uri').unique().execute();

    await addIdColumn(db.schema.createTable('asset_event'), dialect)
      .addColumn('asset_id', 'bigint', (c) => c.notNull().references('asset.id').onDelete('cascade'))
      .addColumn('source_dag_id', 'text')
      .addColumn('source_run_id', 'text')
      .addColumn('source_task_id', 'text')
      .addColumn('source_map_index', 'integer')
      .addColumn('extra', 'text', (c) => c.notNull().defaultTo('{}'))
      .addColumn('created_at', 'bigint', notNull)
      .execute();
    await db.schema.createIndex('asset_event_asset_id_idx').on('asset_event').columns(['asset_id', 'id']).execute();

    await db.schema
      .createTable('xcom')
      .addColumn('dag_run_id', 'bigint', (c) => c.notNull().references('dag_run.id').onDelete('cascade'))
      .addColumn('dag_id', 'text', notNull)
      .addColumn('run_id', 'text', notNull)
      .addColumn('task_id', 'text', notNull)
      .addColumn('map_index', 'integer', (c) => c.notNull().defaultTo(-1))
      .addColumn('key', 'text', notNull)
      .addColumn('value', 'text', notNull)
      .addColumn('created_at', 'bigint', notNull)
      .addPrimaryKeyConstraint('xcom_pkey', ['dag_run_id', 'task_id', 'map_index', 'key'])
      .execute();

    await addIdColumn(db.schema.createTable('task_state'), dialect)
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
      .addUniqueConstraint('task_state_scope_key', ['dag_run_id', 'task_id', 'map_index', 'key'])
      .execute();
    await db.schema
      .createIndex('task_state_expires_at_idx')
      .on('task_state')
      .column('expires_at')
      .where(sql.ref('expires_at'), 'is not', null)
      .execute();

    await addIdColumn(db.schema.createTable('asset_state'), dialect)
      .addColumn('asset_id', 'bigint', (c) => c.notNull().references('asset.id').onDelete('cascade'))
      .addColumn('key', 'text', notNull)
      .addColumn('value', 'text', notNull)
      .addColumn('version', 'integer', notNull)
      .addColumn('updated_at', 'bigint', notNull)
      .addColumn('updated_by', 'text')
      .addUniqueConstraint('asset_state_scope_key', ['asset_id', 'key'])
      .execute();

    await addIdColumn(db.schema.createTable('state_history'), dialect)
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
      .addCheckConstraint(
        'state_history_one_scope',
        sql`(dag_run_id is null and task_id is null and map_index is null and asset_id is not null) or (dag_run_id is not null and task_id is not null and map_index is not null and asset_id is null)`,
      )
      .execute();
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

    await addIdColumn(db.schema.createTable('state_pending'), dialect)
      .addColumn('ti_id', 'text', (c) => c.notNull().references('task_instance.id').onDelete('cascade'))
      .addColumn('try_number', 'integer', notNull)
      .addColumn('asset_id', 'bigint', (c) => c.notNull().references('asset.id').onDelete('cascade'))
      .addColumn('key', 'text', notNull)
      .addColumn('operation', 'text', notNull)
      .addColumn('value', 'text', notNull)
      .addColumn('written_by', 'text')
      .addColumn('created_at', 'bigint', notNull)
      .execute();
    await db.schema.createIndex('state_pending_ti_idx').on('state_pending').columns(['ti_id', 'try_number']).execute();

    await addIdColumn(db.schema.createTable('user'), dialect)
      .addColumn('username', 'text', (c) => c.notNull().unique())
      .addColumn('password_hash', 'text', notNull)
      .addColumn('role', 'text', notNull)
      .addColumn('created_at', 'bigint', notNull)
      .addColumn('updated_at', 'bigint', notNull)
      .execute();
  },
};
