import { DatabaseTooNewError, TIDEMARK_VERSION, TidemarkError } from '@tidemark/core';
import { type Migration, type MigrationProvider, Migrator, sql } from 'kysely';
import type { MetadataDatabase } from '../open-database.ts';
import { MIGRATIONS } from './migration-list.ts';

const MIGRATION_TABLE = 'tidemark_migration';
const MIGRATION_LOCK_TABLE = 'tidemark_migration_lock';

export interface MigrationStatus {
  readonly applied: readonly { readonly name: string; readonly appliedAt: Date }[];
  readonly pending: readonly string[];
  /** Applied by a newer Tidemark: this version must refuse the database. */
  readonly unknown: readonly string[];
}

export interface MigrateResult {
  readonly applied: readonly string[];
  readonly status: MigrationStatus;
}

export async function migrationStatus(database: MetadataDatabase): Promise<MigrationStatus> {
  const known = new Set(MIGRATIONS.map((migration) => migration.name));
  const recorded = await readAppliedMigrations(database);
  const appliedNames = new Set(recorded.map((row) => row.name));
  return {
    applied: recorded.filter((row) => known.has(row.name)),
    pending: MIGRATIONS.map((migration) => migration.name).filter((name) => !appliedNames.has(name)),
    unknown: recorded.filter((row) => !known.has(row.name)).map((row) => row.name),
  };
}

/** Applies pending migrations in order, in one transaction each. Running it again is a no-op. */
export async function migrateToLatest(database: MetadataDatabase): Promise<MigrateResult> {
  await assertNotNewer(database);
  const { results, error } = await (await createMigrator(database)).migrateToLatest();
  if (error) {
    const failed = results?.find((result) => result.status === 'Error')?.migrationName ?? 'unknown';
    throw new TidemarkError(
      'migration_failed',
      `migration ${failed} failed on ${database.dialect}: ${(error as Error).message}; nothing of it was applied`,
    );
  }
  return {
    applied: (results ?? []).filter((result) => result.status === 'Success').map((result) => result.migrationName),
    status: await migrationStatus(database),
  };
}

/** For processes that serve the database: refuse a newer schema, and one that still needs migrating. */
export async function assertSchemaCurrent(database: MetadataDatabase): Promise<void> {
  const status = await assertNotNewer(database);
  if (status.pending.length > 0) {
    throw new TidemarkError(
      'database_not_migrated',
      `the database has ${status.pending.length} pending migration(s) (${status.pending.join(', ')}); run "tidemark db migrate"`,
    );
  }
}

async function assertNotNewer(database: MetadataDatabase): Promise<MigrationStatus> {
  const status = await migrationStatus(database);
  if (status.unknown.length > 0) throw new DatabaseTooNewError(status.unknown, TIDEMARK_VERSION);
  return status;
}

/**
 * On PostgreSQL the migrator is pinned to the connection's schema: Kysely looks for its lock table
 * in every schema it can see, so a second Tidemark schema on the same server (a test's, another
 * installation's) would otherwise find the first one's table and fail to migrate. (Its
 * introspection only reads that schema too: CurrentSchemaIntrospector.)
 */
async function createMigrator(database: MetadataDatabase): Promise<Migrator> {
  const schema =
    database.dialect === 'postgres'
      ? (await sql<{ schema: string }>`select current_schema() as schema`.execute(database.db)).rows[0]?.schema
      : undefined;
  const provider: MigrationProvider = {
    async getMigrations() {
      const migrations: Record<string, Migration> = {};
      for (const migration of MIGRATIONS) {
        migrations[migration.name] = { up: (db) => migration.up(db, database.dialect) };
      }
      return migrations;
    },
  };
  return new Migrator({
    db: database.db,
    provider,
    migrationTableName: MIGRATION_TABLE,
    migrationLockTableName: MIGRATION_LOCK_TABLE,
    ...(schema ? { migrationTableSchema: schema } : {}),
  });
}

async function readAppliedMigrations(database: MetadataDatabase): Promise<{ name: string; appliedAt: Date }[]> {
  if (!(await migrationTableExists(database))) return [];
  const rows = await sql<{ name: string; timestamp: string | Date }>`
    select name, timestamp from ${sql.table(MIGRATION_TABLE)} order by name`.execute(database.db);
  return rows.rows.map((row) => ({ name: row.name, appliedAt: new Date(row.timestamp) }));
}

async function migrationTableExists(database: MetadataDatabase): Promise<boolean> {
  const query =
    database.dialect === 'sqlite'
      ? sql<{
          found: number;
        }>`select count(*) as found from sqlite_master where type = 'table' and name = ${MIGRATION_TABLE}`
      : sql<{
          found: number;
        }>`select count(*)::int as found from pg_tables where schemaname = current_schema() and tablename = ${MIGRATION_TABLE}`;
  const { rows } = await query.execute(database.db);
  return Number(rows[0]?.found) > 0;
}
