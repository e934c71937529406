import { randomUUID } from 'node:crypto';
import { copyFileSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { sql } from 'kysely';
import pg from 'pg';
import type { DialectName } from '../dialect/database-url.ts';
import { quoteIdentifier } from '../dialect/postgres-connection.ts';
import { migrateToLatest } from '../migrations/migrator.ts';
import { type MetadataDatabase, openDatabase } from '../open-database.ts';
import {
  autovacuumRuns,
  emptyTestSchema,
  keepRecycledTestSchema,
  type RecycledTestSchema,
  schemaFingerprint,
  takeRecycledTestSchema,
} from './recycled-test-schemas.ts';
import { migratedSqliteTemplate } from './sqlite-test-template.ts';

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

/**
 * A fresh, isolated database: its own SQLite file, or its own PostgreSQL schema. A migrated SQLite
 * file is a copy of one this process migrated; a migrated PostgreSQL schema may be one an earlier
 * test of this process used, emptied (recycled-test-schemas.ts).
 */
export async function createTestDatabase(
  dialect: DialectName,
  options: TestDatabaseOptions = {},
): Promise<TestDatabase> {
  const migrate = options.migrate ?? true;
  if (dialect === 'sqlite') return createSqliteFile(migrate);
  const server = requirePostgresUrl(options.postgresUrl);
  if (!migrate) {
    const schema = await createPostgresSchema(server);
    return droppedAfterUse(schema, schema.reopen());
  }
  const recycled = await takeEmptiedTestSchema(server);
  if (recycled) return recycledAfterUse(recycled.schema, recycled.database);
  const schema = await createPostgresSchema(server);
  const database = schema.reopen();
  await migrateToLatest(database);
  if (await autovacuumRuns(database)) return droppedAfterUse(schema, database);
  return recycledAfterUse({ ...schema, schemaFingerprint: await schemaFingerprint(database) }, database);
}

/** A new schema, before its migration: what recycling needs of it but the fingerprint. */
type NewTestSchema = Omit<RecycledTestSchema, 'schemaFingerprint'>;

/**
 * A kept schema, emptied, on the handle the test will use (which has connected: see `connected`).
 * A kept schema whose last test changed it is dropped, and the next one tried.
 */
async function takeEmptiedTestSchema(
  server: string,
): Promise<{ schema: RecycledTestSchema; database: MetadataDatabase } | undefined> {
  for (let schema = takeRecycledTestSchema(server); schema; schema = takeRecycledTestSchema(server)) {
    const database = schema.reopen();
    if (await emptiedForReuse(schema, database)) return { schema, database };
    await database.close().catch(() => undefined);
    await schema.drop();
  }
  return undefined;
}

/** Empties the schema when it is still the migrated one; false when it is not (or emptying failed). */
async function emptiedForReuse(schema: RecycledTestSchema, database: MetadataDatabase): Promise<boolean> {
  try {
    if ((await schemaFingerprint(database)) !== schema.schemaFingerprint) return false;
    await emptyTestSchema(database);
    return true;
  } catch {
    return false;
  }
}

function droppedAfterUse(schema: NewTestSchema, database: MetadataDatabase): TestDatabase {
  return schemaTestDatabase(schema.url, database, () => schema.drop());
}

function recycledAfterUse(schema: RecycledTestSchema, database: MetadataDatabase): TestDatabase {
  return schemaTestDatabase(schema.url, database, async () => keepRecycledTestSchema(schema));
}

/** `destroy` closes the test's handle, then lets go of the schema (drops or keeps it), once. */
function schemaTestDatabase(url: string, database: MetadataDatabase, letGo: () => Promise<void>): TestDatabase {
  return {
    database,
    url,
    destroy: once(async () => {
      await database.close();
      await letGo();
    }),
  };
}

/**
 * Connects the handle a test gets. Kysely's `destroy` of a handle that never connected does
 * nothing, so a test that closes the database to see what fails would find it still answering.
 */
async function connected(database: MetadataDatabase): Promise<void> {
  await sql`select 1`.execute(database.db);
}

/** A second `destroy` must not hand the same schema out twice, nor drop it twice. */
function once(destroy: () => Promise<void>): () => Promise<void> {
  let destroying: Promise<void> | undefined;
  return () => {
    destroying ??= destroy();
    return destroying;
  };
}

async function createSqliteFile(migrate: boolean): Promise<TestDatabase> {
  const folder = mkdtempSync(join(tmpdir(), 'tidemark-test-'));
  const file = join(folder, 'tidemark.db');
  if (migrate) copyFileSync(await migratedSqliteTemplate(), file);
  const url = `sqlite:${file}`;
  const database = openDatabase(url);
  await connected(database);
  return {
    database,
    url,
    async destroy() {
      await database.close();
      rmSync(folder, { recursive: true, force: true });
    },
  };
}

function requirePostgresUrl(serverUrl: string | undefined): string {
  if (!serverUrl)
    throw new Error('a PostgreSQL test database needs the test server URL (vitest inject("postgresUrl"))');
  return serverUrl;
}

async function createPostgresSchema(serverUrl: string): Promise<NewTestSchema> {
  const schema = `t_${randomUUID().replaceAll('-', '')}`;
  await runAdmin(serverUrl, `create schema ${quoteIdentifier(schema)}`);
  const url = new URL(serverUrl);
  url.searchParams.set('options', `-c search_path=${schema}`);
  return {
    server: serverUrl,
    url: url.toString(),
    reopen: () => openDatabase(serverUrl, { schema, poolSize: 25 }),
    drop: () => runAdmin(serverUrl, `drop schema ${quoteIdentifier(schema)} cascade`),
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
