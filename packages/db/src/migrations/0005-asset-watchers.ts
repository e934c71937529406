import { addIdColumn, notNull, type TidemarkMigration } from './migration.ts';

/**
 * Asset watchers (SPEC §15.3): one row per watcher a DAG file declares on an asset, identified by
 * its asset and its name. The DAG processor keeps what the file declares (`dag_id`, `fileloc`,
 * `every_ms`, `active`); triggerers lease rows (`lease_*`, fenced by `lease_generation`); each
 * poll's outcome updates the status columns, which survive re-parses and deactivation.
 */
export const assetWatchersSchema: TidemarkMigration = {
  name: '0005_asset_watchers',
  async up(db, dialect) {
    await addIdColumn(db.schema.createTable('asset_watcher'), dialect)
      .addColumn('asset_id', 'bigint', (c) => c.notNull().references('asset.id').onDelete('cascade'))
      .addColumn('name', 'text', notNull)
      .addColumn('dag_id', 'text', (c) => c.notNull().references('dag.dag_id').onDelete('cascade'))
      .addColumn('fileloc', 'text', notNull)
      .addColumn('every_ms', 'bigint', notNull)
      .addColumn('active', 'integer', (c) => c.notNull().defaultTo(1))
      .addColumn('lease_owner', 'text')
      .addColumn('lease_hostname', 'text')
      .addColumn('lease_generation', 'integer', (c) => c.notNull().defaultTo(0))
      .addColumn('lease_expires_at', 'bigint')
      .addColumn('last_poll_at', 'bigint')
      .addColumn('last_event_at', 'bigint')
      .addColumn('event_count', 'bigint', (c) => c.notNull().defaultTo(0))
      .addColumn('last_error', 'text')
      .addColumn('last_error_at', 'bigint')
      .addColumn('failure_count', 'integer', (c) => c.notNull().defaultTo(0))
      .addColumn('next_poll_at', 'bigint')
      .addColumn('created_at', 'bigint', notNull)
      .addColumn('updated_at', 'bigint', notNull)
      .addUniqueConstraint('asset_watcher_asset_name_key', ['asset_id', 'name'])
      .execute();
    await db.schema.createIndex('asset_watcher_lease_owner_idx').on('asset_watcher').column('lease_owner').execute();
    await db.schema.createIndex('asset_watcher_dag_id_idx').on('asset_watcher').column('dag_id').execute();
  },
};
