import { sql } from 'kysely';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { Db } from '../open-database.ts';
import { activateAsset } from '../repositories/asset-repository.ts';
import { registerDag } from '../repositories/dag-repository.ts';
import { createDagRun, deleteDagRun } from '../repositories/dag-run-repository.ts';
import { eachDialect, openTestDatabaseFor } from '../testing/describe-each-dialect.ts';
import type { TestDatabase } from '../testing/test-database.ts';
import { MIGRATIONS } from './migration-list.ts';
import { assertSchemaCurrent, migrateToLatest, migrationStatus } from './migrator.ts';

const TABLES = [
  'dag',
  'dag_run',
  'task_instance',
  'asset',
  'asset_active',
  'asset_event',
  'dag_schedule_asset',
  'asset_event_queue',
  'dag_run_asset_event',
  'xcom',
  'task_state',
  'asset_state',
  'state_history',
  'state_pending',
  'user',
];
const NOW = Date.UTC(2026, 0, 1);

describe.each(eachDialect())('migrations on %s', (dialect) => {
  let test: TestDatabase;
  beforeEach(async () => {
    test = await openTestDatabaseFor(dialect, { migrate: false });
  });
  afterEach(() => test.destroy());

  it('migrates while another migrated Tidemark database shares the server (PostgreSQL: another schema)', async () => {
    const other = await openTestDatabaseFor(dialect);
    try {
      await migrateToLatest(test.database);
      expect((await migrationStatus(test.database)).pending).toEqual([]);
    } finally {
      await other.destroy();
    }
  });

  it('reports every migration pending on an empty database, then applies them all', async () => {
    expect(await migrationStatus(test.database)).toEqual({
      applied: [],
      pending: MIGRATIONS.map((migration) => migration.name),
      unknown: [],
    });
    const result = await migrateToLatest(test.database);
    expect(result.applied).toEqual(MIGRATIONS.map((migration) => migration.name));
    expect(result.status.pending).toEqual([]);
    expect(result.status.applied.map((row) => row.name)).toEqual(result.applied);
    for (const table of TABLES) {
      const { rows } = await sql<{ n: number }>`select count(*) as n from ${sql.table(table)}`.execute(
        test.database.db,
      );
      expect(Number(rows[0]?.n), table).toBe(0);
    }
  });

  it('is a no-op when run twice', async () => {
    await migrateToLatest(test.database);
    await registerDag(test.database.db, { dagId: 'kept' }, NOW);
    const again = await migrateToLatest(test.database);
    expect(again.applied).toEqual([]);
    expect(await test.database.db.selectFrom('dag').select('dag_id').execute()).toEqual([{ dag_id: 'kept' }]);
  });

  it('refuses a database migrated by a newer Tidemark, naming the unknown migration', async () => {
    await migrateToLatest(test.database);
    await sql`insert into tidemark_migration (name, timestamp) values ('9999_from_the_future', '2030-01-01T00:00:00Z')`.execute(
      test.database.db,
    );
    const refusal = {
      code: 'database_too_new',
      message: expect.stringMatching(/newer Tidemark.*9999_from_the_future.*upgrade Tidemark/),
    };
    await expect(migrateToLatest(test.database)).rejects.toMatchObject(refusal);
    await expect(assertSchemaCurrent(test.database)).rejects.toMatchObject(refusal);
    expect((await migrationStatus(test.database)).unknown).toEqual(['9999_from_the_future']);
  });

  it('tells a server to migrate first when migrations are pending', async () => {
    await expect(assertSchemaCurrent(test.database)).rejects.toMatchObject({
      code: 'database_not_migrated',
      message: expect.stringContaining('tidemark db migrate'),
    });
    await migrateToLatest(test.database);
    await expect(assertSchemaCurrent(test.database)).resolves.toBeUndefined();
  });

  describe('the data model', () => {
    let db: Db;
    beforeEach(async () => {
      await migrateToLatest(test.database);
      db = test.database.db;
      await registerDag(db, { dagId: 'etl' }, NOW);
    });

    async function seedRun(runId: string) {
      const dagRunId = await createDagRun(db, { dagId: 'etl', runId }, NOW);
      const tiId = `ti-${runId}`;
      const scope = { dag_run_id: dagRunId, dag_id: 'etl', run_id: runId, task_id: 'load', map_index: -1 };
      await db
        .insertInto('task_instance')
        .values({ id: tiId, ...scope, state: 'running', created_at: NOW, updated_at: NOW } as never)
        .execute();
      await db
        .insertInto('xcom')
        .values({ ...scope, key: 'return_value', value: '1', created_at: NOW })
        .execute();
      await db
        .insertInto('task_state')
        .values({ ...scope, key: 'k', value: '1', version: 1, updated_at: NOW, expires_at: null, updated_by: null })
        .execute();
      await db
        .insertInto('state_history')
        .values({
          dag_run_id: dagRunId,
          task_id: 'load',
          map_index: -1,
          asset_id: null,
          key: 'k',
          version: 1,
          operation: 'set',
          value: '1',
          written_at: NOW,
          written_by: null,
        })
        .execute();
      return { dagRunId, tiId };
    }

    const count = async (table: (typeof TABLES)[number]) =>
      Number(
        (await sql<{ n: number }>`select count(*) as n from ${sql.table(table)}`.execute(db)).rows[0]?.n ?? Number.NaN,
      );

    it('deletes a run with its task instances, XComs, task state and history, and nothing else', async () => {
      await seedRun('doomed');
      await seedRun('kept');
      expect(await deleteDagRun(db, 'etl', 'doomed')).toBe(true);
      for (const table of ['task_instance', 'xcom', 'task_state', 'state_history'] as const) {
        expect(await count(table), table).toBe(1);
      }
      expect(await deleteDagRun(db, 'etl', 'doomed')).toBe(false);
    });

    it('deletes an asset with its state, events, history and staged writes', async () => {
      const { tiId } = await seedRun('r1');
      const assetId = await activateAsset(db, { name: 'orders', uri: 's3://data/orders' }, NOW);
      await db
        .insertInto('asset_state')
        .values({ asset_id: assetId, key: 'wm', value: '"x"', version: 1, updated_at: NOW, updated_by: null })
        .execute();
      await db.insertInto('asset_event').values({ asset_id: assetId, created_at: NOW }).execute();
      await db
        .insertInto('state_pending')
        .values({
          ti_id: tiId,
          try_number: 1,
          asset_id: assetId,
          key: 'wm',
          operation: 'advance',
          value: '"y"',
          written_by: null,
          created_at: NOW,
        })
        .execute();
      await db.deleteFrom('asset').where('id', '=', assetId).execute();
      for (const table of ['asset_state', 'asset_event', 'state_pending', 'asset_active'] as const) {
        expect(await count(table), table).toBe(0);
      }
    });

    it('keeps one row per run id, per task-state key, and per asset-state key', async () => {
      const { dagRunId } = await seedRun('r1');
      await expect(createDagRun(db, { dagId: 'etl', runId: 'r1' }, NOW)).rejects.toThrow();
      await expect(
        db
          .insertInto('task_state')
          .values({
            dag_run_id: dagRunId,
            dag_id: 'etl',
            run_id: 'r1',
            task_id: 'load',
            map_index: -1,
            key: 'k',
            value: '2',
            version: 1,
            updated_at: NOW,
            expires_at: null,
            updated_by: null,
          })
          .execute(),
      ).rejects.toThrow();
      expect(await count('task_state')).toBe(1);
    });

    it('refuses a history row that names both a task and an asset', async () => {
      const { dagRunId } = await seedRun('r1');
      const assetId = await activateAsset(db, { name: 'orders' }, NOW);
      await expect(
        db
          .insertInto('state_history')
          .values({
            dag_run_id: dagRunId,
            task_id: 'load',
            map_index: -1,
            asset_id: assetId,
            key: 'k',
            version: 2,
            operation: 'set',
            value: '1',
            written_at: NOW,
            written_by: null,
          })
          .execute(),
      ).rejects.toThrow();
    });

    it('allows only one active asset per name and per uri', async () => {
      await activateAsset(db, { name: 'orders', uri: 's3://a' }, NOW);
      await expect(activateAsset(db, { name: 'orders', uri: 's3://b' }, NOW)).rejects.toThrow();
      await expect(activateAsset(db, { name: 'other', uri: 's3://a' }, NOW)).rejects.toThrow();
    });

    it('stores epoch-millisecond timestamps beyond 2038 exactly', async () => {
      const far = Date.UTC(9999, 11, 31, 23, 59, 59, 999);
      await registerDag(db, { dagId: 'far' }, far);
      const row = await db.selectFrom('dag').select('created_at').where('dag_id', '=', 'far').executeTakeFirstOrThrow();
      expect(row.created_at).toBe(far);
    });
  });
});
