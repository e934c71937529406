import { beforeEach, describe, expect, it } from 'vitest';
import { eachDialect } from '../testing/describe-each-dialect.ts';
import { useTestDatabase } from '../testing/use-test-database.ts';
import { registerDag } from './dag-repository.ts';
import { createDagRun, deleteDagRun } from './dag-run-repository.ts';
import { clearXcoms, getMappedXcoms, getXcom, setXcom } from './xcom-repository.ts';

describe.each(eachDialect())('xcom repository on %s', (dialect) => {
  const test = useTestDatabase(dialect);
  let dagRunId: number;

  beforeEach(async () => {
    await registerDag(test.database.db, { dagId: 'fanout' });
    dagRunId = await createDagRun(test.database.db, { dagId: 'fanout', runId: 'r1' });
  });

  function set(taskId: string, mapIndex: number, value: unknown, key = 'return_value', now = 1) {
    return setXcom(test.database.db, {
      dagRunId,
      dagId: 'fanout',
      runId: 'r1',
      taskId,
      mapIndex,
      key,
      value: JSON.stringify(value),
      now,
    });
  }

  it('stores, replaces and reads a value as parsed JSON', async () => {
    const address = { dagRunId, taskId: 'a', mapIndex: -1, key: 'return_value' };
    expect(await getXcom(test.database.db, address)).toBeUndefined();
    await set('a', -1, { rows: [1, 2] });
    expect(await getXcom(test.database.db, address)).toEqual({ rows: [1, 2] });
    await set('a', -1, 'replaced', 'return_value', 2);
    expect(await getXcom(test.database.db, address)).toBe('replaced');
    const rows = await test.database.db.selectFrom('xcom').selectAll().execute();
    expect(rows).toEqual([expect.objectContaining({ value: '"replaced"', created_at: 2 })]);
  });

  it('returns mapped values in map-index order, leaving out the unmapped one', async () => {
    for (const index of [10, 2, 0, 1]) await set('m', index, `item-${index}`);
    await set('m', -1, 'unmapped');
    await set('m', 3, 'other key', 'progress');
    await set('other', 4, 'other task');
    expect(await getMappedXcoms(test.database.db, { dagRunId, taskId: 'm', key: 'return_value' })).toEqual([
      'item-0',
      'item-1',
      'item-2',
      'item-10',
    ]);
    expect(await getMappedXcoms(test.database.db, { dagRunId, taskId: 'none', key: 'return_value' })).toEqual([]);
  });

  it('clears one TI’s XComs, every key, and nothing else', async () => {
    await set('m', 0, 1);
    await set('m', 0, 2, 'progress');
    await set('m', 1, 3);
    expect(await clearXcoms(test.database.db, { dagRunId, taskId: 'm', mapIndex: 0 })).toBe(2);
    expect(await getMappedXcoms(test.database.db, { dagRunId, taskId: 'm', key: 'return_value' })).toEqual([3]);
  });

  it('goes with its DAG run', async () => {
    await set('m', 0, 1);
    await deleteDagRun(test.database.db, 'fanout', 'r1');
    expect(await test.database.db.selectFrom('xcom').selectAll().execute()).toEqual([]);
  });
});
