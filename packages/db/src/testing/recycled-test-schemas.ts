import { sql } from 'kysely';
import type { MetadataDatabase } from '../open-database.ts';
import { releaseAfterTestFile } from './release-after-test-file.ts';

/**
 * PostgreSQL test schemas kept by this process between tests. Creating and migrating one costs
 * about 150 ms and dropping it 50 ms; checking that a used one is still as its migration left it
 * and emptying it costs a few. A schema is reused only when its fingerprint (schemaFingerprint) is
 * the one taken after its migration: one whose test changed it is dropped instead.
 */
export interface RecycledTestSchema {
  /** The PostgreSQL server's URL: a schema is reused on its own server only. */
  readonly server: string;
  /** Opens a new handle on it, for the next test. */
  readonly reopen: () => MetadataDatabase;
  readonly url: string;
  readonly schemaFingerprint: string;
  readonly drop: () => Promise<void>;
}

const spares: RecycledTestSchema[] = [];
let dropRegistered = false;

/** Rows of these tables are the migrations' own record, kept when a schema is emptied. */
const MIGRATION_TABLES = ['tidemark_migration', 'tidemark_migration_lock'];

export function takeRecycledTestSchema(server: string): RecycledTestSchema | undefined {
  const index = spares.findIndex((spare) => spare.server === server);
  return index === -1 ? undefined : spares.splice(index, 1)[0];
}

export function keepRecycledTestSchema(spare: RecycledTestSchema): void {
  spares.push(spare);
  if (dropRegistered) return;
  dropRegistered = true;
  releaseAfterTestFile(async () => {
    dropRegistered = false;
    await dropRecycledTestSchemas();
  });
}

/**
 * Drops every schema the pool holds. One whose server is gone (a test's own server, stopped by
 * the test) went with it.
 */
export async function dropRecycledTestSchemas(): Promise<void> {
  await Promise.all(
    spares.splice(0).map((spare) =>
      spare.drop().catch((error: unknown) => {
        if ((error as { code?: string }).code !== 'ECONNREFUSED') throw error;
      }),
    ),
  );
}

/**
 * Schemas are recycled only on a server without autovacuum (as the test setup starts it). Emptying
 * a schema counts as changes to its tables, so autovacuum may analyze one of them while the next
 * test's bulk insert is still uncommitted: the statistics then say many pages and no rows, and the
 * planner joins a million rows by scanning the table once per row (the 1,000,000-row GC test ran
 * past its 120 s timeout instead of taking 16 s). A new schema's tables show no changes until its
 * test commits some.
 */
export async function autovacuumRuns(database: MetadataDatabase): Promise<boolean> {
  const { rows } = await sql<{ setting: string }>`select current_setting('autovacuum') as setting`.execute(database.db);
  return rows[0]?.setting !== 'off';
}

/**
 * A summary of the schema's catalog rows: equal strings mean the same tables, columns, indexes,
 * constraints, triggers and functions, because DDL that adds, removes or changes one of them adds,
 * removes or rewrites a catalog row, and a rewritten row has a new `xmin`. It also holds what the
 * planner knows of the tables (their size and column statistics), so that a test that ran `ANALYZE`
 * leaves no plans behind for the next one.
 */
export async function schemaFingerprint(database: MetadataDatabase): Promise<string> {
  const { rows } = await sql<{ fingerprint: string }>`
    with relation as (select oid, xmin, relpages, reltuples from pg_class where relnamespace = current_schema()::regnamespace)
    select concat_ws(' ',
      (select count(*) || ':' || sum(xmin::text::bigint) || ':' || sum(relpages) || ':' || sum(reltuples) from relation),
      (select count(*) || ':' || sum(a.xmin::text::bigint) from pg_attribute a join relation r on r.oid = a.attrelid),
      (select count(*) || ':' || sum(xmin::text::bigint) from pg_constraint where connamespace = current_schema()::regnamespace),
      (select count(*) || ':' || sum(t.xmin::text::bigint) from pg_trigger t join relation r on r.oid = t.tgrelid),
      (select count(*) || ':' || sum(xmin::text::bigint) from pg_proc where pronamespace = current_schema()::regnamespace),
      (select count(*) from pg_statistic s join relation r on r.oid = s.starelid)
    ) as fingerprint`.execute(database.db);
  return rows[0]?.fingerprint ?? '';
}

/**
 * Deletes every row but the migrations' record and starts the id sequences again, as a fresh
 * migration leaves them. Foreign keys are not checked meanwhile (all rows go).
 */
export async function emptyTestSchema(database: MetadataDatabase): Promise<void> {
  await database.db.connection().execute(async (connection) => {
    const tables = await sql<{ name: string }>`
      select tablename as name from pg_tables where schemaname = current_schema()`.execute(connection);
    const sequences = await sql<{ name: string }>`
      select sequencename as name from pg_sequences where schemaname = current_schema()`.execute(connection);
    const deletes = tables.rows
      .filter(({ name }) => !MIGRATION_TABLES.includes(name))
      .map(({ name }) => sql`delete from ${sql.table(name)}`);
    const restarts = sequences.rows.map(({ name }) => sql`setval(quote_ident(${name})::regclass, 1, false)`);
    await sql`set session_replication_role = replica`.execute(connection);
    try {
      for (const statement of deletes) await statement.execute(connection);
      if (restarts.length > 0) await sql`select ${sql.join(restarts)}`.execute(connection);
    } finally {
      await sql`set session_replication_role = default`.execute(connection);
    }
  });
}
