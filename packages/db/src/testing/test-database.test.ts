import { existsSync } from 'node:fs';
import { sql } from 'kysely';
import { afterEach, describe, expect, inject, it } from 'vitest';
import type { MetadataDatabase } from '../open-database.ts';
import { eachDialect } from './describe-each-dialect.ts';
import { startPostgresTestServer } from './postgres-test-server.ts';
import { dropRecycledTestSchemas } from './recycled-test-schemas.ts';
import { createTestDatabase, type TestDatabase } from './test-database.ts';

const insertAsset = (database: MetadataDatabase, name: string) =>
  database.db
    .insertInto('asset')
    .values({ name, uri: `s3://bucket/${name}`, created_at: 1, updated_at: 1 })
    .returning('id')
    .executeTakeFirstOrThrow();
const assetNames = async (database: MetadataDatabase) =>
  (await database.db.selectFrom('asset').select('name').execute()).map((row) => row.name);
const migrationCount = async (database: MetadataDatabase) =>
  Number((await sql<{ n: number }>`select count(*) as n from tidemark_migration`.execute(database.db)).rows[0]?.n);

function openedDatabases(dialect: 'sqlite' | 'postgres') {
  const open: TestDatabase[] = [];
  afterEach(async () => {
    for (const created of open.splice(0)) await created.destroy();
    await dropRecycledTestSchemas();
  });
  return async (options: { migrate?: boolean } = {}) => {
    const created = await createTestDatabase(dialect, { postgresUrl: inject('postgresUrl'), ...options });
    open.push(created);
    return created;
  };
}

describe.each(eachDialect())('test databases on %s', (dialect) => {
  const create = openedDatabases(dialect);

  it('hands every test a migrated, empty database: the last test’s rows gone, ids from 1', async () => {
    const first = await create();
    const migrations = await migrationCount(first.database);
    expect(migrations).toBeGreaterThan(0);
    await insertAsset(first.database, 'orders');
    expect((await insertAsset(first.database, 'customers')).id).toBe(2);
    await first.destroy();

    const second = await create();
    expect(await assetNames(second.database)).toEqual([]);
    expect((await insertAsset(second.database, 'again')).id).toBe(1);
    expect(await migrationCount(second.database)).toBe(migrations);
  });
});

describe.runIf(eachDialect().includes('sqlite'))('test databases on sqlite', () => {
  const create = openedDatabases('sqlite');

  it('are copies of one migrated file, each in its own folder, removed by destroy', async () => {
    const first = await create();
    const second = await create();
    expect(second.url).not.toBe(first.url);
    await insertAsset(first.database, 'orders');
    expect(await assetNames(second.database)).toEqual([]);
    await first.destroy();
    expect(existsSync(first.url.slice('sqlite:'.length))).toBe(false);

    const unmigrated = await create({ migrate: false });
    const { rows } = await sql<{ n: number }>`select count(*) as n from sqlite_master`.execute(unmigrated.database.db);
    expect(Number(rows[0]?.n)).toBe(0);
  });
});

describe.runIf(eachDialect().includes('postgres'))('recycled test schemas on postgres', () => {
  const create = openedDatabases('postgres');
  const schemaExists = async (url: string, probe: MetadataDatabase) => {
    const schema = new URL(url).searchParams.get('options')?.split('search_path=')[1];
    const { rows } = await sql<{ n: number }>`
      select count(*)::int as n from pg_namespace where nspname = ${schema}`.execute(probe.db);
    return rows[0]?.n === 1;
  };

  it('hands the next test the same schema, emptied', async () => {
    const first = await create();
    await insertAsset(first.database, 'orders');
    await first.destroy();

    const second = await create();
    expect(second.url).toBe(first.url);
    expect(await assetNames(second.database)).toEqual([]);
  });

  it('drops a schema whose test changed it, and the next test gets a new one', async () => {
    const first = await create();
    await sql`create index asset_name_by_test on asset (name)`.execute(first.database.db);
    await first.destroy();

    const second = await create();
    expect(second.url).not.toBe(first.url);
    expect(await schemaExists(first.url, second.database)).toBe(false);
  });

  it('drops a schema the planner gathered statistics on, so the next test plans like on a new one', async () => {
    const first = await create();
    await insertAsset(first.database, 'orders');
    await sql`analyze`.execute(first.database.db);
    await first.destroy();

    const second = await create();
    expect(second.url).not.toBe(first.url);
  });

  it('never recycles an unmigrated schema, and drops the kept ones when asked', async () => {
    const unmigrated = await create({ migrate: false });
    await unmigrated.destroy();
    const kept = await create();
    await kept.destroy();

    const probe = await create();
    expect(probe.url).toBe(kept.url);
    expect(kept.url).not.toBe(unmigrated.url);
    await probe.destroy();
    await dropRecycledTestSchemas();

    const after = await create();
    expect(await schemaExists(kept.url, after.database)).toBe(false);
    expect(await schemaExists(unmigrated.url, after.database)).toBe(false);
  });

  it('never recycles a schema on a server where autovacuum runs', async () => {
    const server = await startPostgresTestServer(undefined, { autovacuum: true });
    try {
      const first = await createTestDatabase('postgres', { postgresUrl: server.url });
      await first.destroy();
      const second = await createTestDatabase('postgres', { postgresUrl: server.url });
      expect(second.url).not.toBe(first.url);
      expect(await schemaExists(first.url, second.database)).toBe(false);
      await second.destroy();
    } finally {
      server.stop();
    }
  });

  it('drops nothing, and fails nothing, for a kept schema whose server a test stopped', async () => {
    const server = await startPostgresTestServer();
    try {
      const own = await createTestDatabase('postgres', { postgresUrl: server.url });
      await own.destroy();
    } finally {
      server.stop();
    }
    await expect(dropRecycledTestSchemas()).resolves.toBeUndefined();
  });
});
