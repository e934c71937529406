import { taskInstanceTryCollectionSchema } from '@tidemark/core';
import { queueTaskInstances } from '@tidemark/db';
import { eachDialect } from '@tidemark/db/testing';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { putXcom, T0 } from '../../testing/execution-harness.ts';
import {
  detailOf,
  openTaskInstanceHarness,
  RUNS_URL,
  runRow,
  seedOrdersRun,
  type TaskInstanceHarness,
  tiRow,
} from '../../testing/task-instance-test-kit.ts';

const TIS_URL = `${RUNS_URL}/manual__1/taskInstances`;
const iso = (ms: number) => new Date(ms).toISOString();

describe.each(eachDialect())('GET …/taskInstances/{task_id}/tries on %s', (dialect) => {
  let harness: TaskInstanceHarness;

  beforeEach(async () => {
    harness = await openTaskInstanceHarness(dialect);
    await seedOrdersRun(harness, { mapped: 2 });
  });
  afterEach(() => harness.close());

  /** One attempt through the execution API: claim at now, end after `ms` with `finish`. */
  async function attempt(worker: string, ms: number, finish: object) {
    const claimed = await harness.claim(worker);
    harness.clock.advance(ms);
    const response = await harness.request({
      method: 'PATCH',
      url: `/execution/task-instances/${claimed.ti_id}/state`,
      token: claimed.token,
      payload: finish,
    });
    expect(response.statusCode).toBe(200);
    return claimed;
  }

  async function queue(taskId: string, mapIndex = -1) {
    const ti = await tiRow(harness, 'manual__1', taskId, mapIndex);
    await queueTaskInstances(harness.database.db, [ti.id], harness.clock.now());
  }

  it('lists a TI that failed once and then succeeded as two tries, each with its own times and state', async () => {
    await queue('extract');
    harness.clock.advance(500);
    await attempt('host-a:1', 2_000, { state: 'failed', error: 'HTTP 503', retryable: true });
    harness.clock.advance(5_000);
    await queue('extract');
    harness.clock.advance(300);
    await attempt('host-b:2', 1_000, { state: 'success' });

    const response = await harness.api('GET', `${TIS_URL}/extract/tries`);
    expect(response.statusCode).toBe(200);
    const body = taskInstanceTryCollectionSchema.parse(response.json());
    expect(body).toEqual({
      total_entries: 2,
      task_instances: [
        {
          task_id: 'extract',
          dag_id: 'orders',
          dag_run_id: 'manual__1',
          map_index: -1,
          try_number: 1,
          max_tries: 3,
          state: 'up_for_retry',
          queued_when: iso(T0),
          start_date: iso(T0 + 500),
          end_date: iso(T0 + 2_500),
          duration: 2,
          hostname: 'host-a:1',
          next_retry_at: iso(T0 + 7_500),
        },
        {
          task_id: 'extract',
          dag_id: 'orders',
          dag_run_id: 'manual__1',
          map_index: -1,
          try_number: 2,
          max_tries: 3,
          state: 'success',
          queued_when: iso(T0 + 7_500),
          start_date: iso(T0 + 7_800),
          end_date: iso(T0 + 8_800),
          duration: 1,
          hostname: 'host-b:2',
          next_retry_at: null,
        },
      ],
    });
  });

  it('shows the running try last while it runs, and a TI that never ran with no tries', async () => {
    await queue('extract');
    await harness.claim('host-a:1');
    harness.clock.advance(1_000);
    const running = taskInstanceTryCollectionSchema.parse(
      (await harness.api('GET', `${TIS_URL}/extract/tries`)).json(),
    );
    expect(running.task_instances).toEqual([
      expect.objectContaining({ try_number: 1, state: 'running', start_date: iso(T0), end_date: null, duration: null }),
    ]);
    expect((await harness.api('GET', `${TIS_URL}/load/tries`)).json()).toEqual({
      task_instances: [],
      total_entries: 0,
    });
  });

  it('addresses a mapped TI by map_index, and asks for it when it is missing', async () => {
    await putXcom(
      harness.database,
      { dagRunId: (await runRow(harness)).id, runId: 'manual__1' },
      { taskId: 'extract', value: ['a', 'b'] },
    );
    await queue('transform', 0);
    await queue('transform', 1);
    const claimed = await attempt('host-a:1', 1_000, { state: 'failed', error: 'x', retryable: false });
    const other = 1 - claimed.map_index;
    const tries = async (mapIndex: number) =>
      taskInstanceTryCollectionSchema
        .parse((await harness.api('GET', `${TIS_URL}/transform/tries?map_index=${mapIndex}`)).json())
        .task_instances.map((row) => [row.map_index, row.try_number, row.state]);
    expect(await tries(claimed.map_index)).toEqual([[claimed.map_index, 1, 'failed']]);
    expect(await tries(other)).toEqual([[other, 1, 'queued']]);

    const missing = await harness.api('GET', `${TIS_URL}/transform/tries`);
    expect(missing.statusCode).toBe(404);
    expect(detailOf(missing).message).toMatch(/pass \?map_index=/);
  });

  it('answers 404 for an unknown run or task, 422 for a bad map_index, 401 without a token', async () => {
    for (const url of [`${RUNS_URL}/nope/taskInstances/extract/tries`, `${TIS_URL}/nope/tries`]) {
      const response = await harness.api('GET', url);
      expect(response.statusCode, url).toBe(404);
      expect(detailOf(response).reason).toMatch(/not_found$/);
    }
    expect((await harness.api('GET', `${TIS_URL}/extract/tries?map_index=x`)).statusCode).toBe(422);
    expect((await harness.api('GET', `${TIS_URL}/extract/tries`, { token: null })).statusCode).toBe(401);
  });
});
