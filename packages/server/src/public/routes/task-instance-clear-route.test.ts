import { taskInstanceCollectionSchema, taskScope } from '@tidemark/core';
import { expandMappedTask } from '@tidemark/db';
import { eachDialect } from '@tidemark/db/testing';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { ORDERS_DAG, putXcom, T0 } from '../../testing/execution-harness.ts';
import {
  detailOf,
  finished,
  openTaskInstanceHarness,
  runRow,
  seedOrdersRun,
  type TaskInstanceHarness,
  tiRow,
  updateTi,
} from '../../testing/task-instance-test-kit.ts';

const CLEAR_URL = '/api/v2/dags/orders/clearTaskInstances';

describe.each(eachDialect())('POST /dags/{dag_id}/clearTaskInstances on %s', (dialect) => {
  let harness: TaskInstanceHarness;
  const run1 = { dagRunId: 0, runId: 'manual__1' };

  /**
   * manual__1 (failed): extract success (try 1), transform[0] success, transform[1] failed after
   * 4 tries, load upstream_failed. XComs for extract and both transforms; task state for each TI.
   */
  beforeEach(async () => {
    harness = await openTaskInstanceHarness(dialect);
    run1.dagRunId = (await seedOrdersRun(harness, { mapped: 2 })).dagRunId;
    await updateTi(harness, { taskId: 'extract' }, finished('success'));
    await updateTi(harness, { taskId: 'transform', mapIndex: 0 }, finished('success'));
    await updateTi(harness, { taskId: 'transform', mapIndex: 1 }, { ...finished('failed', 4), max_tries: 4 });
    await updateTi(harness, { taskId: 'load' }, { state: 'upstream_failed', end_date: T0 + 5_000 });
    await harness.database.db
      .updateTable('dag_run')
      .set({ state: 'failed', start_date: T0, end_date: T0 + 5_000 })
      .where('run_id', '=', 'manual__1')
      .execute();
    await putXcom(harness.database, run1, { taskId: 'extract', value: ['a', 'b'] });
    await putXcom(harness.database, run1, { taskId: 'transform', mapIndex: 0, value: 'A' });
    await putXcom(harness.database, run1, { taskId: 'transform', mapIndex: 1, key: 'partial', value: 1 });
    for (const [taskId, mapIndex] of [
      ['extract', -1],
      ['transform', 0],
      ['transform', 1],
      ['load', -1],
    ] as const) {
      await harness.stateBackend.set(scopeOf(taskId, mapIndex), 'job_id', `${taskId}-${mapIndex}`);
    }
    harness.clock.advance(60_000);
  });
  afterEach(() => harness.close());

  const scopeOf = (taskId: string, mapIndex = -1, runId = 'manual__1') =>
    taskScope({ dagId: 'orders', runId, taskId, mapIndex });
  const clear = (payload: unknown, role: 'viewer' | 'op' | 'admin' = 'op') =>
    harness.api('POST', CLEAR_URL, { role, payload });
  const stateOf = async (taskId: string, mapIndex = -1) =>
    (await harness.stateBackend.get(scopeOf(taskId, mapIndex), 'job_id'))?.value;
  const xcomKeys = async () =>
    (
      await harness.database.db
        .selectFrom('xcom')
        .select(['task_id', 'map_index', 'key'])
        .orderBy('task_id')
        .orderBy('map_index')
        .execute()
    ).map((row) => `${row.task_id}[${row.map_index}].${row.key}`);
  const snapshot = async () => ({
    tis: await harness.database.db.selectFrom('task_instance').selectAll().orderBy('id').execute(),
    runs: await harness.database.db.selectFrom('dag_run').selectAll().orderBy('id').execute(),
    xcoms: await xcomKeys(),
  });

  it('clears a run: TIs back to none with their retries again, XComs gone, run queued, task state discarded', async () => {
    const response = await clear({ dag_run_id: 'manual__1' });

    expect(response.statusCode).toBe(200);
    const body = taskInstanceCollectionSchema.parse(response.json());
    expect(body.total_entries).toBe(4);
    expect(body.task_instances.map((ti) => [ti.task_id, ti.map_index, ti.state, ti.try_number, ti.max_tries])).toEqual([
      ['extract', -1, null, 1, 1 + 2 + 1],
      ['load', -1, null, 0, 0 + 0 + 1],
      ['transform', 0, null, 1, 1 + 3 + 1],
      ['transform', 1, null, 4, 4 + 3 + 1],
    ]);
    expect(body.task_instances[0]).toMatchObject({
      start_date: null,
      end_date: null,
      duration: null,
      queued_when: null,
      next_retry_at: null,
    });
    expect(await tiRow(harness, 'manual__1', 'transform', 1)).toMatchObject({
      state: null,
      heartbeat_at: null,
      end_date: null,
      updated_at: T0 + 60_000,
    });
    expect(await xcomKeys()).toEqual([]);
    expect(await runRow(harness)).toMatchObject({ state: 'queued', end_date: null, queued_at: T0 + 60_000 });
    for (const [taskId, mapIndex] of [
      ['extract', -1],
      ['transform', 0],
      ['transform', 1],
      ['load', -1],
    ] as const) {
      expect(await stateOf(taskId, mapIndex), `${taskId}[${mapIndex}]`).toBeUndefined();
    }
    const [deletion] = await harness.stateBackend.history(scopeOf('extract'), 'job_id');
    expect(deletion).toMatchObject({ operation: 'delete', writtenBy: { kind: 'api', user: 'alice' } });
  });

  it('keeps task state with keep_task_state: true', async () => {
    const response = await clear({ dag_run_id: 'manual__1', keep_task_state: true });
    expect(response.json().total_entries).toBe(4);
    expect((await tiRow(harness, 'manual__1', 'extract')).state).toBeNull();
    expect(await stateOf('extract')).toBe('extract--1');
    expect(await stateOf('transform', 1)).toBe('transform-1');
  });

  it('only_failed clears failed and upstream_failed TIs only, and only their XComs and state', async () => {
    const response = await clear({ dag_run_id: 'manual__1', only_failed: true });
    const body = taskInstanceCollectionSchema.parse(response.json());
    expect(body.task_instances.map((ti) => `${ti.task_id}[${ti.map_index}]`)).toEqual(['load[-1]', 'transform[1]']);
    expect((await tiRow(harness, 'manual__1', 'extract')).state).toBe('success');
    expect((await tiRow(harness, 'manual__1', 'transform', 0)).state).toBe('success');
    expect(await xcomKeys()).toEqual(['extract[-1].return_value', 'transform[0].return_value']);
    expect(await stateOf('extract')).toBe('extract--1');
    expect(await stateOf('transform', 0)).toBe('transform-0');
    expect(await stateOf('transform', 1)).toBeUndefined();
    expect((await runRow(harness)).state).toBe('queued');
  });

  it('task_ids and map_indexes narrow the clear', async () => {
    const byTask = await clear({ dag_run_id: 'manual__1', task_ids: ['transform'], map_indexes: [0] });
    expect(byTask.json().task_instances.map((ti: { map_index: number }) => ti.map_index)).toEqual([0]);
    expect((await tiRow(harness, 'manual__1', 'transform', 1)).state).toBe('failed');
    expect(await stateOf('transform', 0)).toBeUndefined();
    expect(await stateOf('transform', 1)).toBe('transform-1');

    const byTasks = await clear({ dag_run_id: 'manual__1', task_ids: ['extract', 'nope'] });
    expect(byTasks.json().task_instances.map((ti: { task_id: string }) => ti.task_id)).toEqual(['extract']);
  });

  it('dry_run lists what would be cleared, as it is now, and changes nothing', async () => {
    const before = await snapshot();
    const response = await clear({ dag_run_id: 'manual__1', only_failed: true, dry_run: true });
    expect(response.statusCode).toBe(200);
    expect(response.json().task_instances.map((ti: { state: string }) => ti.state)).toEqual([
      'upstream_failed',
      'failed',
    ]);
    expect(await snapshot()).toEqual(before);
    expect(await stateOf('transform', 1)).toBe('transform-1');
  });

  it('skips TIs in state none, and finds nothing to clear in a run that has not started', async () => {
    await seedOrdersRun(harness, { runId: 'manual__2', mapped: 0 });
    const response = await clear({ dag_run_id: 'manual__2' });
    expect(response.json()).toEqual({ task_instances: [], total_entries: 0 });
    expect((await runRow(harness, 'manual__2')).state).toBe('queued');
  });

  it('without dag_run_id clears every run of the DAG; a running run stays running', async () => {
    await seedOrdersRun(harness, { runId: 'manual__2', mapped: 0 });
    await updateTi(harness, { runId: 'manual__2', taskId: 'extract' }, { state: 'running', try_number: 1 });
    await harness.database.db
      .updateTable('dag_run')
      .set({ state: 'running' })
      .where('run_id', '=', 'manual__2')
      .execute();
    const response = await clear({ task_ids: ['extract'] });
    expect(
      response.json().task_instances.map((ti: { dag_run_id: string; state: null }) => [ti.dag_run_id, ti.state]),
    ).toEqual([
      ['manual__1', null],
      ['manual__2', null],
    ]);
    expect((await runRow(harness, 'manual__1')).state).toBe('queued');
    expect((await runRow(harness, 'manual__2')).state).toBe('running');
  });

  it('a running attempt that is cleared gets 409 stale_attempt on its next heartbeat', async () => {
    await seedOrdersRun(harness, { runId: 'manual__2', mapped: 0 });
    await updateTi(harness, { runId: 'manual__2', taskId: 'extract' }, { state: 'queued', queued_at: T0 });
    const attempt = await harness.claim();
    expect(attempt.run_id).toBe('manual__2');
    const beat = () =>
      harness.request({
        method: 'PUT',
        url: `/execution/task-instances/${attempt.ti_id}/heartbeat`,
        token: attempt.token,
      });
    expect((await beat()).statusCode).toBe(204);

    const response = await clear({ dag_run_id: 'manual__2' });
    expect(response.json().task_instances).toEqual([
      expect.objectContaining({ task_id: 'extract', state: null, try_number: 1, max_tries: 4 }),
    ]);
    const stale = await beat();
    expect(stale.statusCode).toBe(409);
    expect(detailOf(stale).reason).toBe('stale_attempt');
  });

  it('answers 422 naming the limit when more than 1000 TIs match, and changes nothing', async () => {
    const big = await seedOrdersRun(harness, { runId: 'manual__big', mapped: 0 });
    const placeholder = await tiRow(harness, 'manual__big', 'transform');
    const transform = ORDERS_DAG.tasks[1];
    if (!transform) throw new Error('no transform');
    await expandMappedTask(harness.database.db, { ...big, dagId: 'orders' }, placeholder.id, transform, 1_001, T0);
    const before = await snapshot();
    const response = await clear({ dag_run_id: 'manual__big' });
    expect(response.statusCode).toBe(422);
    expect(detailOf(response)).toEqual({
      reason: 'validation_error',
      message: expect.stringContaining('matches 1001 task instances, over the limit of 1000 per call'),
    });
    expect(await snapshot()).toEqual(before);
    const narrowed = await clear({ dag_run_id: 'manual__big', map_indexes: [0, 1000] });
    expect(narrowed.json().total_entries).toBe(2);
  });

  it('answers 404 for an unknown DAG or run', async () => {
    const dag = await harness.api('POST', '/api/v2/dags/nope/clearTaskInstances', { role: 'op', payload: {} });
    expect(dag.statusCode).toBe(404);
    expect(detailOf(dag).reason).toBe('dag_not_found');
    const run = await clear({ dag_run_id: 'manual__9' });
    expect(run.statusCode).toBe(404);
    expect(detailOf(run).reason).toBe('dag_run_not_found');
  });

  it('answers 403 to a viewer and 401 without a token, and changes nothing', async () => {
    const before = await snapshot();
    const viewer = await clear({ dag_run_id: 'manual__1' }, 'viewer');
    expect(viewer.statusCode).toBe(403);
    expect(detailOf(viewer).reason).toBe('forbidden');
    const anonymous = await harness.api('POST', CLEAR_URL, { token: null, payload: { dag_run_id: 'manual__1' } });
    expect(anonymous.statusCode).toBe(401);
    expect(await snapshot()).toEqual(before);
    expect(await stateOf('extract')).toBe('extract--1');
  });

  it('answers 422 for bad bodies', async () => {
    const cases: unknown[] = [
      { dag_run_id: 'manual__1', include_downstream: true },
      { only_failed: 'yes' },
      { task_ids: [] },
      { task_ids: 'extract' },
      { map_indexes: [-2] },
      { dag_run_id: '' },
      [1],
    ];
    for (const payload of cases) {
      const response = await clear(payload);
      expect(response.statusCode, JSON.stringify(payload)).toBe(422);
      expect(detailOf(response).reason).toBe('validation_error');
    }
    expect((await tiRow(harness, 'manual__1', 'extract')).state).toBe('success');
  });
});
