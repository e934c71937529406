import { randomUUID } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pg from 'pg';
import type { DialectName } from '../dialect/database-url.ts';
import { quoteIdentifier } from '../dialect/postgres-connection.ts';
import { migrateToLatest } from '../migrations/migrator.ts';
import { type MetadataDatabase, openDatabase } from '../open-database.ts';
import {
  emptyTestDatabase,
  keepRecycledTestDatabase,
  type RecycledTestDatabase,
  schemaFingerprint,
  takeRecycledTestDatabase,
} from './recycled-test-databases.ts';

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
 * A fresh, isolated database: its own SQLite file, or its own PostgreSQL schema. A migrated one may
 * be one an earlier test of this process used, emptied (see recycled-test-databases.ts); `destroy`
 * hands it back for the next test, or drops it when the test changed its schema.
 */
export async function createTestDatabase(
  dialect: DialectName,
  options: TestDatabaseOptions = {},
): Promise<TestDatabase> {
  const server = dialect === 'sqlite' ? SQLITE_SERVER : requirePostgresUrl(options.postgresUrl);
  if (options.migrate === false) {
    const place = dialect === 'sqlite' ? createSqliteFile() : await createPostgresSchema(server);
    return droppedAfterUse(place, place.reopen());
  }
  const spare = takeRecycledTestDatabase(dialect, server);
  if (spare) return recycledAfterUse(spare, spare.reopen());
  const place = dialect === 'sqlite' ? createSqliteFile() : await createPostgresSchema(server);
  const database = place.reopen();
  await migrateToLatest(database);
  return recycledAfterUse({ ...place, schemaFingerprint: await schemaFingerprint(database) }, database);
}

const SQLITE_SERVER = 'sqlite';

/** A new database, before its migration: what recycling needs of it but the fingerprint. */
type NewTestDatabase = Omit<RecycledTestDatabase, 'schemaFingerprint'>;

function droppedAfterUse(place: NewTestDatabase, database: MetadataDatabase): TestDatabase {
  return {
    database,
    url: place.url,
    destroy: once(async () => {
      await database.close();
      await place.drop();
    }),
  };
}

function recycledAfterUse(place: RecycledTestDatabase, database: MetadataDatabase): TestDatabase {
  return {
    database,
    url: place.url,
    destroy: once(async () => {
      await database.close();
      if (await emptiedForReuse(place)) keepRecycledTestDatabase(place);
      else await place.drop();
    }),
  };
}

/** A second `destroy` must not hand the same database out twice, nor drop it twice. */
function once(destroy: () => Promise<void>): () => Promise<void> {
  let destroying: Promise<void> | undefined;
  return () => {
    destroying ??= destroy();
    return destroying;
  };
}

/** Empties the database when its schema is still the migrated one; false when it is not (or emptying failed). */
async function emptiedForReuse(place: RecycledTestDatabase): Promise<boolean> {
  const database = place.reopen();
  try {
    if ((await schemaFingerprint(database)) !== place.schemaFingerprint) return false;
    await emptyTestDatabase(database);
    return true;
  } catch {
    return false;
  } finally {
    await database.close().catch(() => undefined);
  }
}

function createSqliteFile(): NewTestDatabase {
  const folder = mkdtempSync(join(tmpdir(), 'tidemark-test-'));
  const url = `sqlite:${join(folder, 'tidemark.db')}`;
  return {
    dialect: 'sqlite',
    server: SQLITE_SERVER,
    url,
    reopen: () => openDatabase(url),
    async drop() {
      rmSync(folder, { recursive: true, force: true });
    },
  };
}

function requirePostgresUrl(serverUrl: string | undefined): string {
  if (!serverUrl)
    throw new Error('a PostgreSQL test database needs the test server URL (vitest inject("postgresUrl"))');
  return serverUrl;
}

async function createPostgresSchema(serverUrl: string): Promise<NewTestDatabase> {
  const schema = `t_${randomUUID().replaceAll('-', '')}`;
  await runAdmin(serverUrl, `create schema ${quoteIdentifier(schema)}`);
  const url = new URL(serverUrl);
  url.searchParams.set('options', `-c search_path=${schema}`);
  return {
    dialect: 'postgres',
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
