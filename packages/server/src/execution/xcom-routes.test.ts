import { eachDialect } from '@tidemark/db/testing';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import {
  type ExecutionHarness,
  errorOf,
  openExecutionHarness,
  putXcom,
  requeue,
  type SeededRun,
} from '../testing/execution-harness.ts';

describe.each(eachDialect())('XCom routes on %s', (dialect) => {
  let harness: ExecutionHarness;
  let run: SeededRun;

  beforeEach(async () => {
    harness = await openExecutionHarness(dialect, { state: { max_value_bytes: 100 } });
    run = await harness.seedRun();
  });
  afterEach(() => harness.close());

  const pull = (tiId: string, token: string, query: string) =>
    harness.request({ method: 'GET', url: `/execution/task-instances/${tiId}/xcom?${query}`, token });
  const push = (tiId: string, token: string, key: string, payload: unknown) =>
    harness.request({
      method: 'PUT',
      url: `/execution/task-instances/${tiId}/xcom/${encodeURIComponent(key)}`,
      token,
      payload: payload as object,
    });

  it('pulls an upstream’s return value from the token’s run', async () => {
    const other = await harness.seedRun('manual__2');
    await putXcom(harness.database, run, { taskId: 'extract', value: ['a', 'b'] });
    await putXcom(harness.database, other, { taskId: 'extract', value: ['other run'] });
    const tiId = await harness.seedTi(run, { taskId: 'load' });
    const { token } = await harness.claim();

    const response = await pull(tiId, token, 'task_id=extract');
    expect(response.statusCode).toBe(200);
    expect(response.json()).toEqual({ value: ['a', 'b'] });
  });

  it('pulls every value of a mapped upstream, in map-index order, or one index when asked', async () => {
    for (const index of [2, 0, 10, 1]) {
      await putXcom(harness.database, run, { taskId: 'transform', mapIndex: index, value: { part: index } });
    }
    const tiId = await harness.seedTi(run, { taskId: 'load' });
    const { token } = await harness.claim();

    expect((await pull(tiId, token, 'task_id=transform')).json()).toEqual({
      value: [{ part: 0 }, { part: 1 }, { part: 2 }, { part: 10 }],
    });
    expect((await pull(tiId, token, 'task_id=transform&map_index=10')).json()).toEqual({ value: { part: 10 } });
  });

  it('answers 404 xcom_not_found for a missing XCom, and 422 for a bad query', async () => {
    const tiId = await harness.seedTi(run, { taskId: 'load' });
    const { token } = await harness.claim();
    const missing = await pull(tiId, token, 'task_id=extract&key=rows');
    expect(missing.statusCode).toBe(404);
    expect(errorOf(missing)).toEqual({
      reason: 'xcom_not_found',
      message: expect.stringContaining('no XCom "rows" for task "extract" (map index -1) in run "manual__1"'),
    });
    const noTask = await pull(tiId, token, 'map_index=1');
    expect(noTask.statusCode).toBe(422);
    expect(errorOf(noTask).message).toMatch(/^invalid request query: task_id: /);
    expect((await pull(tiId, token, 'task_id=extract&map_index=x')).statusCode).toBe(422);
  });

  it('pushes a value the next task can pull; a new try of the pusher wipes it', async () => {
    const pusher = await harness.seedTi(run, { taskId: 'extract', maxTries: 2 });
    const puller = await harness.seedTi(run, { taskId: 'load', queuedAt: Date.UTC(2027, 0, 1) });
    const first = await harness.claim();
    expect((await push(pusher, first.token, 'rows/day 1', { value: { n: 3 } })).statusCode).toBe(204);
    expect((await push(pusher, first.token, 'rows/day 1', { value: { n: 4 } })).statusCode).toBe(204);
    const reader = await harness.claim();
    expect(reader.ti_id).toBe(puller);
    expect(
      (await pull(puller, reader.token, `task_id=extract&key=${encodeURIComponent('rows/day 1')}`)).json(),
    ).toEqual({
      value: { n: 4 },
    });

    await requeue(harness.database, pusher);
    await harness.claim();
    expect((await pull(puller, reader.token, 'task_id=extract&key=rows%2Fday%201')).statusCode).toBe(404);
  });

  it('refuses a push from a stale attempt (409), and keeps the reads open to it', async () => {
    const tiId = await harness.seedTi(run, { taskId: 'extract', maxTries: 2 });
    const first = await harness.claim();
    await push(tiId, first.token, 'k', { value: 1 });
    await harness.database.db.updateTable('task_instance').set({ state: 'failed' }).where('id', '=', tiId).execute();

    const response = await push(tiId, first.token, 'k', { value: 2 });
    expect(response.statusCode).toBe(409);
    expect(errorOf(response).reason).toBe('stale_attempt');
    expect((await pull(tiId, first.token, 'task_id=extract&key=k')).json()).toEqual({ value: 1 });
  });

  it('answers 413 over state.max_value_bytes and 422 for null or a missing value', async () => {
    const tiId = await harness.seedTi(run, { taskId: 'extract' });
    const { token } = await harness.claim();

    const tooLarge = await push(tiId, token, 'big', { value: 'x'.repeat(200) });
    expect(tooLarge.statusCode).toBe(413);
    expect(errorOf(tooLarge)).toEqual({
      reason: 'value_too_large',
      message: expect.stringMatching(
        /202 bytes of JSON, over the limit of 100 bytes \(state\.max_value_bytes\).*offload/,
      ),
    });

    const nullValue = await push(tiId, token, 'nothing', { value: null });
    expect(nullValue.statusCode).toBe(422);
    expect(errorOf(nullValue).reason).toBe('invalid_state_value');

    const noValue = await push(tiId, token, 'nothing', { val: 1 });
    expect(noValue.statusCode).toBe(422);
    expect(errorOf(noValue).reason).toBe('validation_error');

    expect(await harness.database.db.selectFrom('xcom').selectAll().execute()).toEqual([]);
  });
});
