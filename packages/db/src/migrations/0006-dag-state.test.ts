import { sql } from 'kysely';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { registerDag } from '../repositories/dag-repository.ts';
import { createDagRun } from '../repositories/dag-run-repository.ts';
import { eachDialect, openTestDatabaseFor } from '../testing/describe-each-dialect.ts';
import type { TestDatabase } from '../testing/test-database.ts';
import { dagStateSchema } from './0006-dag-state.ts';
import { MIGRATIONS } from './migration-list.ts';

const NOW = Date.UTC(2026, 0, 1);

/** SPEC §17: migration 0006 rebuilds task_state and state_history on SQLite; nothing may be lost. */
describe.each(eachDialect())('migration 0006_dag_state on %s', (dialect) => {
  let test: TestDatabase;
  beforeEach(async () => {
    test = await openTestDatabaseFor(dialect, { migrate: false });
  });
  afterEach(() => test.destroy());

  const row = { key: 'k', value: '"v"', version: 1, updated_at: NOW, updated_by: null };

  it('keeps task state and history rows (and their ids) written before it, and then enforces the new scopes', async () => {
    const db = test.database.db;
    for (const migration of MIGRATIONS.slice(0, MIGRATIONS.indexOf(dagStateSchema))) {
      await migration.up(db, dialect);
    }
    await registerDag(db, { dagId: 'etl' }, NOW);
    const dagRunId = await createDagRun(db, { dagId: 'etl', runId: 'r1' }, NOW);
    const scope = { dag_run_id: dagRunId, dag_id: 'etl', run_id: 'r1', task_id: 'load', map_index: 2 };
    await sql`insert into task_state (id, dag_run_id, dag_id, run_id, task_id, map_index, key, value, version, updated_at, expires_at)
      values (41, ${dagRunId}, 'etl', 'r1', 'load', 2, 'k', '"v"', 3, ${NOW}, ${NOW + 1})`.execute(db);
    await sql`insert into state_history (id, dag_run_id, task_id, map_index, key, version, operation, value, written_at)
      values (7, ${dagRunId}, 'load', 2, 'k', 3, 'set', '"v"', ${NOW})`.execute(db);

    await dagStateSchema.up(db, dialect);

    expect(await db.selectFrom('task_state').selectAll().execute()).toEqual([
      expect.objectContaining({ id: 41, ...scope, version: 3, expires_at: NOW + 1, item_key: null }),
    ]);
    expect(await db.selectFrom('state_history').select(['id', 'dag_id', 'item_key', 'version']).execute()).toEqual([
      { id: 7, dag_id: null, item_key: null, version: 3 },
    ]);
    // The positional key is still unique; the same key of two items of the task is not a clash.
    await expect(
      db
        .insertInto('task_state')
        .values({ ...scope, ...row, expires_at: null })
        .execute(),
    ).rejects.toThrow();
    const item = (itemKey: string) => ({ ...scope, map_index: -1, item_key: itemKey, ...row, expires_at: null });
    await db.insertInto('task_state').values(item('a')).execute();
    await db.insertInto('task_state').values(item('b')).execute();
    await expect(db.insertInto('task_state').values(item('a')).execute()).rejects.toThrow();
    if (dialect === 'sqlite') {
      // The rebuilt table's id sequence continues after the copied rows (PostgreSQL alters in place).
      const next = await db.insertInto('task_state').values(item('c')).returning('id').executeTakeFirstOrThrow();
      expect(Number(next.id)).toBeGreaterThan(41);
    }
  });

  describe('after it', () => {
    beforeEach(async () => {
      for (const migration of MIGRATIONS) await migration.up(test.database.db, dialect);
      await registerDag(test.database.db, { dagId: 'etl' }, NOW);
      await registerDag(test.database.db, { dagId: 'kept' }, NOW);
    });

    const history = (fields: Record<string, unknown>) =>
      test.database.db
        .insertInto('state_history')
        .values({
          key: 'k',
          version: 1,
          operation: 'set',
          value: '1',
          written_at: NOW,
          written_by: null,
          ...fields,
        } as never)
        .execute();

    it('deletes the DAG state and its history with the DAG, and nothing of another DAG', async () => {
      const { db } = test.database;
      for (const dagId of ['etl', 'kept']) {
        await db
          .insertInto('dag_state')
          .values({ dag_id: dagId, ...row, expires_at: null })
          .execute();
        await history({ dag_id: dagId });
      }
      await expect(
        db
          .insertInto('dag_state')
          .values({ dag_id: 'etl', ...row, expires_at: null })
          .execute(),
      ).rejects.toThrow();
      await db.deleteFrom('dag').where('dag_id', '=', 'etl').execute();
      expect(await db.selectFrom('dag_state').select('dag_id').execute()).toEqual([{ dag_id: 'kept' }]);
      expect(await db.selectFrom('state_history').select('dag_id').execute()).toEqual([{ dag_id: 'kept' }]);
    });

    it('refuses a history row naming a DAG and a task, or an item key without a task', async () => {
      const dagRunId = await createDagRun(test.database.db, { dagId: 'etl', runId: 'r1' }, NOW);
      await expect(history({ dag_id: 'etl', dag_run_id: dagRunId, task_id: 'load', map_index: -1 })).rejects.toThrow();
      await expect(history({ dag_id: 'etl', item_key: 'a' })).rejects.toThrow();
      await history({ dag_run_id: dagRunId, task_id: 'load', map_index: -1, item_key: 'a' });
    });
  });
});
