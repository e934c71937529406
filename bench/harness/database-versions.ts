import BetterSqlite3 from 'better-sqlite3';
import pg from 'pg';

/** The SQLite library's version, and PostgreSQL's when a server is given. */
export async function databaseVersions(postgresUrl: string | undefined): Promise<Record<string, string>> {
  const sqlite = new BetterSqlite3(':memory:');
  const versions: Record<string, string> = {
    SQLite: (sqlite.prepare('select sqlite_version() as v').get() as { v: string }).v,
  };
  sqlite.close();
  if (postgresUrl) {
    const client = new pg.Client({ connectionString: postgresUrl });
    await client.connect();
    const result = await client.query<{ server_version: string }>('show server_version');
    versions.PostgreSQL = result.rows[0]?.server_version ?? 'unknown';
    await client.end();
  }
  return versions;
}
