import { readFileSync } from 'node:fs';
import { activateAsset } from '@tidemark/db';
import { eachDialect } from '@tidemark/db/testing';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import {
  type ExecutionHarness,
  errorOf,
  openExecutionHarness,
  putXcom,
  requeue,
  type SeededRun,
  T0,
  taskInstanceRow,
} from '../testing/execution-harness.ts';
import { attemptLogPath } from './attempt-log.ts';

describe.each(eachDialect())('PATCH …/state on %s', (dialect) => {
  let harness: ExecutionHarness;
  let run: SeededRun;

  beforeEach(async () => {
    harness = await openExecutionHarness(dialect, { state: { max_value_bytes: 1_024 } });
    run = await harness.seedRun();
  });
  afterEach(() => harness.close());

  const finish = (tiId: string, token: string, payload: unknown) =>
    harness.request({
      method: 'PATCH',
      url: `/execution/task-instances/${tiId}/state`,
      token,
      payload: payload as object,
    });

  const xcoms = () => harness.database.db.selectFrom('xcom').select(['task_id', 'key', 'value']).execute();

  it('success: marks the TI, stores return_value and records an event for each outlet asset', async () => {
    const ordersId = await activateAsset(harness.database.db, { name: 'orders', uri: 's3://warehouse/orders' }, T0);
    const tiId = await harness.seedTi(run, { taskId: 'load' });
    const { token } = await harness.claim();
    harness.clock.advance(4_000);

    const response = await finish(tiId, token, { state: 'success', return_value: { rows: 1_200, files: ['a', 'b'] } });

    expect(response.statusCode).toBe(200);
    expect(response.json()).toEqual({ state: 'success', next_retry_at: null });
    expect(await taskInstanceRow(harness.database, tiId)).toMatchObject({ state: 'success', end_date: T0 + 4_000 });
    expect(await xcoms()).toEqual([
      { task_id: 'load', key: 'return_value', value: JSON.stringify({ rows: 1_200, files: ['a', 'b'] }) },
    ]);
    const events = await harness.database.db.selectFrom('asset_event').selectAll().execute();
    expect(events).toEqual([
      expect.objectContaining({
        asset_id: ordersId,
        source_dag_id: 'orders',
        source_run_id: 'manual__1',
        source_task_id: 'load',
        source_map_index: -1,
        created_at: T0 + 4_000,
      }),
    ]);
  });

  it('success without a return value (or with null) stores no XCom', async () => {
    const first = await harness.seedTi(run, { taskId: 'extract' });
    const second = await harness.seedTi(run, { taskId: 'load', queuedAt: T0 + 1 });
    const a = await harness.claim();
    const b = await harness.claim();
    expect((await finish(first, a.token, { state: 'success' })).statusCode).toBe(200);
    expect((await finish(second, b.token, { state: 'success', return_value: null })).statusCode).toBe(200);
    expect(await xcoms()).toEqual([]);
  });

  it('failure: up_for_retry after the retry delay, then failed when the tries are used up', async () => {
    const tiId = await harness.seedTi(run, { taskId: 'extract', maxTries: 3 });
    const outcomes = [];
    for (let tryNumber = 1; tryNumber <= 3; tryNumber++) {
      const claimed = await harness.claim();
      expect(claimed.try_number).toBe(tryNumber);
      harness.clock.advance(1_000);
      const response = await finish(tiId, claimed.token, { state: 'failed', error: 'HTTP 503', retryable: true });
      expect(response.statusCode).toBe(200);
      outcomes.push(response.json());
      await requeue(harness.database, tiId);
    }
    expect(outcomes).toEqual([
      { state: 'up_for_retry', next_retry_at: T0 + 1_000 + 5_000 },
      { state: 'up_for_retry', next_retry_at: T0 + 2_000 + 5_000 },
      { state: 'failed', next_retry_at: null },
    ]);
    const log = readFileSync(
      attemptLogPath(harness.logsFolder, {
        dagId: 'orders',
        runId: 'manual__1',
        taskId: 'extract',
        mapIndex: -1,
        tryNumber: 1,
      }),
      'utf8',
    );
    expect(log).toBe(
      `${new Date(T0 + 1_000).toISOString()} INFO [server] attempt 1 finished: task instance is up_for_retry; next try at ${new Date(T0 + 6_000).toISOString()}\n`,
    );
  });

  it('failure: exponential backoff doubles the delay up to its cap', async () => {
    await putXcom(harness.database, run, { taskId: 'extract', value: ['x'] });
    const tiId = await harness.seedTi(run, { taskId: 'transform', mapIndex: 0, maxTries: 4 });
    const delays = [];
    for (let tryNumber = 1; tryNumber <= 3; tryNumber++) {
      const claimed = await harness.claim();
      const response = await finish(tiId, claimed.token, { state: 'failed', error: 'flaky', retryable: true });
      delays.push(response.json().next_retry_at - T0);
      await requeue(harness.database, tiId);
    }
    expect(delays).toEqual([1_000, 2_000, 3_000]);
  });

  it('failure that is not retryable: failed at once, with tries left', async () => {
    const tiId = await harness.seedTi(run, { taskId: 'extract', maxTries: 3 });
    const { token } = await harness.claim();
    const response = await finish(tiId, token, { state: 'failed', error: 'FailTask: bad input', retryable: false });
    expect(response.json()).toEqual({ state: 'failed', next_retry_at: null });
    expect(await taskInstanceRow(harness.database, tiId)).toMatchObject({
      state: 'failed',
      try_number: 1,
      end_date: T0,
    });
  });

  it('skipped: marks the TI skipped', async () => {
    const tiId = await harness.seedTi(run, { taskId: 'extract' });
    const { token } = await harness.claim();
    const response = await finish(tiId, token, { state: 'skipped', reason: 'no new files' });
    expect(response.json()).toEqual({ state: 'skipped', next_retry_at: null });
    expect((await taskInstanceRow(harness.database, tiId)).state).toBe('skipped');
  });

  it('a stale attempt gets 409 and changes nothing', async () => {
    await activateAsset(harness.database.db, { name: 'orders', uri: 's3://warehouse/orders' }, T0);
    const tiId = await harness.seedTi(run, { taskId: 'load', maxTries: 2 });
    const first = await harness.claim();
    await requeue(harness.database, tiId);
    await harness.claim();
    const before = await taskInstanceRow(harness.database, tiId);

    for (const payload of [
      { state: 'success', return_value: 1 },
      { state: 'failed', error: 'x', retryable: true },
      { state: 'skipped', reason: 'x' },
    ]) {
      const response = await finish(tiId, first.token, payload);
      expect(response.statusCode).toBe(409);
      expect(errorOf(response)).toEqual({
        reason: 'stale_attempt',
        message: expect.stringContaining('the task instance is running at try 2'),
      });
    }
    expect(await taskInstanceRow(harness.database, tiId)).toEqual(before);
    expect(await xcoms()).toEqual([]);
    expect(await harness.database.db.selectFrom('asset_event').selectAll().execute()).toEqual([]);
  });

  it('answers 422 naming the field for bad bodies, and changes nothing', async () => {
    const tiId = await harness.seedTi(run, { taskId: 'extract' });
    const { token } = await harness.claim();
    const cases: [unknown, RegExp][] = [
      [{ state: 'done' }, /^invalid request body: state: /],
      [{ state: 'failed', error: 'x' }, /^invalid request body: retryable: /],
      [{ state: 'success', extra: 1 }, /^invalid request body: .*extra/],
      [[1, 2], /^invalid request body: /],
    ];
    for (const [payload, message] of cases) {
      const response = await finish(tiId, token, payload);
      expect(response.statusCode).toBe(422);
      expect(errorOf(response)).toEqual({ reason: 'validation_error', message: expect.stringMatching(message) });
    }
    const notJson = await harness.request({
      method: 'PATCH',
      url: `/execution/task-instances/${tiId}/state`,
      token,
      headers: { 'content-type': 'application/json' },
      payload: '{"state": "success",',
    });
    expect(notJson.statusCode).toBe(422);
    expect(errorOf(notJson)).toEqual({ reason: 'validation_error', message: expect.stringMatching(/not valid JSON/) });
    expect((await taskInstanceRow(harness.database, tiId)).state).toBe('running');
  });

  it('answers 413 for a return value over state.max_value_bytes, and the TI stays running', async () => {
    const tiId = await harness.seedTi(run, { taskId: 'extract' });
    const { token } = await harness.claim();
    const response = await finish(tiId, token, { state: 'success', return_value: 'x'.repeat(2_000) });
    expect(response.statusCode).toBe(413);
    expect(errorOf(response)).toEqual({
      reason: 'value_too_large',
      message: expect.stringContaining('over the limit of 1024 bytes (state.max_value_bytes)'),
    });
    expect((await taskInstanceRow(harness.database, tiId)).state).toBe('running');
  });
});
