import type { SerializedDag } from '@tidemark/core';
import { beforeEach, describe, expect, it } from 'vitest';
import type { MetadataDatabase } from '../open-database.ts';
import { claimNextAttempt, finishAttemptSuccess, recordAttemptFailure } from '../repositories/attempt-repository.ts';
import { clearTaskInstances, markTaskInstance } from '../repositories/task-instance-operator-repository.ts';
import { PLAINTEXT_CIPHER } from '../state-store/encryption/state-value-cipher.ts';
import { eachDialect } from '../testing/describe-each-dialect.ts';
import { type SeededDagRun, seedDagRun, seedTaskInstance } from '../testing/seed-task-instance.ts';
import { serializedTask } from '../testing/serialized-dag-fixtures.ts';
import { useTestDatabase } from '../testing/use-test-database.ts';
import { queueTaskInstances } from '../transitions/task-instance-transitions.ts';
import { findRunTaskInstance, type TaskInstanceRow } from './task-instance-queries.ts';
import { listTaskInstanceTries } from './task-instance-try-queries.ts';

const T0 = Date.UTC(2026, 0, 1);
const APPLY_STAGED = { apply: 'in_transaction', historyDepth: 10, cipher: PLAINTEXT_CIPHER } as const;

const DAG: SerializedDag = {
  dagId: 'orders',
  fileloc: 'orders.ts',
  schedule: null,
  startDate: null,
  catchup: false,
  description: null,
  tags: [],
  tasks: [serializedTask('extract', { retries: 2, retryDelayMs: 5_000 })],
};

describe.each(eachDialect())('the tries of a task instance on %s', (dialect) => {
  const test = useTestDatabase(dialect);
  let database: MetadataDatabase;
  let run: SeededDagRun;
  let tiId: string;

  beforeEach(async () => {
    database = test.database;
    run = await seedDagRun(database.db, DAG, { runId: 'manual__1' }, T0);
    tiId = await seedTaskInstance(database.db, run, { taskId: 'extract', maxTries: 3, queuedAt: T0 + 100, now: T0 });
  });

  const ti = async (): Promise<TaskInstanceRow> =>
    (await findRunTaskInstance(database.db, {
      dagRunId: run.dagRunId,
      taskId: 'extract',
      mapIndex: -1,
    })) as TaskInstanceRow;
  const tries = async () => listTaskInstanceTries(database.db, await ti());

  async function claim(now: number, worker = 'host-a:1') {
    const claimed = await claimNextAttempt(database, { worker, now });
    expect(claimed?.taskInstance.id).toBe(tiId);
    return claimed?.taskInstance.try_number as number;
  }

  it('keeps each try of a TI that fails once and then succeeds, with its own times and state', async () => {
    expect(await tries()).toEqual([
      expect.objectContaining({
        try_number: 1,
        state: 'queued',
        queued_at: T0 + 100,
        start_date: null,
        end_date: null,
      }),
    ]);

    const first = await claim(T0 + 1_000);
    expect(await tries()).toEqual([
      expect.objectContaining({ try_number: 1, state: 'running', start_date: T0 + 1_000, end_date: null }),
    ]);
    const failed = await recordAttemptFailure(database, {
      tiId,
      tryNumber: first,
      error: 'boom',
      retryable: true,
      now: T0 + 2_000,
    });
    expect(failed).toEqual({ state: 'up_for_retry', nextRetryAt: T0 + 7_000 });
    await queueTaskInstances(database.db, [tiId], T0 + 7_000);
    const second = await claim(T0 + 7_500, 'host-b:2');
    await finishAttemptSuccess(database, { tiId, tryNumber: second, now: T0 + 9_000, stagedWrites: APPLY_STAGED });

    expect(await tries()).toEqual([
      {
        try_number: 1,
        state: 'up_for_retry',
        max_tries: 3,
        queued_at: T0 + 100,
        start_date: T0 + 1_000,
        end_date: T0 + 2_000,
        next_retry_at: T0 + 7_000,
        worker: 'host-a:1',
      },
      {
        try_number: 2,
        state: 'success',
        max_tries: 3,
        queued_at: T0 + 7_000,
        start_date: T0 + 7_500,
        end_date: T0 + 9_000,
        next_retry_at: null,
        worker: 'host-b:2',
      },
    ]);
  });

  it('shows the next try waiting in the queue after a retry, and the running one while it runs', async () => {
    await recordAttemptFailure(database, {
      tiId,
      tryNumber: await claim(T0 + 1_000),
      error: 'x',
      retryable: true,
      now: T0 + 2_000,
    });
    expect((await tries()).map((row) => [row.try_number, row.state])).toEqual([[1, 'up_for_retry']]);
    await queueTaskInstances(database.db, [tiId], T0 + 7_000);
    expect((await tries()).map((row) => [row.try_number, row.state, row.queued_at])).toEqual([
      [1, 'up_for_retry', T0 + 100],
      [2, 'queued', T0 + 7_000],
    ]);
  });

  it('records the try a zombie or a last failure ends, and nothing for a failure that is no attempt', async () => {
    const tryNumber = await claim(T0 + 1_000);
    await database.db.updateTable('task_instance').set({ max_tries: 1 }).where('id', '=', tiId).execute();
    await recordAttemptFailure(database, { tiId, tryNumber, error: 'zombie', retryable: true, now: T0 + 3_000 });
    expect((await tries()).map((row) => [row.try_number, row.state, row.end_date])).toEqual([
      [1, 'failed', T0 + 3_000],
    ]);
  });

  it('records a running try stopped by a mark in the marked state, and one stopped by a clear as failed', async () => {
    await claim(T0 + 1_000);
    await markTaskInstance(database, { tiId, newState: 'success', now: T0 + 1_500 });
    await clearTaskInstances(database, { dagId: 'orders', runId: 'manual__1', now: T0 + 2_000 });
    expect((await ti()).state).toBeNull();
    await queueTaskInstances(database.db, [tiId], T0 + 2_100);
    await claim(T0 + 2_200);
    await clearTaskInstances(database, { dagId: 'orders', runId: 'manual__1', now: T0 + 2_500 });

    expect((await tries()).map((row) => [row.try_number, row.state, row.start_date, row.end_date])).toEqual([
      [1, 'success', T0 + 1_000, T0 + 1_500],
      [2, 'failed', T0 + 2_200, T0 + 2_500],
    ]);
  });

  it('gives a TI that finished before tries were recorded its last try from its row, and a TI that never ran none', async () => {
    const legacy = await seedTaskInstance(database.db, run, {
      taskId: 'legacy',
      state: 'success',
      tryNumber: 2,
      maxTries: 2,
      startDate: T0 + 10,
      now: T0,
    });
    await database.db
      .updateTable('task_instance')
      .set({ end_date: T0 + 20 })
      .where('id', '=', legacy)
      .execute();
    const row = (await findRunTaskInstance(database.db, {
      dagRunId: run.dagRunId,
      taskId: 'legacy',
      mapIndex: -1,
    })) as TaskInstanceRow;
    expect(await listTaskInstanceTries(database.db, row)).toEqual([
      expect.objectContaining({ try_number: 2, state: 'success', start_date: T0 + 10, end_date: T0 + 20 }),
    ]);
    await seedTaskInstance(database.db, run, { taskId: 'never', state: null, now: T0 });
    const never = (await findRunTaskInstance(database.db, {
      dagRunId: run.dagRunId,
      taskId: 'never',
      mapIndex: -1,
    })) as TaskInstanceRow;
    expect(await listTaskInstanceTries(database.db, never)).toEqual([]);
  });

  it('deletes the tries with their run', async () => {
    await recordAttemptFailure(database, {
      tiId,
      tryNumber: await claim(T0 + 1_000),
      error: 'x',
      retryable: true,
      now: T0 + 2_000,
    });
    await database.db.deleteFrom('dag_run').where('id', '=', run.dagRunId).execute();
    expect(await database.db.selectFrom('task_instance_try').selectAll().execute()).toEqual([]);
  });
});
