import { sql } from 'kysely';
import { notNull, type TidemarkMigration } from './migration.ts';

/**
 * State garbage collection (SPEC §6): the lease that lets one scheduler of many run each pass, and
 * an expiry index that also orders by id, so batches walk it by key range instead of re-reading
 * the entries of rows an earlier batch deleted (PostgreSQL keeps those until vacuum).
 */
export const stateGcSchema: TidemarkMigration = {
  name: '0003_state_gc',
  async up(db) {
    await db.schema
      .createTable('state_gc_lease')
      .addColumn('name', 'text', (c) => c.primaryKey())
      .addColumn('holder', 'text')
      .addColumn('lease_until', 'bigint')
      .addColumn('next_due_at', 'bigint', notNull)
      .addColumn('last_started_at', 'bigint')
      .addColumn('last_finished_at', 'bigint')
      .execute();

    await db.schema.dropIndex('task_state_expires_at_idx').execute();
    await db.schema
      .createIndex('task_state_expires_at_id_idx')
      .on('task_state')
      .columns(['expires_at', 'id'])
      .where(sql.ref('expires_at'), 'is not', null)
      .execute();
  },
};
