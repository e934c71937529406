import { xcomEntryCollectionSchema, xcomEntryWithValueSchema } from '@tidemark/core';
import { eachDialect } from '@tidemark/db/testing';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { T0 } from '../../testing/execution-harness.ts';
import {
  detailOf,
  openTaskInstanceHarness,
  RUNS_URL,
  seedOrdersRun,
  type TaskInstanceHarness,
} from '../../testing/task-instance-test-kit.ts';

const TIS_URL = `${RUNS_URL}/manual__1/taskInstances`;

describe.each(eachDialect())('GET …/taskInstances/{task_id}/xcomEntries on %s', (dialect) => {
  let harness: TaskInstanceHarness;

  const put = async (taskId: string, mapIndex: number, key: string, value: unknown, at = T0) => {
    const run = await harness.database.db
      .selectFrom('dag_run')
      .select('id')
      .where('run_id', '=', 'manual__1')
      .executeTakeFirstOrThrow();
    await harness.database.db
      .insertInto('xcom')
      .values({
        dag_run_id: run.id,
        dag_id: 'orders',
        run_id: 'manual__1',
        task_id: taskId,
        map_index: mapIndex,
        key,
        value: JSON.stringify(value),
        created_at: at,
      })
      .execute();
  };

  beforeEach(async () => {
    harness = await openTaskInstanceHarness(dialect);
    await seedOrdersRun(harness, { mapped: 3 });
    await put('extract', -1, 'return_value', ['a', 'b', 'c'], T0 + 1_000);
    await put('extract', -1, 'cursor', { page: 3, 'key/with slash': true }, T0 + 500);
    await put('extract', -1, 'a/b c', 'slashes', T0 + 600);
    await put('transform', 0, 'return_value', 'A', T0 + 2_000);
    await put('transform', 2, 'return_value', 'C', T0 + 2_100);
    await put('transform', 2, 'rows', 12, T0 + 2_050);
  });
  afterEach(() => harness.close());

  it('lists a TI’s XComs ordered by key, in the Airflow shape', async () => {
    const response = await harness.api('GET', `${TIS_URL}/extract/xcomEntries`);
    expect(response.statusCode).toBe(200);
    expect(xcomEntryCollectionSchema.parse(response.json())).toEqual({
      xcom_entries: [
        {
          key: 'a/b c',
          timestamp: '2026-01-01T00:00:00.600Z',
          map_index: -1,
          task_id: 'extract',
          dag_id: 'orders',
          run_id: 'manual__1',
        },
        expect.objectContaining({ key: 'cursor', timestamp: '2026-01-01T00:00:00.500Z' }),
        expect.objectContaining({ key: 'return_value', timestamp: '2026-01-01T00:00:01.000Z' }),
      ],
      total_entries: 3,
    });
  });

  it('lists every map index of a mapped task without map_index, one with it; paginates', async () => {
    const all = xcomEntryCollectionSchema.parse((await harness.api('GET', `${TIS_URL}/transform/xcomEntries`)).json());
    expect(all.xcom_entries.map((entry) => `${entry.map_index}.${entry.key}`)).toEqual([
      '0.return_value',
      '2.return_value',
      '2.rows',
    ]);
    const two = await harness.api('GET', `${TIS_URL}/transform/xcomEntries?map_index=2`);
    expect(two.json().total_entries).toBe(2);
    const empty = await harness.api('GET', `${TIS_URL}/transform/xcomEntries?map_index=1`);
    expect(empty.json()).toEqual({ xcom_entries: [], total_entries: 0 });
    const page = await harness.api('GET', `${TIS_URL}/transform/xcomEntries?limit=1&offset=1`);
    expect(page.json()).toEqual({
      xcom_entries: [expect.objectContaining({ map_index: 2, key: 'return_value' })],
      total_entries: 3,
    });
  });

  it('gets one entry with its parsed value; keys may hold slashes and spaces', async () => {
    const response = await harness.api('GET', `${TIS_URL}/extract/xcomEntries/cursor`);
    expect(response.statusCode).toBe(200);
    expect(xcomEntryWithValueSchema.parse(response.json())).toEqual({
      key: 'cursor',
      timestamp: '2026-01-01T00:00:00.500Z',
      map_index: -1,
      task_id: 'extract',
      dag_id: 'orders',
      run_id: 'manual__1',
      value: { page: 3, 'key/with slash': true },
    });
    const slashed = await harness.api('GET', `${TIS_URL}/extract/xcomEntries/${encodeURIComponent('a/b c')}`);
    expect(slashed.json()).toMatchObject({ key: 'a/b c', value: 'slashes' });
    const mapped = await harness.api('GET', `${TIS_URL}/transform/xcomEntries/rows?map_index=2`);
    expect(mapped.json()).toMatchObject({ map_index: 2, value: 12 });
  });

  it('answers 404 xcom_not_found for a missing key or map index', async () => {
    for (const url of [
      'extract/xcomEntries/nope',
      'transform/xcomEntries/rows?map_index=0',
      'load/xcomEntries/return_value',
    ]) {
      const response = await harness.api('GET', `${TIS_URL}/${url}`);
      expect(response.statusCode, url).toBe(404);
      expect(detailOf(response).reason).toBe('xcom_not_found');
    }
  });

  it('answers 404 for a mapped task without map_index, unknown tasks, map indices and runs', async () => {
    const mapped = await harness.api('GET', `${TIS_URL}/transform/xcomEntries/return_value`);
    expect(mapped.statusCode).toBe(404);
    expect(detailOf(mapped)).toEqual({
      reason: 'task_instance_not_found',
      message: expect.stringContaining('pass ?map_index='),
    });
    const cases: [string, string][] = [
      [`${TIS_URL}/nope/xcomEntries`, 'task_instance_not_found'],
      [`${TIS_URL}/transform/xcomEntries?map_index=7`, 'task_instance_not_found'],
      [`${TIS_URL}/nope/xcomEntries/return_value`, 'task_instance_not_found'],
      [`${RUNS_URL}/nope/taskInstances/extract/xcomEntries`, 'dag_run_not_found'],
      [`${RUNS_URL}/nope/taskInstances/extract/xcomEntries/return_value`, 'dag_run_not_found'],
    ];
    for (const [url, reason] of cases) {
      const response = await harness.api('GET', url);
      expect(response.statusCode, url).toBe(404);
      expect(detailOf(response).reason).toBe(reason);
    }
  });

  it('answers 422 for a bad map_index or page, and 401 without a token', async () => {
    for (const query of ['map_index=x', 'limit=1001', 'offset=-1']) {
      const response = await harness.api('GET', `${TIS_URL}/extract/xcomEntries?${query}`);
      expect(response.statusCode, query).toBe(422);
    }
    expect((await harness.api('GET', `${TIS_URL}/extract/xcomEntries`, { token: null })).statusCode).toBe(401);
    expect((await harness.api('GET', `${TIS_URL}/extract/xcomEntries/cursor`, { token: null })).statusCode).toBe(401);
  });
});
