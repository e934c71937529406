import { beforeEach, describe, expect, it } from 'vitest';
import type { Db } from '../open-database.ts';
import { registerDag } from '../repositories/dag-repository.ts';
import { createDagRun } from '../repositories/dag-run-repository.ts';
import { setXcom } from '../repositories/xcom-repository.ts';
import { eachDialect } from '../testing/describe-each-dialect.ts';
import { useTestDatabase } from '../testing/use-test-database.ts';
import { findXcomEntry, listXcomEntryPage } from './xcom-queries.ts';

const T0 = Date.UTC(2026, 0, 1);

describe.each(eachDialect())('XCom queries on %s', (dialect) => {
  const test = useTestDatabase(dialect);
  let db: Db;
  let dagRunId: number;

  beforeEach(async () => {
    db = test.database.db;
    await registerDag(db, { dagId: 'fanout' }, T0);
    dagRunId = await createDagRun(db, { dagId: 'fanout', runId: 'r1' }, T0);
    const other = await createDagRun(db, { dagId: 'fanout', runId: 'r2' }, T0);
    await setXcom(db, {
      dagRunId: other,
      dagId: 'fanout',
      runId: 'r2',
      taskId: 'work',
      mapIndex: 0,
      key: 'return_value',
      value: '0',
      now: T0,
    });
  });

  const page = { limit: 100, offset: 0 };

  it('lists and finds XCom entries', async () => {
    const put = (taskId: string, mapIndex: number, key: string, value: unknown, now: number) =>
      setXcom(db, { dagRunId, dagId: 'fanout', runId: 'r1', taskId, mapIndex, key, value: JSON.stringify(value), now });
    await put('work', 2, 'return_value', 'c', T0 + 3);
    await put('work', 0, 'return_value', 'a', T0 + 1);
    await put('work', 0, 'progress', { done: 1 }, T0 + 2);
    await put('split', -1, 'return_value', [1, 2, 3], T0);

    const all = await listXcomEntryPage(db, { dagRunId, taskId: 'work' }, page);
    expect(all.total).toBe(3);
    expect(all.rows.map((row) => `${row.map_index}.${row.key}`)).toEqual([
      '0.progress',
      '0.return_value',
      '2.return_value',
    ]);
    expect(all.rows[0]).toEqual({
      key: 'progress',
      created_at: T0 + 2,
      map_index: 0,
      task_id: 'work',
      dag_id: 'fanout',
      run_id: 'r1',
    });
    const one = await listXcomEntryPage(db, { dagRunId, taskId: 'work', mapIndex: 2 }, { limit: 1, offset: 0 });
    expect([one.total, one.rows.map((row) => row.key)]).toEqual([1, ['return_value']]);

    expect(await findXcomEntry(db, { dagRunId, taskId: 'work', mapIndex: 0, key: 'progress' })).toMatchObject({
      key: 'progress',
      value: '{"done":1}',
    });
    expect(await findXcomEntry(db, { dagRunId, taskId: 'work', mapIndex: 1, key: 'progress' })).toBeUndefined();
  });
});
