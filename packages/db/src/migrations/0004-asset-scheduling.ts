import { notNull, type TidemarkMigration } from './migration.ts';

/**
 * Data-aware scheduling (SPEC §15): where an asset event came from, which DAGs are scheduled on
 * which assets, the events queued for each of them, and the events that triggered each run.
 */
export const assetSchedulingSchema: TidemarkMigration = {
  name: '0004_asset_scheduling',
  async up(db) {
    await db.schema
      .alterTable('asset_event')
      .addColumn('source_kind', 'text', (c) => c.notNull().defaultTo('task'))
      .execute();
    await db.schema.alterTable('asset_event').addColumn('source_try_number', 'integer').execute();
    await db.schema.alterTable('asset_event').addColumn('source_user', 'text').execute();
    await db.schema.alterTable('asset_event').addColumn('source_watcher', 'text').execute();

    await db.schema
      .createTable('dag_schedule_asset')
      .addColumn('dag_id', 'text', (c) => c.notNull().references('dag.dag_id').onDelete('cascade'))
      .addColumn('asset_id', 'bigint', (c) => c.notNull().references('asset.id').onDelete('cascade'))
      .addPrimaryKeyConstraint('dag_schedule_asset_pkey', ['dag_id', 'asset_id'])
      .execute();
    await db.schema.createIndex('dag_schedule_asset_asset_idx').on('dag_schedule_asset').column('asset_id').execute();

    await db.schema
      .createTable('asset_event_queue')
      .addColumn('dag_id', 'text', (c) => c.notNull().references('dag.dag_id').onDelete('cascade'))
      .addColumn('asset_event_id', 'bigint', (c) => c.notNull().references('asset_event.id').onDelete('cascade'))
      .addColumn('created_at', 'bigint', notNull)
      .addPrimaryKeyConstraint('asset_event_queue_pkey', ['dag_id', 'asset_event_id'])
      .execute();

    await db.schema
      .createTable('dag_run_asset_event')
      .addColumn('dag_run_id', 'bigint', (c) => c.notNull().references('dag_run.id').onDelete('cascade'))
      .addColumn('asset_event_id', 'bigint', (c) => c.notNull().references('asset_event.id').onDelete('cascade'))
      .addPrimaryKeyConstraint('dag_run_asset_event_pkey', ['dag_run_id', 'asset_event_id'])
      .execute();
    await db.schema
      .createIndex('dag_run_asset_event_event_idx')
      .on('dag_run_asset_event')
      .column('asset_event_id')
      .execute();
  },
};
