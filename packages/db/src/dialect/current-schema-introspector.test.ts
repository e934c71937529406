import { randomUUID } from 'node:crypto';
import { type Kysely, PostgresIntrospector, sql } from 'kysely';
import { describe, expect, it } from 'vitest';
import { migrateToLatest, migrationStatus } from '../migrations/migrator.ts';
import { testDialects } from '../testing/test-database.ts';
import { useTestDatabase } from '../testing/use-test-database.ts';
import { CurrentSchemaIntrospector } from './current-schema-introspector.ts';

describe.runIf(testDialects().includes('postgres'))('introspection kept to the connection’s schema', () => {
  const test = useTestDatabase('postgres');
  const db = () => test.database.db as unknown as Kysely<unknown>;

  /**
   * Runs `introspect` in a repeatable-read transaction whose snapshot still shows a schema that
   * another connection dropped after the snapshot was taken: the moment a schema is dropped while
   * another Tidemark (or test) migrates on the same server.
   */
  async function introspectWhileAnotherSchemaIsDropped<T>(introspect: (trx: Kysely<unknown>) => Promise<T>) {
    const other = `gone_${randomUUID().replaceAll('-', '')}`;
    await sql`create schema ${sql.id(other)}`.execute(db());
    await sql`create table ${sql.id(other, 'leftover')} (id int)`.execute(db());
    return db()
      .transaction()
      .setIsolationLevel('repeatable read')
      .execute(async (trx) => {
        await sql`select count(*) from pg_catalog.pg_namespace`.execute(trx);
        await sql`drop schema ${sql.id(other)} cascade`.execute(db());
        return introspect(trx);
      });
  }

  it('lists only the tables of its own schema, with their columns', async () => {
    const neighbour = `neighbour_${randomUUID().replaceAll('-', '')}`;
    await sql`create schema ${sql.id(neighbour)}`.execute(db());
    await sql`create table ${sql.id(neighbour, 'not_ours')} (id int)`.execute(db());
    try {
      const tables = await db().introspection.getTables();
      const names = tables.map((table) => table.name);
      expect(names).toContain('dag_run');
      expect(names).toContain('tidemark_migration');
      expect(names).not.toContain('not_ours');
      const [schema] = await db().introspection.getSchemas();
      expect(tables.every((table) => table.schema === schema?.name)).toBe(true);
      const dagRun = tables.find((table) => table.name === 'dag_run');
      expect(dagRun?.columns.find((column) => column.name === 'id')).toMatchObject({
        isAutoIncrementing: true,
        isNullable: false,
      });
      expect(dagRun?.columns.find((column) => column.name === 'dag_id')).toMatchObject({ dataType: 'text' });
    } finally {
      await sql`drop schema ${sql.id(neighbour)} cascade`.execute(db());
    }
  });

  it('does not fail when another schema is dropped under it (Kysely’s own introspection does)', async () => {
    // The schema it names is the one dropped here, or one another test file dropped meanwhile.
    await expect(
      introspectWhileAnotherSchemaIsDropped((trx) => new PostgresIntrospector(trx).getTables()),
    ).rejects.toThrow(/schema "[^"]+" does not exist/);
    const tables = await introspectWhileAnotherSchemaIsDropped((trx) => new CurrentSchemaIntrospector(trx).getTables());
    expect(tables.map((table) => table.name)).toContain('tidemark_migration');
  });

  it('migrations still find their own tables: migrating again applies nothing', async () => {
    expect((await migrateToLatest(test.database)).applied).toEqual([]);
    expect((await migrationStatus(test.database)).pending).toEqual([]);
  });
});
