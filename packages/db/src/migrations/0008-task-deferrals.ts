import { addIdColumn, notNull, type TidemarkMigration } from './migration.ts';

/**
 * Deferrals (SPEC §16): one row per deferred try, while its wait runs on a triggerer and until the
 * resumed try is claimed. `kind` is `timer` (fires at `next_check_at`) or `poll` (`poll_name` of
 * the DAG file, called with `args` every `every_ms`; `next_check_at` is the next call). Triggerers
 * lease rows like watchers (`lease_*`, fenced by `lease_generation`). When the wait fires, `status`
 * becomes `fired` with its `event`, and the claim of the resumed try consumes the row. A TI has at
 * most one deferral; the row goes with its TI.
 */
export const taskDeferralsSchema: TidemarkMigration = {
  name: '0008_task_deferrals',
  async up(db, dialect) {
    await addIdColumn(db.schema.createTable('task_deferral'), dialect)
      .addColumn('ti_id', 'text', (c) => c.notNull().references('task_instance.id').onDelete('cascade'))
      .addColumn('try_number', 'integer', notNull)
      .addColumn('kind', 'text', notNull)
      .addColumn('poll_name', 'text')
      .addColumn('args', 'text')
      .addColumn('every_ms', 'bigint')
      .addColumn('next_check_at', 'bigint', notNull)
      .addColumn('timeout_at', 'bigint')
      .addColumn('status', 'text', (c) => c.notNull().defaultTo('waiting'))
      .addColumn('event', 'text')
      .addColumn('fired_at', 'bigint')
      .addColumn('lease_owner', 'text')
      .addColumn('lease_hostname', 'text')
      .addColumn('lease_generation', 'integer', (c) => c.notNull().defaultTo(0))
      .addColumn('lease_expires_at', 'bigint')
      .addColumn('last_check_at', 'bigint')
      .addColumn('check_count', 'bigint', (c) => c.notNull().defaultTo(0))
      .addColumn('created_at', 'bigint', notNull)
      .addColumn('updated_at', 'bigint', notNull)
      .addUniqueConstraint('task_deferral_ti_id_key', ['ti_id'])
      .execute();
    await db.schema.createIndex('task_deferral_lease_owner_idx').on('task_deferral').column('lease_owner').execute();
    await db.schema
      .createIndex('task_deferral_status_timeout_idx')
      .on('task_deferral')
      .columns(['status', 'timeout_at'])
      .execute();
  },
};
