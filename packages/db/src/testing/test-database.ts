import { randomUUID } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pg from 'pg';
import type { DialectName } from '../dialect/database-url.ts';
import { quoteIdentifier } from '../dialect/postgres-connection.ts';
import { migrateToLatest } from '../migrations/migrator.ts';
import { type MetadataDatabase, openDatabase } from '../open-database.ts';

export const ALL_DIALECTS: readonly DialectName[] = ['sqlite', 'postgres'];

/** `TEST_DIALECTS=sqlite,postgres` (the default) chooses which dialects database tests run on. */
export function testDialects(env: NodeJS.ProcessEnv = process.env): DialectName[] {
  const requested = (env.TEST_DIALECTS ?? ALL_DIALECTS.join(','))
    .split(',')
    .map((name) => name.trim())
    .filter(Boolean);
  for (const name of requested) {
    if (!ALL_DIALECTS.includes(name as DialectName)) {
      throw new Error(`TEST_DIALECTS names "${name}"; use a comma-separated list of ${ALL_DIALECTS.join(', ')}`);
    }
  }
  return requested as DialectName[];
}

export interface TestDatabase {
  readonly database: MetadataDatabase;
  /** A URL another process can open (for PostgreSQL, with the schema in its options). */
  readonly url: string;
  destroy(): Promise<void>;
}

export interface TestDatabaseOptions {
  /** The test PostgreSQL server; required for `postgres`. */
  readonly postgresUrl?: string;
  readonly migrate?: boolean;
}

/** A fresh, isolated database: its own SQLite file, or its own PostgreSQL schema. */
export async function createTestDatabase(
  dialect: DialectName,
  options: TestDatabaseOptions = {},
): Promise<TestDatabase> {
  const created = dialect === 'sqlite' ? createSqliteFile() : await createPostgresSchema(options.postgresUrl);
  if (options.migrate ?? true) await migrateToLatest(created.database);
  return created;
}

function createSqliteFile(): TestDatabase {
  const folder = mkdtempSync(join(tmpdir(), 'tidemark-test-'));
  const url = `sqlite:${join(folder, 'tidemark.db')}`;
  const database = openDatabase(url);
  return {
    database,
    url,
    async destroy() {
      await database.close();
      rmSync(folder, { recursive: true, force: true });
    },
  };
}

async function createPostgresSchema(serverUrl: string | undefined): Promise<TestDatabase> {
  if (!serverUrl)
    throw new Error('a PostgreSQL test database needs the test server URL (vitest inject("postgresUrl"))');
  const schema = `t_${randomUUID().replaceAll('-', '')}`;
  await runAdmin(serverUrl, `create schema ${quoteIdentifier(schema)}`);
  const database = openDatabase(serverUrl, { schema, poolSize: 25 });
  const url = new URL(serverUrl);
  url.searchParams.set('options', `-c search_path=${schema}`);
  return {
    database,
    url: url.toString(),
    async destroy() {
      await database.close();
      await runAdmin(serverUrl, `drop schema ${quoteIdentifier(schema)} cascade`);
    },
  };
}

async function runAdmin(serverUrl: string, statement: string): Promise<void> {
  const client = new pg.Client({ connectionString: serverUrl });
  await client.connect();
  try {
    await client.query(statement);
  } finally {
    await client.end();
  }
}
