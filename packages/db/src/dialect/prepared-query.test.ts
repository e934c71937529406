import { sql } from 'kysely';
import { beforeEach, describe, expect, it } from 'vitest';
import type { Db } from '../open-database.ts';
import { eachDialect } from '../testing/describe-each-dialect.ts';
import { queryCounter } from '../testing/query-counter.ts';
import { seedDagRun } from '../testing/seed-task-instance.ts';
import { useTestDatabase } from '../testing/use-test-database.ts';
import { type Placeholder, preparedStatementName, runPrepared, runPreparedInOrder } from './prepared-query.ts';

describe.each(eachDialect())('queries prepared once per shape on %s', (dialect) => {
  const test = useTestDatabase(dialect);

  beforeEach(async () => {
    for (const dagId of ['alpha', 'beta']) await seedDagRun(test.database.db, { dagId }, { runId: 'manual__1' });
  });

  const runsOf = (dagId: string, on: Db = test.database.db) =>
    runPrepared(on, dialect, 'test-runs-of-dag', { dagId }, (db, param) =>
      db.selectFrom('dag_run').select(['dag_id', 'run_id']).where('dag_id', '=', param('dagId')),
    );

  it('binds new values into the SQL built the first time, and answers as the builder would', async () => {
    expect(await runsOf('alpha')).toEqual([{ dag_id: 'alpha', run_id: 'manual__1' }]);
    expect(await runsOf('beta')).toEqual([{ dag_id: 'beta', run_id: 'manual__1' }]);
    expect(await runsOf('gamma')).toEqual([]);
    const built = await test.database.db
      .selectFrom('dag_run')
      .select(['dag_id', 'run_id'])
      .where('dag_id', '=', 'beta')
      .execute();
    expect(await runsOf('beta')).toEqual(built);
  });

  it('keeps a null filter as IS NULL in the text, and binds a null value passed to a placeholder', async () => {
    const endedAt = (endDate: number | null) =>
      runPrepared(
        test.database.db,
        dialect,
        `test-ended:${endDate === null ? 'null' : 'value'}`,
        { endDate },
        (db, param) =>
          db
            .selectFrom('dag_run')
            .select('dag_id')
            .where((eb) => eb.and({ end_date: endDate === null ? null : param('endDate') }))
            .orderBy('dag_id'),
      );
    expect((await endedAt(null)).map((row) => row.dag_id)).toEqual(['alpha', 'beta']);
    expect(await endedAt(12_345)).toEqual([]);
  });

  it('refuses a value bound without a placeholder, which would be frozen into every later call', async () => {
    await expect(
      runPrepared(test.database.db, dialect, 'test-frozen-value', {}, (db) =>
        db.selectFrom('dag_run').select('dag_id').where('dag_id', '=', 'alpha'),
      ),
    ).rejects.toThrow(/the value alpha is bound without param\(\)/);
  });

  it('refuses a placeholder written into the SQL text, and a value missing at a later call', async () => {
    await expect(
      runPrepared(test.database.db, dialect, 'test-inlined', { dagId: 'alpha' }, (db, param) =>
        db
          .selectFrom('dag_run')
          .select('dag_id')
          .where('dag_id', '=', sql.lit(param('dagId'))),
      ),
    ).rejects.toThrow(/written into the SQL text/);
    await runsOf('alpha');
    await expect(
      runPrepared(test.database.db, dialect, 'test-runs-of-dag', {}, (db, param) =>
        db.selectFrom('dag_run').select(['dag_id', 'run_id']).where('dag_id', '=', param('dagId')),
      ),
    ).rejects.toThrow(/no value for parameter "dagId"/);
  });

  it('runs statements that return nothing in order, as one statement on PostgreSQL, each with its own values', async () => {
    const endAt = (dagId: string, endDate: number) => ({
      shape: 'test-note-run',
      values: { dagId, endDate },
      build: (db: Db, param: Placeholder) =>
        db
          .updateTable('dag_run')
          .set({ end_date: param('endDate') })
          .where('dag_id', '=', param('dagId')),
    });
    const dropRun = {
      shape: 'test-drop-run',
      values: { dagId: 'gamma' },
      build: (db: Db, param: Placeholder) => db.deleteFrom('dag_run').where('dag_id', '=', param('dagId')),
    };
    await seedDagRun(test.database.db, { dagId: 'gamma' }, { runId: 'manual__1' });
    await runPreparedInOrder(test.database.db, dialect, [endAt('alpha', 1_000), endAt('beta', 2_000), dropRun]);
    const runs = await test.database.db
      .selectFrom('dag_run')
      .select(['dag_id', 'end_date'])
      .orderBy('dag_id')
      .execute();
    expect(runs).toEqual([
      { dag_id: 'alpha', end_date: 1_000 },
      { dag_id: 'beta', end_date: 2_000 },
    ]);
  });

  it.runIf(dialect === 'postgres')(
    'prepares its text once per PostgreSQL connection, under its name; other queries stay unnamed',
    async () => {
      await runsOf('alpha'); // compiles the shape
      await test.database.db.transaction().execute(async (trx) => {
        expect(await runPrepared(trx, dialect, 'test-runs-of-dag', { dagId: 'beta' }, never)).toEqual([
          { dag_id: 'beta', run_id: 'manual__1' },
        ]);
        await trx.selectFrom('dag_run').select('dag_id').where('dag_id', '=', 'alpha').execute();
        const { rows } = await sql<{ name: string; statement: string }>`
          select name, statement from pg_prepared_statements`.execute(trx);
        const byText = new Map(rows.map((row) => [row.statement, row.name]));
        const preparedText = 'select "dag_id", "run_id" from "dag_run" where "dag_id" = $1';
        expect(byText.get(preparedText)).toBe(preparedStatementName(preparedText));
        expect(byText.get(preparedText)).toMatch(/^tidemark_prepared_\d+$/);
        expect(byText.has('select "dag_id" from "dag_run" where "dag_id" = $1')).toBe(false);
      });
    },
  );

  it('inside a transaction, runs on its connection: sees its own writes, and a rollback undoes its own', async () => {
    const rollback = new Error('roll back');
    await expect(
      test.database.db.transaction().execute(async (trx) => {
        await seedDagRun(trx, { dagId: 'gamma' }, { runId: 'manual__1' });
        expect(await runsOf('gamma', trx)).toEqual([{ dag_id: 'gamma', run_id: 'manual__1' }]);
        await runPrepared(trx, dialect, 'test-end-run', { dagId: 'alpha', endDate: 7 }, (db, param) =>
          db
            .updateTable('dag_run')
            .set({ end_date: param('endDate') })
            .where('dag_id', '=', param('dagId')),
        );
        expect(await trx.selectFrom('dag_run').select('end_date').where('dag_id', '=', 'alpha').execute()).toEqual([
          { end_date: 7 },
        ]);
        throw rollback;
      }),
    ).rejects.toBe(rollback);
    expect(await runsOf('gamma')).toEqual([]);
    const alpha = await test.database.db
      .selectFrom('dag_run')
      .select('end_date')
      .where('dag_id', '=', 'alpha')
      .execute();
    expect(alpha).toEqual([{ end_date: null }]);
  });

  it('inside a transaction, a statement the database refuses rejects with its error and undoes the transaction', async () => {
    const refused = test.database.db.transaction().execute(async (trx) => {
      await seedDagRun(trx, { dagId: 'gamma' }, { runId: 'manual__1' });
      await runPrepared(trx, dialect, 'test-clear-run-id', { dagId: 'alpha', runId: null }, (db, param) =>
        db
          .updateTable('dag_run')
          .set({ run_id: param('runId') })
          .where('dag_id', '=', param('dagId')),
      );
    });
    await expect(refused).rejects.toMatchObject({
      code: dialect === 'sqlite' ? 'SQLITE_CONSTRAINT_NOTNULL' : '23502',
    });
    expect(await runsOf('gamma')).toEqual([]);
    expect(await runsOf('alpha')).toEqual([{ dag_id: 'alpha', run_id: 'manual__1' }]);
  });

  it.runIf(dialect === 'sqlite')(
    'SQLite: inside a transaction the statement runs on the connection directly, not through Kysely',
    async () => {
      const throughKysely = queryCounter();
      const db = test.database.db.withPlugin(throughKysely.plugin);
      await runsOf('alpha', db);
      expect(throughKysely.count).toBe(1);
      await db.transaction().execute(async (trx) => {
        expect(await runsOf('beta', trx)).toEqual([{ dag_id: 'beta', run_id: 'manual__1' }]);
      });
      expect(throughKysely.count).toBe(1);
    },
  );
});

/** A builder a test expects never to be called: the shape's SQL is already compiled. */
function never(): never {
  throw new Error('the query was built again');
}
