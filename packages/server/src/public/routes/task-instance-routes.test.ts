import { taskInstanceCollectionSchema, taskInstanceSchema, taskScope } from '@tidemark/core';
import { activateAsset } from '@tidemark/db';
import { eachDialect } from '@tidemark/db/testing';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { T0 } from '../../testing/execution-harness.ts';
import {
  detailOf,
  finished,
  openTaskInstanceHarness,
  RUNS_URL,
  runRow,
  seedOrdersRun,
  type TaskInstanceHarness,
  tiRow,
  updateTi,
} from '../../testing/task-instance-test-kit.ts';

const TIS_URL = `${RUNS_URL}/manual__1/taskInstances`;

describe.each(eachDialect())('GET …/taskInstances on %s', (dialect) => {
  let harness: TaskInstanceHarness;

  beforeEach(async () => {
    harness = await openTaskInstanceHarness(dialect);
    await seedOrdersRun(harness, { mapped: 3 });
    await updateTi(harness, { taskId: 'extract' }, finished('success'));
    await updateTi(harness, { taskId: 'transform', mapIndex: 0 }, finished('success'));
    await updateTi(
      harness,
      { taskId: 'transform', mapIndex: 1 },
      {
        ...finished('up_for_retry'),
        next_retry_at: T0 + 10_000,
      },
    );
    await updateTi(
      harness,
      { taskId: 'transform', mapIndex: 2 },
      {
        state: 'running',
        try_number: 2,
        start_date: T0 + 2_000,
        worker: 'host-b:7',
      },
    );
  });
  afterEach(() => harness.close());

  it('lists every TI of the run, ordered by task id then map index, in the Airflow shape', async () => {
    const response = await harness.api('GET', TIS_URL);
    expect(response.statusCode).toBe(200);
    const body = taskInstanceCollectionSchema.parse(response.json());
    expect(body.total_entries).toBe(5);
    expect(body.task_instances.map((ti) => [ti.task_id, ti.map_index, ti.state])).toEqual([
      ['extract', -1, 'success'],
      ['load', -1, null],
      ['transform', 0, 'success'],
      ['transform', 1, 'up_for_retry'],
      ['transform', 2, 'running'],
    ]);
    const extract = await tiRow(harness, 'manual__1', 'extract');
    expect(body.task_instances[0]).toEqual({
      id: extract.id,
      task_id: 'extract',
      dag_id: 'orders',
      dag_run_id: 'manual__1',
      map_index: -1,
      state: 'success',
      try_number: 1,
      max_tries: 3,
      start_date: '2026-01-01T00:00:01.000Z',
      end_date: '2026-01-01T00:00:04.500Z',
      duration: 3.5,
      queued_when: '2026-01-01T00:00:00.500Z',
      hostname: 'host-a:41',
      next_retry_at: null,
      deferral: null,
    });
    expect(body.task_instances[1]).toMatchObject({ try_number: 0, start_date: null, duration: null, hostname: null });
    expect(body.task_instances[3]?.next_retry_at).toBe('2026-01-01T00:00:10.000Z');
    expect(body.task_instances[4]).toMatchObject({ try_number: 2, end_date: null, duration: null });
  });

  it('filters by state (comma list, repeated, none), task_id and map_index', async () => {
    const states = async (query: string) => {
      const response = await harness.api('GET', `${TIS_URL}?${query}`);
      expect(response.statusCode).toBe(200);
      const body = taskInstanceCollectionSchema.parse(response.json());
      return [body.total_entries, body.task_instances.map((ti) => `${ti.task_id}[${ti.map_index}]`)];
    };
    expect(await states('state=success')).toEqual([2, ['extract[-1]', 'transform[0]']]);
    expect(await states('state=running,up_for_retry')).toEqual([2, ['transform[1]', 'transform[2]']]);
    expect(await states('state=running&state=none')).toEqual([2, ['load[-1]', 'transform[2]']]);
    expect(await states('task_id=transform')).toEqual([3, ['transform[0]', 'transform[1]', 'transform[2]']]);
    expect(await states('task_id=transform&map_index=1')).toEqual([1, ['transform[1]']]);
    expect(await states('map_index=-1&state=success')).toEqual([1, ['extract[-1]']]);
    expect(await states('state=failed')).toEqual([0, []]);
  });

  it('paginates with limit and offset; total_entries counts every match', async () => {
    const first = taskInstanceCollectionSchema.parse((await harness.api('GET', `${TIS_URL}?limit=2`)).json());
    const second = taskInstanceCollectionSchema.parse((await harness.api('GET', `${TIS_URL}?limit=2&offset=2`)).json());
    const last = taskInstanceCollectionSchema.parse((await harness.api('GET', `${TIS_URL}?limit=2&offset=4`)).json());
    expect([first.total_entries, second.total_entries, last.total_entries]).toEqual([5, 5, 5]);
    expect(
      [...first.task_instances, ...second.task_instances, ...last.task_instances].map((ti) => ti.map_index),
    ).toEqual([-1, -1, 0, 1, 2]);
    expect(last.task_instances).toHaveLength(1);
  });

  it('answers 404 dag_run_not_found for an unknown run or DAG', async () => {
    for (const url of [`${RUNS_URL}/nope/taskInstances`, '/api/v2/dags/nope/dagRuns/manual__1/taskInstances']) {
      const response = await harness.api('GET', url);
      expect(response.statusCode).toBe(404);
      expect(detailOf(response).reason).toBe('dag_run_not_found');
    }
  });

  it('answers 422 for bad filters and pages', async () => {
    for (const query of ['state=done', 'state=success,bogus', 'map_index=x', 'map_index=', 'map_index=-2', 'limit=0']) {
      const response = await harness.api('GET', `${TIS_URL}?${query}`);
      expect(response.statusCode, query).toBe(422);
      expect(detailOf(response).reason).toBe('validation_error');
    }
  });

  it('answers 401 without a token or with a forged one', async () => {
    expect((await harness.api('GET', TIS_URL, { token: null })).statusCode).toBe(401);
    const forged = await harness.api('GET', TIS_URL, { token: `${harness.token('viewer')}x` });
    expect(forged.statusCode).toBe(401);
    expect(detailOf(forged).reason).toBe('invalid_token');
  });
});

describe.each(eachDialect())('GET …/taskInstances/{task_id} on %s', (dialect) => {
  let harness: TaskInstanceHarness;

  beforeEach(async () => {
    harness = await openTaskInstanceHarness(dialect);
    await seedOrdersRun(harness, { mapped: 3 });
    await updateTi(harness, { taskId: 'transform', mapIndex: 2 }, finished('failed', 4));
  });
  afterEach(() => harness.close());

  it('returns an unmapped TI at map index -1 by default', async () => {
    const response = await harness.api('GET', `${TIS_URL}/extract`);
    expect(response.statusCode).toBe(200);
    expect(taskInstanceSchema.parse(response.json())).toMatchObject({
      task_id: 'extract',
      map_index: -1,
      state: null,
      try_number: 0,
      max_tries: 3,
    });
    expect((await harness.api('GET', `${TIS_URL}/extract?map_index=-1`)).json().task_id).toBe('extract');
  });

  it('returns one map index of a mapped task', async () => {
    const response = await harness.api('GET', `${TIS_URL}/transform?map_index=2`);
    expect(response.statusCode).toBe(200);
    expect(response.json()).toMatchObject({ task_id: 'transform', map_index: 2, state: 'failed', try_number: 4 });
  });

  it('answers 404 for a mapped task without map_index, telling to pass it and how many there are', async () => {
    const response = await harness.api('GET', `${TIS_URL}/transform`);
    expect(response.statusCode).toBe(404);
    expect(detailOf(response)).toEqual({
      reason: 'task_instance_not_found',
      message: expect.stringMatching(/task "transform" is mapped: it has 3 task instances .*pass \?map_index=/),
    });
  });

  it('answers 404 task_instance_not_found for an unknown task or map index, and dag_run_not_found for a run', async () => {
    for (const url of [`${TIS_URL}/nope`, `${TIS_URL}/transform?map_index=3`, `${TIS_URL}/extract?map_index=0`]) {
      const response = await harness.api('GET', url);
      expect(response.statusCode, url).toBe(404);
      expect(detailOf(response).reason).toBe('task_instance_not_found');
    }
    const run = await harness.api('GET', `${RUNS_URL}/manual__2/taskInstances/extract`);
    expect(detailOf(run).reason).toBe('dag_run_not_found');
  });

  it('answers 401 without a token', async () => {
    expect((await harness.api('GET', `${TIS_URL}/extract`, { token: null })).statusCode).toBe(401);
  });
});

describe.each(eachDialect())('PATCH …/taskInstances/{task_id} on %s', (dialect) => {
  let harness: TaskInstanceHarness;

  const open = async (settings = {}) => {
    harness = await openTaskInstanceHarness(dialect, settings);
    await seedOrdersRun(harness, { mapped: 2 });
  };
  afterEach(() => harness.close());

  const mark = (taskId: string, newState: unknown, query = '', role: 'viewer' | 'op' | 'admin' = 'op') =>
    harness.api('PATCH', `${TIS_URL}/${taskId}${query}`, { role, payload: { new_state: newState } });

  it('marks a running TI success: state and end date set, its attempt gets 409 on the next heartbeat, no asset event', async () => {
    await open();
    await activateAsset(harness.database.db, { name: 'orders', uri: 's3://warehouse/orders' }, T0);
    await updateTi(harness, { taskId: 'extract' }, finished('success'));
    await updateTi(harness, { taskId: 'transform', mapIndex: 0 }, finished('success'));
    await updateTi(harness, { taskId: 'transform', mapIndex: 1 }, finished('success'));
    await updateTi(harness, { taskId: 'load' }, { state: 'queued', queued_at: T0 });
    const attempt = await harness.claim('host-c:9');
    expect(attempt.task_id).toBe('load');
    harness.clock.advance(7_000);

    const response = await mark('load', 'success');

    expect(response.statusCode).toBe(200);
    expect(taskInstanceSchema.parse(response.json())).toMatchObject({
      task_id: 'load',
      state: 'success',
      try_number: 1,
      start_date: '2026-01-01T00:00:00.000Z',
      end_date: '2026-01-01T00:00:07.000Z',
      duration: 7,
      hostname: 'host-c:9',
    });
    expect(await tiRow(harness, 'manual__1', 'load')).toMatchObject({ state: 'success', end_date: T0 + 7_000 });
    const heartbeat = await harness.request({
      method: 'PUT',
      url: `/execution/task-instances/${attempt.ti_id}/heartbeat`,
      token: attempt.token,
    });
    expect(heartbeat.statusCode).toBe(409);
    expect(detailOf(heartbeat).reason).toBe('stale_attempt');
    expect(await harness.database.db.selectFrom('asset_event').selectAll().execute()).toEqual([]);
  });

  it('marks a TI failed; marking it again changes nothing', async () => {
    await open();
    await updateTi(
      harness,
      { taskId: 'transform', mapIndex: 1 },
      { state: 'up_for_retry', try_number: 1, next_retry_at: T0 + 9_000 },
    );
    harness.clock.advance(3_000);
    const response = await mark('transform', 'failed', '?map_index=1');
    expect(response.statusCode).toBe(200);
    expect(response.json()).toMatchObject({
      map_index: 1,
      state: 'failed',
      end_date: '2026-01-01T00:00:03.000Z',
      next_retry_at: null,
    });

    harness.clock.advance(3_000);
    const again = await mark('transform', 'failed', '?map_index=1');
    expect(again.json()).toMatchObject({ state: 'failed', end_date: '2026-01-01T00:00:03.000Z' });
  });

  it('marking success lets the scheduler go on: upstream_failed downstream TIs back to none, a finished run back to queued', async () => {
    await open();
    await seedOrdersRun(harness, { runId: 'manual__2', mapped: 0 });
    await updateTi(harness, { runId: 'manual__2', taskId: 'extract' }, finished('failed', 3));
    await updateTi(
      harness,
      { runId: 'manual__2', taskId: 'transform' },
      { state: 'upstream_failed', end_date: T0 + 5_000 },
    );
    await updateTi(harness, { runId: 'manual__2', taskId: 'load' }, { state: 'upstream_failed', end_date: T0 + 5_000 });
    await harness.database.db
      .updateTable('dag_run')
      .set({ state: 'failed', start_date: T0, end_date: T0 + 5_000 })
      .where('run_id', '=', 'manual__2')
      .execute();
    harness.clock.advance(60_000);

    const response = await harness.api('PATCH', `${RUNS_URL}/manual__2/taskInstances/extract`, {
      role: 'op',
      payload: { new_state: 'success' },
    });

    expect(response.statusCode).toBe(200);
    expect(response.json()).toMatchObject({ state: 'success', try_number: 3 });
    for (const taskId of ['transform', 'load']) {
      expect(await tiRow(harness, 'manual__2', taskId)).toMatchObject({ state: null, end_date: null });
    }
    expect(await runRow(harness, 'manual__2')).toMatchObject({
      state: 'queued',
      end_date: null,
      queued_at: T0 + 60_000,
    });
    expect((await runRow(harness, 'manual__1')).state).toBe('queued');
  });

  it('marking failed leaves downstream TIs to the scheduler and requeues a finished run to settle it again', async () => {
    await open();
    for (const [taskId, mapIndex] of [
      ['extract', -1],
      ['transform', 0],
      ['transform', 1],
      ['load', -1],
    ] as const) {
      await updateTi(harness, { taskId, mapIndex }, finished('success'));
    }
    await harness.database.db
      .updateTable('dag_run')
      .set({ state: 'success', end_date: T0 + 5_000 })
      .execute();
    const response = await mark('transform', 'failed', '?map_index=0');
    expect(response.json()).toMatchObject({ state: 'failed' });
    expect((await tiRow(harness, 'manual__1', 'load')).state).toBe('success');
    expect(await runRow(harness)).toMatchObject({ state: 'queued', end_date: null });
  });

  it('with state.clear_on_success, marking success discards the TI’s task state (and only its own)', async () => {
    await open({ state: { clear_on_success: true } });
    const scope = taskScope({ dagId: 'orders', runId: 'manual__1', taskId: 'transform', mapIndex: 0 });
    const other = { ...scope, mapIndex: 1 };
    await harness.stateBackend.set(scope, 'job_id', 'spark-17');
    await harness.stateBackend.set(other, 'job_id', 'spark-18');

    expect((await mark('transform', 'success', '?map_index=0')).statusCode).toBe(200);

    expect(await harness.stateBackend.get(scope, 'job_id')).toBeUndefined();
    expect((await harness.stateBackend.get(other, 'job_id'))?.value).toBe('spark-18');
    const [deletion] = await harness.stateBackend.history(scope, 'job_id');
    expect(deletion).toMatchObject({ operation: 'delete', writtenBy: { kind: 'api', user: 'alice' } });
  });

  it('keeps task state when marking success without clear_on_success, and when marking failed', async () => {
    await open({ state: { clear_on_success: false } });
    const scope = taskScope({ dagId: 'orders', runId: 'manual__1', taskId: 'extract' });
    await harness.stateBackend.set(scope, 'cursor', 41);
    expect((await mark('extract', 'success')).statusCode).toBe(200);
    expect((await harness.stateBackend.get(scope, 'cursor'))?.value).toBe(41);

    await harness.close();
    await open({ state: { clear_on_success: true } });
    await harness.stateBackend.set(scope, 'cursor', 42);
    expect((await mark('extract', 'failed')).statusCode).toBe(200);
    expect((await harness.stateBackend.get(scope, 'cursor'))?.value).toBe(42);
  });

  it('answers 403 to a viewer and 401 without a token, and changes nothing', async () => {
    await open();
    const viewer = await mark('extract', 'success', '', 'viewer');
    expect(viewer.statusCode).toBe(403);
    expect(detailOf(viewer)).toEqual({ reason: 'forbidden', message: expect.stringContaining('"op"') });
    const anonymous = await harness.api('PATCH', `${TIS_URL}/extract`, {
      token: null,
      payload: { new_state: 'success' },
    });
    expect(anonymous.statusCode).toBe(401);
    expect((await tiRow(harness, 'manual__1', 'extract')).state).toBeNull();
    expect((await mark('extract', 'success', '', 'admin')).statusCode).toBe(200);
  });

  it('answers 422 for bad bodies', async () => {
    await open();
    for (const payload of [{ new_state: 'running' }, {}, { new_state: 'success', note: 'x' }, [1]]) {
      const response = await harness.api('PATCH', `${TIS_URL}/extract`, { role: 'op', payload });
      expect(response.statusCode, JSON.stringify(payload)).toBe(422);
      expect(detailOf(response).reason).toBe('validation_error');
    }
    expect((await tiRow(harness, 'manual__1', 'extract')).state).toBeNull();
  });

  it('answers 404 for unknown runs, tasks and map indices, and for a mapped task without map_index', async () => {
    await open();
    const cases: [string, string][] = [
      [`${RUNS_URL}/nope/taskInstances/extract`, 'dag_run_not_found'],
      [`${TIS_URL}/nope`, 'task_instance_not_found'],
      [`${TIS_URL}/transform?map_index=5`, 'task_instance_not_found'],
      [`${TIS_URL}/transform`, 'task_instance_not_found'],
    ];
    for (const [url, reason] of cases) {
      const response = await harness.api('PATCH', url, { role: 'op', payload: { new_state: 'success' } });
      expect(response.statusCode, url).toBe(404);
      expect(detailOf(response).reason).toBe(reason);
    }
  });
});

describe.each(eachDialect())('the task-instance routes in the OpenAPI document on %s', (dialect) => {
  let harness: TaskInstanceHarness;
  beforeEach(async () => {
    harness = await openTaskInstanceHarness(dialect);
  });
  afterEach(() => harness.close());

  it('documents every route with its parameters and responses', async () => {
    const response = await harness.api('GET', '/api/v2/openapi.json', { token: null });
    expect(response.statusCode).toBe(200);
    const paths = response.json().paths as Record<string, Record<string, { summary?: string; tags?: string[] }>>;
    const base = '/api/v2/dags/{dag_id}/dagRuns/{dag_run_id}/taskInstances';
    const expected: [string, string][] = [
      [base, 'get'],
      [`${base}/{task_id}`, 'get'],
      [`${base}/{task_id}`, 'patch'],
      [`${base}/{task_id}/logs/{try_number}`, 'get'],
      [`${base}/{task_id}/xcomEntries`, 'get'],
      [`${base}/{task_id}/xcomEntries/{xcom_key}`, 'get'],
      ['/api/v2/dags/{dag_id}/clearTaskInstances', 'post'],
    ];
    for (const [path, method] of expected) {
      const operation = paths[path]?.[method];
      expect(operation, `${method} ${path}`).toBeDefined();
      expect(operation?.summary).toBeTruthy();
      expect(operation?.tags?.length).toBeGreaterThan(0);
    }
    const clear = paths['/api/v2/dags/{dag_id}/clearTaskInstances']?.post as unknown as {
      requestBody: { content: { 'application/json': { schema: { properties: Record<string, unknown> } } } };
    };
    expect(Object.keys(clear.requestBody.content['application/json'].schema.properties).sort()).toEqual([
      'dag_run_id',
      'dry_run',
      'keep_task_state',
      'map_indexes',
      'only_failed',
      'task_ids',
    ]);
  });
});
