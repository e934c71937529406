import { Kysely } from 'kysely';
import { type DialectName, parseDatabaseUrl } from './dialect/database-url.ts';
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

export function openDatabase(url: string, options: PostgresOptions = {}): MetadataDatabase {
  const location = parseDatabaseUrl(url);
  const dialect =
    location.dialect === 'sqlite'
      ? createSqliteDialect(location.file)
      : createPostgresDialect(location.connectionString, options);
  const db = new Kysely<DatabaseSchema>({ dialect });
  return {
    db,
    dialect: location.dialect,
    url,
    close: () => db.destroy(),
  };
}
