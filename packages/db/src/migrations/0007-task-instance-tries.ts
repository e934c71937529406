import { notNull, type TidemarkMigration } from './migration.ts';

/**
 * The tries of each task instance (issue 20): `task_instance` keeps only its current try's times,
 * so each attempt, when it ends, is copied here with its own queued/start/end times and the state
 * it ended in. Deleted with its TI (and so with its run).
 */
export const taskInstanceTriesSchema: TidemarkMigration = {
  name: '0007_task_instance_tries',
  async up(db) {
    await db.schema
      .createTable('task_instance_try')
      .addColumn('ti_id', 'text', (c) => c.notNull().references('task_instance.id').onDelete('cascade'))
      .addColumn('try_number', 'integer', notNull)
      .addColumn('state', 'text', notNull)
      .addColumn('max_tries', 'integer', notNull)
      .addColumn('queued_at', 'bigint')
      .addColumn('start_date', 'bigint')
      .addColumn('end_date', 'bigint', notNull)
      .addColumn('next_retry_at', 'bigint')
      .addColumn('worker', 'text')
      .addPrimaryKeyConstraint('task_instance_try_pkey', ['ti_id', 'try_number'])
      .execute();
  },
};
