import { addIdColumn, notNull, type TidemarkMigration } from './migration.ts';

/** What the runtime needs: serialized DAGs, the next scheduled run, and DAG import errors. */
export const runtimeSchema: TidemarkMigration = {
  name: '0002_runtime',
  async up(db, dialect) {
    await db.schema.alterTable('dag').addColumn('serialized', 'text').execute();
    await db.schema.alterTable('dag').addColumn('next_run_at', 'bigint').execute();

    await addIdColumn(db.schema.createTable('dag_import_error'), dialect)
      .addColumn('fileloc', 'text', notNull)
      .addColumn('line', 'integer')
      .addColumn('message', 'text', notNull)
      .addColumn('created_at', 'bigint', notNull)
      .execute();
    await db.schema.createIndex('dag_import_error_fileloc_idx').on('dag_import_error').column('fileloc').execute();

    await db.schema
      .createIndex('task_instance_queue_idx')
      .on('task_instance')
      .columns(['state', 'queued_at'])
      .execute();
  },
};
