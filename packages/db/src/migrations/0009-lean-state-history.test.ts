import { type Kysely, sql } from 'kysely';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { registerDag } from '../repositories/dag-repository.ts';
import { createDagRun } from '../repositories/dag-run-repository.ts';
import { eachDialect, openTestDatabaseFor } from '../testing/describe-each-dialect.ts';
import type { TestDatabase } from '../testing/test-database.ts';
import { leanStateHistorySchema } from './0009-lean-state-history.ts';
import { MIGRATIONS } from './migration-list.ts';

const NOW = Date.UTC(2026, 0, 1);

// biome-ignore lint/suspicious/noExplicitAny: the test reads the plans of raw statements
type AnyDb = Kysely<any>;

/** Issue 18: migration 0009 rebuilds state_history on SQLite and makes its indexes partial; nothing may be lost. */
describe.each(eachDialect())('migration 0009_lean_state_history on %s', (dialect) => {
  let test: TestDatabase;
  beforeEach(async () => {
    test = await openTestDatabaseFor(dialect, { migrate: false });
  });
  afterEach(() => test.destroy());

  async function migrateTo(migration: (typeof MIGRATIONS)[number], db: AnyDb): Promise<void> {
    for (const earlier of MIGRATIONS.slice(0, MIGRATIONS.indexOf(migration))) await earlier.up(db, dialect);
  }

  it('keeps every history row with its id, still enforces one scope per row, and continues the ids', async () => {
    const db = test.database.db as unknown as AnyDb;
    await migrateTo(leanStateHistorySchema, db);
    await registerDag(test.database.db, { dagId: 'etl' }, NOW);
    const dagRunId = await createDagRun(test.database.db, { dagId: 'etl', runId: 'r1' }, NOW);
    await sql`insert into state_history (id, dag_run_id, task_id, map_index, key, version, operation, value, written_at)
      values (7, ${dagRunId}, 'load', 2, 'k', 3, 'set', '"v"', ${NOW})`.execute(db);
    await sql`insert into state_history (id, dag_id, key, version, operation, value, written_at, written_by)
      values (9, 'etl', 'cursor', 1, 'set', '1', ${NOW}, '{"kind":"user"}')`.execute(db);

    await leanStateHistorySchema.up(db, dialect);

    const rows = await db
      .selectFrom('state_history')
      .select(['id', 'dag_run_id', 'dag_id', 'key', 'version', 'value', 'written_by'])
      .orderBy('id')
      .execute();
    expect(
      rows.map((row) => ({ ...row, id: Number(row.id), dag_run_id: row.dag_run_id && Number(row.dag_run_id) })),
    ).toEqual([
      { id: 7, dag_run_id: dagRunId, dag_id: null, key: 'k', version: 3, value: '"v"', written_by: null },
      { id: 9, dag_run_id: null, dag_id: 'etl', key: 'cursor', version: 1, value: '1', written_by: '{"kind":"user"}' },
    ]);
    // A row of two scopes is still refused.
    await expect(
      sql`insert into state_history (dag_run_id, task_id, map_index, dag_id, key, version, operation, written_at)
        values (${dagRunId}, 'load', 2, 'etl', 'k', 4, 'set', ${NOW})`.execute(db),
    ).rejects.toThrow(/state_history_one_scope|CHECK constraint/);
    if (dialect === 'sqlite') {
      const next = await db
        .insertInto('state_history')
        .values({ dag_id: 'etl', key: 'cursor', version: 2, operation: 'set', value: '2', written_at: NOW })
        .returning('id')
        .executeTakeFirstOrThrow();
      expect(Number(next.id)).toBe(10);
      const sequence = await sql<{ n: number }>`select count(*) as n from sqlite_sequence where name = 'state_history'`
        .execute(db)
        .then((result) => Number(result.rows[0]?.n));
      expect(sequence).toBe(0);
    }
  });

  it("finds each scope's history through that scope's index", async () => {
    const db = test.database.db as unknown as AnyDb;
    for (const migration of MIGRATIONS) await migration.up(db, dialect);
    const byScope: Record<string, string> = {
      state_history_task_key_idx: `dag_run_id = 1 and task_id = 't' and map_index = -1 and item_key is null and key = 'k'`,
      state_history_item_key_idx: `dag_run_id = 1 and task_id = 't' and item_key = 'i' and key = 'k'`,
      state_history_asset_key_idx: `asset_id = 1 and key = 'k'`,
      state_history_dag_key_idx: `dag_id = 'd' and key = 'k'`,
    };
    for (const [index, where] of Object.entries(byScope)) {
      const plan = await planOf(db, `select version from state_history where ${where} order by version desc`);
      expect(plan, where).toContain(index);
    }
    // GC's sweep of an inactive asset's history.
    expect(await planOf(db, 'select id from state_history where asset_id in (1, 2) and id > 0')).toContain(
      'state_history_asset_key_idx',
    );
  });

  async function planOf(db: AnyDb, query: string): Promise<string> {
    if (dialect === 'sqlite') {
      const result = await sql<{ detail: string }>`explain query plan ${sql.raw(query)}`.execute(db);
      return result.rows.map((row) => row.detail).join('\n');
    }
    // The tables are empty: without this PostgreSQL would rightly prefer a sequential scan.
    return db.transaction().execute(async (trx) => {
      await sql`set local enable_seqscan = off`.execute(trx);
      const result = await sql<{ 'QUERY PLAN': string }>`explain ${sql.raw(query)}`.execute(trx);
      return result.rows.map((row) => row['QUERY PLAN']).join('\n');
    });
  }
});
