import { sql } from 'kysely';
import type { DialectName } from '../dialect/database-url.ts';
import type { Db, MetadataDatabase } from '../open-database.ts';

/**
 * Migrated test databases kept by this process between tests. Creating and migrating a PostgreSQL
 * schema costs about 150 ms and dropping it 50 ms, a SQLite file about 30 ms in all; emptying one
 * and checking that its schema is still the migrated one costs a few. A database goes back to the
 * pool only when its schema (schemaFingerprint) is exactly the one its migration left: a test that
 * changed it gets it dropped instead.
 */
export interface RecycledTestDatabase {
  readonly dialect: DialectName;
  /** The pool's key: `sqlite`, or the PostgreSQL server's URL. */
  readonly server: string;
  /** Re-opens the emptied database for the next test. */
  readonly reopen: () => MetadataDatabase;
  readonly url: string;
  readonly schemaFingerprint: string;
  /** Removes it for good (the SQLite folder, the PostgreSQL schema). */
  readonly drop: () => Promise<void>;
}

const spares: RecycledTestDatabase[] = [];

/**
 * Where the vitest setup file (test/drop-recycled-test-databases.ts) finds the drop after a test
 * file, without importing this package into files that never open a database.
 */
export const DROP_RECYCLED_TEST_DATABASES = Symbol.for('tidemark.dropRecycledTestDatabases');

/** Rows of these tables are the migrations' own record, kept when a database is emptied. */
const MIGRATION_TABLES = ['tidemark_migration', 'tidemark_migration_lock'];

export function takeRecycledTestDatabase(dialect: DialectName, server: string): RecycledTestDatabase | undefined {
  const index = spares.findIndex((spare) => spare.dialect === dialect && spare.server === server);
  return index === -1 ? undefined : spares.splice(index, 1)[0];
}

export function keepRecycledTestDatabase(spare: RecycledTestDatabase): void {
  spares.push(spare);
  (globalThis as Record<symbol, unknown>)[DROP_RECYCLED_TEST_DATABASES] = dropRecycledTestDatabases;
}

/** Drops every database the pool holds (a test file's last step, from the vitest setup file). */
export async function dropRecycledTestDatabases(): Promise<void> {
  const dropping = spares.splice(0);
  await Promise.all(dropping.map((spare) => spare.drop()));
}

/**
 * What the schema consists of, as one string: equal strings mean the same tables, columns, keys,
 * indexes, triggers and functions. On PostgreSQL it includes what the planner knows of the tables
 * (their size and column statistics): a table autovacuum analyzed while it held a test's 100 rows
 * would have the next test's million rows planned as if they were a hundred (a GC test took 180 s
 * instead of 16).
 */
export async function schemaFingerprint(database: MetadataDatabase): Promise<string> {
  const query =
    database.dialect === 'sqlite'
      ? sql<{ fingerprint: string | null }>`
          select group_concat(type || ' ' || name || ' ' || coalesce(sql, ''), char(10)) as fingerprint
          from (select type, name, sql from sqlite_master order by type, name)`
      : sql<{ fingerprint: string | null }>`
          select concat_ws(chr(10),
            (select string_agg(format('%s %s %s %s %s', c.relkind, c.relname, a.attname, format_type(a.atttypid, a.atttypmod), a.attnotnull), chr(10) order by c.relname, a.attnum)
               from pg_class c join pg_attribute a on a.attrelid = c.oid
              where c.relnamespace = current_schema()::regnamespace and a.attnum > 0 and not a.attisdropped),
            (select string_agg(format('%s %s', conname, pg_get_constraintdef(oid)), chr(10) order by conrelid::regclass::text, conname)
               from pg_constraint where connamespace = current_schema()::regnamespace),
            (select string_agg(indexdef, chr(10) order by indexname) from pg_indexes where schemaname = current_schema()),
            (select string_agg(pg_get_triggerdef(t.oid) || ' ' || t.tgenabled::text, chr(10) order by t.tgname)
               from pg_trigger t join pg_class c on c.oid = t.tgrelid
              where c.relnamespace = current_schema()::regnamespace and not t.tgisinternal),
            (select string_agg(pg_get_functiondef(oid), chr(10) order by proname)
               from pg_proc where pronamespace = current_schema()::regnamespace),
            (select string_agg(format('%s %s %s', relname, relpages, reltuples), chr(10) order by relname)
               from pg_class where relnamespace = current_schema()::regnamespace),
            (select count(*) from pg_statistic s join pg_class c on c.oid = s.starelid
              where c.relnamespace = current_schema()::regnamespace)
          ) as fingerprint`;
  const { rows } = await query.execute(database.db);
  return rows[0]?.fingerprint ?? '';
}

/**
 * Deletes every row but the migrations' record and starts the id sequences again, as a fresh
 * migration leaves them. Foreign keys are not checked meanwhile (all rows go).
 */
export async function emptyTestDatabase(database: MetadataDatabase): Promise<void> {
  if (database.dialect === 'sqlite') await emptySqlite(database.db);
  else await emptyPostgres(database.db);
}

async function emptySqlite(db: Db): Promise<void> {
  const { rows } = await sql<{ name: string }>`
    select name from sqlite_master where type = 'table' and name not like 'sqlite_%'`.execute(db);
  const tables = rows.map((row) => row.name).filter((name) => !MIGRATION_TABLES.includes(name));
  await db.transaction().execute(async (tx) => {
    await sql`pragma defer_foreign_keys = on`.execute(tx);
    for (const table of tables) await sql`delete from ${sql.table(table)}`.execute(tx);
    const sequences = await sql<{ found: number }>`
      select count(*) as found from sqlite_master where name = 'sqlite_sequence'`.execute(tx);
    if (Number(sequences.rows[0]?.found) > 0) await sql`delete from sqlite_sequence`.execute(tx);
  });
}

async function emptyPostgres(db: Db): Promise<void> {
  await db.connection().execute(async (connection) => {
    const tables = await sql<{ name: string }>`
      select tablename as name from pg_tables where schemaname = current_schema()`.execute(connection);
    const sequences = await sql<{ name: string }>`
      select sequencename as name from pg_sequences where schemaname = current_schema()`.execute(connection);
    await sql`set session_replication_role = replica`.execute(connection);
    try {
      for (const { name } of tables.rows) {
        if (!MIGRATION_TABLES.includes(name)) await sql`delete from ${sql.table(name)}`.execute(connection);
      }
      for (const { name } of sequences.rows)
        await sql`select setval(quote_ident(${name})::regclass, 1, false)`.execute(connection);
    } finally {
      await sql`set session_replication_role = default`.execute(connection);
    }
  });
}
