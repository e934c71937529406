import type { SerializedDag, SerializedTask } from '@tidemark/core';
import { beforeEach, describe, expect, it } from 'vitest';
import { TooManyTaskInstancesError } from '../errors.ts';
import type { MetadataDatabase } from '../open-database.ts';
import { eachDialect } from '../testing/describe-each-dialect.ts';
import { serializedTask } from '../testing/serialized-dag-fixtures.ts';
import { useTestDatabase } from '../testing/use-test-database.ts';
import { activateAsset } from './asset-repository.ts';
import { upsertSerializedDag } from './dag-repository.ts';
import { triggerDagRun } from './dag-run-repository.ts';
import { clearTaskInstances, downstreamTaskIds, markTaskInstance } from './task-instance-operator-repository.ts';
import { setXcom } from './xcom-repository.ts';

const T0 = Date.UTC(2026, 0, 1);

function task(taskId: string, upstreamTaskIds: string[], retries = 0): SerializedTask {
  return serializedTask(taskId, { upstreamTaskIds, retries });
}

/** a → b → c, and a → d. */
const PIPELINE: SerializedDag = {
  dagId: 'pipeline',
  fileloc: 'pipeline.ts',
  schedule: null,
  startDate: null,
  catchup: false,
  description: null,
  tags: [],
  tasks: [task('a', [], 2), task('b', ['a'], 1), task('c', ['b']), task('d', ['a'])],
};

describe('downstreamTaskIds', () => {
  it('finds every task depending on one, directly or not', () => {
    expect(downstreamTaskIds(PIPELINE, 'a')).toEqual(['b', 'c', 'd']);
    expect(downstreamTaskIds(PIPELINE, 'b')).toEqual(['c']);
    expect(downstreamTaskIds(PIPELINE, 'c')).toEqual([]);
    expect(downstreamTaskIds(undefined, 'a')).toEqual([]);
  });
});

describe.each(eachDialect())('task-instance operator repository on %s', (dialect) => {
  const test = useTestDatabase(dialect);
  let database: MetadataDatabase;
  let run1: number;
  let assetId: number;

  beforeEach(async () => {
    database = test.database;
    await upsertSerializedDag(database.db, PIPELINE, T0);
    run1 = (await triggerDagRun(database, { dagId: 'pipeline', runId: 'r1' }, T0)).dagRunId;
    // r1 failed: a succeeded at its 1st try, b failed at its 2nd, c upstream_failed, d succeeded.
    await setTi('r1', 'a', { state: 'success', try_number: 1, start_date: T0, end_date: T0 + 10, worker: 'w:1' });
    await setTi('r1', 'b', {
      state: 'failed',
      try_number: 2,
      max_tries: 2,
      start_date: T0,
      end_date: T0 + 20,
      heartbeat_at: T0 + 20,
    });
    await setTi('r1', 'c', { state: 'upstream_failed', end_date: T0 + 20 });
    await setTi('r1', 'd', { state: 'success', try_number: 1, start_date: T0, end_date: T0 + 30 });
    await database.db
      .updateTable('dag_run')
      .set({ state: 'failed', end_date: T0 + 30 })
      .where('id', '=', run1)
      .execute();
    for (const taskId of ['a', 'b', 'd']) await xcom(run1, 'r1', taskId);
    assetId = await activateAsset(database.db, { name: 'orders', uri: 'orders' }, T0);
    await pending('r1', 'b');
  });

  async function setTi(runId: string, taskId: string, fields: Record<string, unknown>) {
    await database.db
      .updateTable('task_instance')
      .set(fields)
      .where('run_id', '=', runId)
      .where('task_id', '=', taskId)
      .execute();
  }
  const ti = (runId: string, taskId: string) =>
    database.db
      .selectFrom('task_instance')
      .selectAll()
      .where('run_id', '=', runId)
      .where('task_id', '=', taskId)
      .executeTakeFirstOrThrow();
  const run = (id: number) =>
    database.db.selectFrom('dag_run').selectAll().where('id', '=', id).executeTakeFirstOrThrow();
  const xcom = (dagRunId: number, runId: string, taskId: string) =>
    setXcom(database.db, {
      dagRunId,
      dagId: 'pipeline',
      runId,
      taskId,
      mapIndex: -1,
      key: 'return_value',
      value: '1',
      now: T0,
    });
  const xcomTasks = async () =>
    (await database.db.selectFrom('xcom').select('task_id').orderBy('task_id').execute()).map((row) => row.task_id);
  async function pending(runId: string, taskId: string) {
    const row = await ti(runId, taskId);
    await database.db
      .insertInto('state_pending')
      .values({
        ti_id: row.id,
        try_number: row.try_number,
        asset_id: assetId,
        key: 'watermark',
        operation: 'set',
        value: '5',
        written_by: null,
        created_at: T0,
      })
      .execute();
  }
  const pendingCount = async () => (await database.db.selectFrom('state_pending').select('id').execute()).length;
  const everything = async () => ({
    tis: await database.db.selectFrom('task_instance').selectAll().orderBy('id').execute(),
    runs: await database.db.selectFrom('dag_run').selectAll().orderBy('id').execute(),
    xcoms: await xcomTasks(),
    pending: await pendingCount(),
  });

  describe('clearTaskInstances', () => {
    it('resets the matching TIs, gives them their retries again, wipes their XComs and staged writes, requeues the run', async () => {
      const result = await clearTaskInstances(database, {
        dagId: 'pipeline',
        runId: 'r1',
        taskIds: ['a', 'b'],
        now: T0 + 100,
      });

      expect(result.requeuedDagRunIds).toEqual([run1]);
      expect(result.taskInstances.map((row) => [row.task_id, row.state, row.try_number, row.max_tries])).toEqual([
        ['a', null, 1, 1 + 2 + 1],
        ['b', null, 2, 2 + 1 + 1],
      ]);
      expect(await ti('r1', 'b')).toMatchObject({
        state: null,
        start_date: null,
        end_date: null,
        heartbeat_at: null,
        next_retry_at: null,
        queued_at: null,
        updated_at: T0 + 100,
      });
      expect((await ti('r1', 'a')).worker).toBe('w:1');
      expect(await ti('r1', 'c')).toMatchObject({ state: 'upstream_failed' });
      expect(await xcomTasks()).toEqual(['d']);
      expect(await pendingCount()).toBe(0);
      expect(await run(run1)).toMatchObject({
        state: 'queued',
        end_date: null,
        queued_at: T0 + 100,
        updated_at: T0 + 100,
      });
    });

    it('leaves TIs in state none alone and a running run running, across every run of the DAG', async () => {
      const run2 = (await triggerDagRun(database, { dagId: 'pipeline', runId: 'r2' }, T0)).dagRunId;
      await setTi('r2', 'a', { state: 'running', try_number: 1 });
      await database.db.updateTable('dag_run').set({ state: 'running' }).where('id', '=', run2).execute();

      const result = await clearTaskInstances(database, { dagId: 'pipeline', now: T0 + 100 });

      expect(result.taskInstances.map((row) => `${row.run_id}.${row.task_id}`)).toEqual([
        'r1.a',
        'r1.b',
        'r1.c',
        'r1.d',
        'r2.a',
      ]);
      expect(result.requeuedDagRunIds).toEqual([run1]);
      expect((await run(run2)).state).toBe('running');
    });

    it('only_failed and mapIndexes narrow the match', async () => {
      const failed = await clearTaskInstances(database, { dagId: 'pipeline', runId: 'r1', onlyFailed: true, now: T0 });
      expect(failed.taskInstances.map((row) => row.task_id)).toEqual(['b', 'c']);
      const none = await clearTaskInstances(database, { dagId: 'pipeline', mapIndexes: [0], now: T0 });
      expect(none).toEqual({ taskInstances: [], requeuedDagRunIds: [] });
    });

    it('a dry run returns the TIs as they are and changes nothing', async () => {
      const before = await everything();
      const result = await clearTaskInstances(database, {
        dagId: 'pipeline',
        runId: 'r1',
        dryRun: true,
        now: T0 + 100,
      });
      expect(result.taskInstances.map((row) => row.state)).toEqual(['success', 'failed', 'upstream_failed', 'success']);
      expect(result.requeuedDagRunIds).toEqual([]);
      expect(await everything()).toEqual(before);
    });

    it('refuses more TIs than the limit, naming how many matched, and changes nothing', async () => {
      const before = await everything();
      const clearing = clearTaskInstances(database, { dagId: 'pipeline', maxTaskInstances: 3, now: T0 });
      await expect(clearing).rejects.toBeInstanceOf(TooManyTaskInstancesError);
      await expect(clearing).rejects.toMatchObject({
        code: 'validation_error',
        message: expect.stringContaining('matches 4 task instances, over the limit of 3 per call'),
      });
      expect(await everything()).toEqual(before);
      const within = await clearTaskInstances(database, { dagId: 'pipeline', maxTaskInstances: 4, now: T0 });
      expect(within.taskInstances).toHaveLength(4);
    });

    it('throws dag_not_found and dag_run_not_found', async () => {
      await expect(clearTaskInstances(database, { dagId: 'nope', now: T0 })).rejects.toMatchObject({
        code: 'dag_not_found',
      });
      await expect(clearTaskInstances(database, { dagId: 'pipeline', runId: 'r9', now: T0 })).rejects.toMatchObject({
        code: 'dag_run_not_found',
      });
    });

    it('does not touch task state: discarding it is the caller’s, through the state backend', async () => {
      await database.db
        .insertInto('task_state')
        .values({
          dag_run_id: run1,
          dag_id: 'pipeline',
          run_id: 'r1',
          task_id: 'b',
          map_index: -1,
          key: 'job',
          value: '"j-1"',
          version: 1,
          updated_at: T0,
          expires_at: null,
          updated_by: null,
        })
        .execute();
      await clearTaskInstances(database, { dagId: 'pipeline', runId: 'r1', now: T0 });
      expect(await database.db.selectFrom('task_state').select('key').execute()).toEqual([{ key: 'job' }]);
    });
  });

  describe('markTaskInstance', () => {
    it('marks success: state and end date, staged writes dropped, upstream_failed downstream reset, run requeued', async () => {
      const b = await ti('r1', 'b');
      const marked = await markTaskInstance(database, { tiId: b.id, newState: 'success', now: T0 + 500 });

      expect(marked).toMatchObject({ previousState: 'failed', changed: true });
      expect(marked.taskInstance).toMatchObject({
        state: 'success',
        end_date: T0 + 500,
        try_number: 2,
        start_date: T0,
      });
      expect(await ti('r1', 'c')).toMatchObject({ state: null, end_date: null });
      expect((await ti('r1', 'd')).state).toBe('success');
      expect(await pendingCount()).toBe(0);
      expect(await xcomTasks()).toEqual(['a', 'b', 'd']);
      expect(await run(run1)).toMatchObject({ state: 'queued', end_date: null });
      expect(await database.db.selectFrom('asset_event').selectAll().execute()).toEqual([]);
    });

    it('marks failed without resetting downstream TIs', async () => {
      await setTi('r1', 'c', { state: 'upstream_failed' });
      const a = await ti('r1', 'a');
      const marked = await markTaskInstance(database, { tiId: a.id, newState: 'failed', now: T0 + 500 });
      expect(marked.taskInstance).toMatchObject({ state: 'failed', end_date: T0 + 500 });
      expect((await ti('r1', 'c')).state).toBe('upstream_failed');
      expect((await run(run1)).state).toBe('queued');
    });

    it('changes nothing when the TI is already in that state', async () => {
      const before = await everything();
      const a = await ti('r1', 'a');
      const marked = await markTaskInstance(database, { tiId: a.id, newState: 'success', now: T0 + 500 });
      expect(marked).toMatchObject({ previousState: 'success', changed: false });
      expect(marked.taskInstance.end_date).toBe(T0 + 10);
      expect(await everything()).toEqual(before);
    });

    it('throws task_instance_not_found for an unknown id', async () => {
      await expect(
        markTaskInstance(database, { tiId: '00000000-0000-7000-8000-000000000000', newState: 'failed', now: T0 }),
      ).rejects.toMatchObject({ code: 'task_instance_not_found' });
    });
  });
});
