import { taskInstanceCollectionSchema, taskInstanceSchema } from '@tidemark/core';
import { deferTry, leaseDeferrals } from '@tidemark/db';
import { eachDialect } from '@tidemark/db/testing';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { T0 } from '../../testing/execution-harness.ts';
import {
  openTaskInstanceHarness,
  RUNS_URL,
  seedOrdersRun,
  type TaskInstanceHarness,
  tiRow,
  updateTi,
} from '../../testing/task-instance-test-kit.ts';

const TIS_URL = `${RUNS_URL}/manual__1/taskInstances`;

describe.each(eachDialect())('deferred task instances in the public API on %s', (dialect) => {
  let harness: TaskInstanceHarness;
  let deferredId: string;

  beforeEach(async () => {
    harness = await openTaskInstanceHarness(dialect);
    await seedOrdersRun(harness, { mapped: 2 });
    await updateTi(harness, { taskId: 'transform', mapIndex: 1 }, { state: 'running', try_number: 1, start_date: T0 });
    deferredId = (await tiRow(harness, 'manual__1', 'transform', 1)).id;
    await deferTry(harness.database, {
      tiId: deferredId,
      tryNumber: 1,
      wait: { kind: 'poll', name: 'spark_job', args: '{"jobId":"j-7"}', everyMs: 10_000 },
      timeoutAt: T0 + 3 * 3_600_000,
      now: T0 + 1_000,
    });
    await leaseDeferrals(harness.database, {
      owner: 't1',
      hostname: 'trig-host:42',
      capacity: 10,
      idleChecks: [],
      now: T0 + 1_000,
      leaseTimeoutMs: 30_000,
    });
  });
  afterEach(() => harness.close());

  const deferral = {
    kind: 'poll',
    wait: 'spark_job',
    status: 'waiting',
    try_number: 1,
    deferred_at: new Date(T0 + 1_000).toISOString(),
    next_check_at: new Date(T0 + 11_000).toISOString(),
    every_ms: 10_000,
    last_check_at: null,
    checks: 0,
    timeout_at: new Date(T0 + 3 * 3_600_000).toISOString(),
    triggerer: 'trig-host:42',
    fired_at: null,
  };

  it('filters by state deferred and shows the wait, its next check, timeout and triggerer', async () => {
    const response = await harness.api('GET', `${TIS_URL}?state=deferred`);
    expect(response.statusCode).toBe(200);
    const body = taskInstanceCollectionSchema.parse(response.json());
    expect(body.task_instances).toEqual([
      expect.objectContaining({ task_id: 'transform', map_index: 1, state: 'deferred', deferral }),
    ]);
    const all = taskInstanceCollectionSchema.parse((await harness.api('GET', TIS_URL)).json());
    expect(all.task_instances.filter((ti) => ti.deferral !== null).map((ti) => ti.id)).toEqual([deferredId]);

    const one = await harness.api('GET', `${TIS_URL}/transform?map_index=1`);
    expect(taskInstanceSchema.parse(one.json())).toMatchObject({ state: 'deferred', deferral });
  });

  it('marking the deferred TI cancels its wait, and the answer shows none', async () => {
    const response = await harness.api('PATCH', `${TIS_URL}/transform?map_index=1`, {
      role: 'op',
      payload: { new_state: 'failed' },
    });
    expect(response.statusCode).toBe(200);
    expect(response.json()).toMatchObject({ state: 'failed', deferral: null });
    expect(await harness.database.db.selectFrom('task_deferral').selectAll().execute()).toEqual([]);
  });

  it('refuses an unknown state in the filter, naming deferred among the known ones', async () => {
    const response = await harness.api('GET', `${TIS_URL}?state=waiting`);
    expect(response.statusCode).toBe(422);
    expect(response.json().detail.message).toContain('deferred');
  });
});
