import { existsSync } from 'node:fs';
import { sql } from 'kysely';
import { afterEach, describe, expect, inject, it } from 'vitest';
import type { MetadataDatabase } from '../open-database.ts';
import { eachDialect } from './describe-each-dialect.ts';
import { dropRecycledTestDatabases } from './recycled-test-databases.ts';
import { createTestDatabase, type TestDatabase } from './test-database.ts';

describe.each(eachDialect())('recycled test databases on %s', (dialect) => {
  const open: TestDatabase[] = [];
  const create = async (options: { migrate?: boolean } = {}) => {
    const created = await createTestDatabase(dialect, { postgresUrl: inject('postgresUrl'), ...options });
    open.push(created);
    return created;
  };
  afterEach(async () => {
    for (const created of open.splice(0)) await created.destroy();
    await dropRecycledTestDatabases();
  });

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
  /** Whether the database behind `url` still exists (the SQLite file, the PostgreSQL schema). */
  const exists = async (url: string, probe: MetadataDatabase) => {
    if (dialect === 'sqlite') return existsSync(url.slice('sqlite:'.length));
    const schema = new URL(url).searchParams.get('options')?.split('search_path=')[1];
    const { rows } = await sql<{ n: number }>`
      select count(*)::int as n from pg_namespace where nspname = ${schema}`.execute(probe.db);
    return rows[0]?.n === 1;
  };

  it('hands the next test the same database, emptied: rows gone, ids from 1, the migration record kept', async () => {
    const first = await create();
    const migrations = await migrationCount(first.database);
    await insertAsset(first.database, 'orders');
    expect((await insertAsset(first.database, 'customers')).id).toBe(2);
    await first.destroy();

    const second = await create();
    expect(second.url).toBe(first.url);
    expect(await assetNames(second.database)).toEqual([]);
    expect((await insertAsset(second.database, 'again')).id).toBe(1);
    expect(await migrationCount(second.database)).toBe(migrations);
  });

  it('drops a database whose test changed its schema, and the next test gets a new one', async () => {
    const first = await create();
    await sql`create index asset_name_by_test on asset (name)`.execute(first.database.db);
    await first.destroy();

    const second = await create();
    expect(second.url).not.toBe(first.url);
    expect(await exists(first.url, second.database)).toBe(false);
    const { rows } = await (dialect === 'sqlite'
      ? sql<{ name: string }>`select name from sqlite_master where name = 'asset_name_by_test'`
      : sql<{ name: string }>`select indexname as name from pg_indexes
          where schemaname = current_schema() and indexname = 'asset_name_by_test'`
    ).execute(second.database.db);
    expect(rows).toEqual([]);
  });

  it('drops a database the planner gathered statistics on, so the next test plans like a fresh one', async () => {
    const first = await create();
    await insertAsset(first.database, 'orders');
    await sql`analyze`.execute(first.database.db);
    await first.destroy();

    const second = await create();
    expect(second.url).not.toBe(first.url);
  });

  it('never recycles an unmigrated database, and drops the kept ones when asked', async () => {
    const unmigrated = await create({ migrate: false });
    await unmigrated.destroy();
    const kept = await create();
    await kept.destroy();

    const probe = await create();
    expect(kept.url).not.toBe(unmigrated.url);
    expect(probe.url).toBe(kept.url);
    await probe.destroy();
    await dropRecycledTestDatabases();

    const after = await create();
    expect(await exists(kept.url, after.database)).toBe(false);
    expect(await exists(unmigrated.url, after.database)).toBe(false);
  });
});
