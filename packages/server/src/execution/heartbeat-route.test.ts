import { eachDialect } from '@tidemark/db/testing';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import {
  type ExecutionHarness,
  errorOf,
  openExecutionHarness,
  type SeededRun,
  T0,
  taskInstanceRow,
} from '../testing/execution-harness.ts';

describe.each(eachDialect())('PUT …/heartbeat on %s', (dialect) => {
  let harness: ExecutionHarness;
  let run: SeededRun;

  beforeEach(async () => {
    harness = await openExecutionHarness(dialect);
    run = await harness.seedRun();
  });
  afterEach(() => harness.close());

  const heartbeat = (tiId: string, token: string) =>
    harness.request({ method: 'PUT', url: `/execution/task-instances/${tiId}/heartbeat`, token });

  it('answers 204 and records the heartbeat of the running attempt', async () => {
    const tiId = await harness.seedTi(run, { taskId: 'extract' });
    const { token } = await harness.claim();
    harness.clock.advance(2_500);
    const response = await heartbeat(tiId, token);
    expect(response.statusCode).toBe(204);
    expect((await taskInstanceRow(harness.database, tiId)).heartbeat_at).toBe(T0 + 2_500);
  });

  it('accepts an empty JSON body', async () => {
    const tiId = await harness.seedTi(run, { taskId: 'extract' });
    const { token } = await harness.claim();
    const response = await harness.request({
      method: 'PUT',
      url: `/execution/task-instances/${tiId}/heartbeat`,
      token,
      headers: { 'content-type': 'application/json' },
    });
    expect(response.statusCode).toBe(204);
  });

  it('answers 409 stale_attempt once the TI moved on, and records nothing', async () => {
    const tiId = await harness.seedTi(run, { taskId: 'extract', maxTries: 2 });
    const { token } = await harness.claim();
    await harness.database.db
      .updateTable('task_instance')
      .set({ state: 'up_for_retry' })
      .where('id', '=', tiId)
      .execute();
    harness.clock.advance(1_000);

    const response = await heartbeat(tiId, token);

    expect(response.statusCode).toBe(409);
    expect(errorOf(response)).toEqual({
      reason: 'stale_attempt',
      message: `attempt 1 of task instance ${tiId} is no longer the running attempt (the task instance is up_for_retry at try 1); it may not write`,
    });
    expect((await taskInstanceRow(harness.database, tiId)).heartbeat_at).toBe(T0);
  });

  it('answers 409 to the previous try after a new try was claimed', async () => {
    const tiId = await harness.seedTi(run, { taskId: 'extract', maxTries: 2 });
    const first = await harness.claim();
    await harness.database.db.updateTable('task_instance').set({ state: 'queued' }).where('id', '=', tiId).execute();
    const second = await harness.claim();
    expect((await heartbeat(tiId, first.token)).statusCode).toBe(409);
    expect((await heartbeat(tiId, second.token)).statusCode).toBe(204);
  });

  it('answers 409 when the run (and its TI) was deleted', async () => {
    const tiId = await harness.seedTi(run, { taskId: 'extract' });
    const { token } = await harness.claim();
    await harness.database.db.deleteFrom('dag_run').where('id', '=', run.dagRunId).execute();
    const response = await heartbeat(tiId, token);
    expect(response.statusCode).toBe(409);
    expect(errorOf(response).message).toMatch(/the task instance no longer exists/);
  });
});
