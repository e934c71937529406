import { DatabaseUnavailableError } from '@tidemark/core';
import { Kysely, sql } from 'kysely';
import { type DialectName, parseDatabaseUrl, redactDatabaseUrl } from './dialect/database-url.ts';
import { createPostgresDialect, type PostgresOptions } from './dialect/postgres-connection.ts';
import { createSqliteDialect } from './dialect/sqlite-connection.ts';
import type { DatabaseSchema } from './schema/database-schema.ts';

export type Db = Kysely<DatabaseSchema>;

/** An open metadata database: the Kysely handle plus the one fact code may branch on, the dialect. */
export interface MetadataDatabase {
  readonly db: Db;
  readonly dialect: DialectName;
  readonly url: string;
  close(): Promise<void>;
}

export interface DatabaseOptions extends PostgresOptions {
  /** SQLite: how long to wait for another process's lock (`database.sqlite_busy_timeout`). */
  readonly sqliteBusyTimeoutMs?: number;
}

export function openDatabase(url: string, options: DatabaseOptions = {}): MetadataDatabase {
  const location = parseDatabaseUrl(url);
  const dialect =
    location.dialect === 'sqlite'
      ? createSqliteDialect(location.file, options.sqliteBusyTimeoutMs)
      : createPostgresDialect(location.connectionString, options);
  const db = new Kysely<DatabaseSchema>({ dialect });
  return {
    db,
    dialect: location.dialect,
    url,
    close: () => db.destroy(),
  };
}

/**
 * Opens the database and proves it answers, turning the usual failures (no server, wrong password,
 * unwritable folder) into one actionable error instead of a driver stack trace.
 */
export async function connectDatabase(url: string, options: DatabaseOptions = {}): Promise<MetadataDatabase> {
  let database: MetadataDatabase;
  try {
    database = openDatabase(url, options);
  } catch (error) {
    if ((error as { code?: string }).code === 'unsupported_database_url') throw error;
    throw new DatabaseUnavailableError(redactDatabaseUrl(url), (error as Error).message);
  }
  try {
    await sql`select 1`.execute(database.db);
  } catch (error) {
    await database.close().catch(() => undefined);
    const reason = (error as Error).message || (error as { code?: string }).code || String(error);
    throw new DatabaseUnavailableError(redactDatabaseUrl(url), reason);
  }
  return database;
}
