import { type Kysely, sql } from 'kysely';
import { serializedDagHash } from '../repositories/serialized-dag-hash.ts';
import type { TidemarkMigration } from './migration.ts';

/**
 * Issue 18: every claim and every success read the whole `dag.serialized` text (200 KB for a
 * 1,000-task DAG) only to find the parse it had cached. `serialized_hash` (SHA-256 of the text)
 * lets them ask for 64 characters instead and fetch the text only when the DAG changed.
 *
 * A writer that changes `serialized` without a new hash would leave a hash that names other text;
 * a trigger makes that impossible on both dialects: it clears the hash instead, and a reader of a
 * row without a hash reads the text (as before). Existing rows get their hash here.
 */
export const dagSerializedHashSchema: TidemarkMigration = {
  name: '0010_dag_serialized_hash',
  async up(db, dialect) {
    await db.schema.alterTable('dag').addColumn('serialized_hash', 'text').execute();
    await hashStoredDags(db);
    if (dialect === 'sqlite') await createSqliteHashGuard(db);
    else await createPostgresHashGuard(db);
  },
};

// biome-ignore lint/suspicious/noExplicitAny: migrations describe tables that the typed schema does not know yet
type AnyDb = Kysely<any>;

async function hashStoredDags(db: AnyDb): Promise<void> {
  const rows = await db
    .selectFrom('dag')
    .select(['dag_id', 'serialized'])
    .where('serialized', 'is not', null)
    .execute();
  for (const row of rows as { dag_id: string; serialized: string }[]) {
    await db
      .updateTable('dag')
      .set({ serialized_hash: serializedDagHash(row.serialized) })
      .where('dag_id', '=', row.dag_id)
      .execute();
  }
}

async function createSqliteHashGuard(db: AnyDb): Promise<void> {
  await sql`
    create trigger dag_serialized_hash_guard after update of serialized on dag
    when new.serialized is not old.serialized and new.serialized_hash is old.serialized_hash
    begin
      update dag set serialized_hash = null where dag_id = new.dag_id;
    end`.execute(db);
}

async function createPostgresHashGuard(db: AnyDb): Promise<void> {
  await sql`
    create function dag_serialized_hash_guard() returns trigger language plpgsql as $$
    begin
      if new.serialized is distinct from old.serialized
         and new.serialized_hash is not distinct from old.serialized_hash then
        new.serialized_hash := null;
      end if;
      return new;
    end $$`.execute(db);
  await sql`
    create trigger dag_serialized_hash_guard before update on dag
    for each row execute function dag_serialized_hash_guard()`.execute(db);
}
