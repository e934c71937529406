import { randomBytes } from 'node:crypto';
import {
  dagScope,
  dagStateCollectionSchema,
  dagStateEntrySchema,
  stateHistorySchema,
  taskScope,
  taskStateCollectionSchema,
} from '@tidemark/core';
import { stateKey } from '@tidemark/db';
import { eachDialect } from '@tidemark/db/testing';
import { sql } from 'kysely';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { T0 } from '../../testing/execution-harness.ts';
import {
  detailOf,
  openTaskInstanceHarness,
  RUNS_URL,
  seedOrdersRun,
  type TaskInstanceHarness,
} from '../../testing/task-instance-test-kit.ts';

const BASE = '/api/v2/dags/orders/state-store';
const TRANSFORM_STATE = `${RUNS_URL}/manual__1/taskInstances/transform/state-store`;
const TASK_WRITER = {
  kind: 'task',
  dagId: 'orders',
  runId: 'manual__1',
  taskId: 'load',
  mapIndex: -1,
  tryNumber: 1,
} as const;
const ENCRYPTION_KEY = randomBytes(32).toString('base64');
const SECRET = 'dag-secret-sk-live-7d1f9e';

/** SPEC §17 on the public API: DAG state, and the state of one item of an item-keyed mapped task. */
describe.each(eachDialect())('public DAG-state and item-state routes on %s', (dialect) => {
  let harness: TaskInstanceHarness;

  const put = (key: string, payload: unknown, headers: Record<string, string> = {}) =>
    harness.api('PUT', `${BASE}/${key}`, { role: 'op', payload, headers });

  beforeEach(async () => {
    harness = await openTaskInstanceHarness(dialect, {
      state: { max_value_bytes: 1_000, encryption_key: ENCRYPTION_KEY },
    });
  });
  afterEach(() => harness.close());

  it('PUT, GET and list with expiry and last_updated_by; DELETE and clear', async () => {
    const written = await put('cursor', { value: { page: 2 } });
    expect(written.statusCode).toBe(200);
    expect(written.headers.etag).toBe('"1"');
    expect(dagStateEntrySchema.parse(written.json())).toEqual({
      key: 'cursor',
      value: { page: 2 },
      version: 1,
      updated_at: new Date(T0).toISOString(),
      expires_at: null,
      last_updated_by: { kind: 'api', user: 'alice' },
    });
    const expiring = await put('a%2Fb', { value: 1, expires_at: '2026-02-01T00:00:00Z' });
    expect(expiring.json().expires_at).toBe('2026-02-01T00:00:00.000Z');
    await harness.stateBackend.set(dagScope('orders'), 'by-task', 5, { writer: TASK_WRITER });
    const list = dagStateCollectionSchema.parse((await harness.api('GET', BASE)).json());
    expect(list.total_entries).toBe(3);
    expect(list.dag_state_store.map((entry) => entry.key)).toEqual(['a/b', 'by-task', 'cursor']);
    expect(list.dag_state_store[1]?.last_updated_by).toMatchObject({ kind: 'task', task_id: 'load', try_number: 1 });
    expect((await harness.api('GET', `${BASE}/a/b`)).json().value).toBe(1);
    expect((await harness.api('DELETE', `${BASE}/cursor`, { role: 'op' })).statusCode).toBe(204);
    expect(detailOf(await harness.api('GET', `${BASE}/cursor`)).reason).toBe('state_not_found');
    expect((await harness.api('DELETE', BASE, { role: 'op' })).statusCode).toBe(204);
    expect((await harness.api('GET', BASE)).json().total_entries).toBe(0);
  });

  it('refuses bad input (422, 413, 412), an unknown DAG (404), a viewer writing (403) and no token (401)', async () => {
    await put('k', { value: 1 });
    const refused = [
      [await put('k', { value: null }), 422],
      [await put('k', { value: 2, expires_at: 'tomorrow' }), 422],
      [await put('k', { value: 2, retention: '1d' }), 422],
      [await put('k', { value: 'x'.repeat(2_000) }), 413],
      [await put('k', { value: 2 }, { 'if-match': '"7"' }), 412],
      [await harness.api('PUT', '/api/v2/dags/nope/state-store/k', { role: 'op', payload: { value: 1 } }), 404],
      [await harness.api('GET', '/api/v2/dags/nope/state-store'), 404],
      [await harness.api('PUT', `${BASE}/k`, { role: 'viewer', payload: { value: 2 } }), 403],
      [await harness.api('GET', BASE, { token: null }), 401],
    ] as const;
    for (const [response, status] of refused) {
      expect(response.statusCode, response.body).toBe(status);
      expect(detailOf(response).reason).toEqual(expect.any(String));
    }
    expect(detailOf(refused[5][0]).reason).toBe('dag_not_found');
    expect(await harness.stateBackend.get(dagScope('orders'), 'k')).toMatchObject({ value: 1, version: 1 });
  });

  it('history and restore with If-Match: 428 without, 412 after a write in between, 200 as a new version', async () => {
    await put('k', { value: 'first' });
    await put('k', { value: 'second' });
    const history = stateHistorySchema.parse((await harness.api('GET', `${BASE}/k/history`)).json()).history;
    expect(history.map((entry) => [entry.version, entry.value])).toEqual([
      [2, 'second'],
      [1, 'first'],
    ]);
    const restore = (headers: Record<string, string> = {}) =>
      harness.api('POST', `${BASE}/k/history/1/restore`, { role: 'op', headers });
    expect(detailOf(await restore()).reason).toBe('precondition_required');
    expect((await restore({ 'if-match': '"1"' })).statusCode).toBe(412);
    const restored = await restore({ 'if-match': '"2"' });
    expect(restored.statusCode).toBe(200);
    expect(restored.json()).toMatchObject({ value: 'first', version: 3, last_updated_by: { kind: 'api' } });
  });

  it('addresses one item of an item-keyed mapped task with ?item_key=, history and restore included', async () => {
    await seedOrdersRun(harness, { mapped: 2 });
    const item = taskScope({ dagId: 'orders', runId: 'manual__1', taskId: 'transform', itemKey: 'order-7' });
    await harness.stateBackend.set(item, 'job_id', 'job-1', { writer: { ...TASK_WRITER, taskId: 'transform' } });
    await harness.stateBackend.set(item, 'job_id', 'job-2');
    const list = taskStateCollectionSchema.parse(
      (await harness.api('GET', `${TRANSFORM_STATE}?item_key=order-7`)).json(),
    );
    expect(list.task_state_store.map((entry) => [entry.key, entry.value])).toEqual([['job_id', 'job-2']]);
    expect((await harness.api('GET', `${TRANSFORM_STATE}?map_index=0`)).json().total_entries).toBe(0);
    const history = await harness.api('GET', `${TRANSFORM_STATE}/job_id/history?item_key=order-7`);
    expect(history.json().history.map((entry: { value: unknown }) => entry.value)).toEqual(['job-2', 'job-1']);
    const restored = await harness.api('POST', `${TRANSFORM_STATE}/job_id/history/1/restore?item_key=order-7`, {
      role: 'op',
      headers: { 'if-match': '"2"' },
    });
    expect(restored.json()).toMatchObject({ value: 'job-1', version: 3 });
    const both = await harness.api('GET', `${TRANSFORM_STATE}/job_id?item_key=order-7&map_index=0`);
    expect(both.statusCode).toBe(422);
    expect(detailOf(both).message).toContain('not both');
    const unmapped = await harness.api('GET', `${RUNS_URL}/manual__1/taskInstances/load/state-store?item_key=a`);
    expect(unmapped.statusCode).toBe(404);
    const withAll = await harness.api('DELETE', `${TRANSFORM_STATE}?item_key=order-7&all_map_indices=true`, {
      role: 'op',
    });
    expect(withAll.statusCode).toBe(422);
    expect((await harness.api('DELETE', `${TRANSFORM_STATE}?item_key=order-7`, { role: 'op' })).statusCode).toBe(204);
    expect(await harness.stateBackend.get(item, 'job_id')).toBeUndefined();
  });

  it('encrypts DAG state and item state at rest: the rows hold no plaintext, the APIs show it', async () => {
    await seedOrdersRun(harness, { mapped: 1 });
    expect((await put('token', { value: { secret: SECRET } })).statusCode).toBe(200);
    await put('token', { value: { secret: `${SECRET}-2` } });
    const item = taskScope({ dagId: 'orders', runId: 'manual__1', taskId: 'transform', itemKey: 'a' });
    await harness.stateBackend.set(item, 'job', SECRET);
    expect((await harness.api('GET', `${BASE}/token`)).json().value).toEqual({ secret: `${SECRET}-2` });
    expect((await harness.api('GET', `${TRANSFORM_STATE}/job?item_key=a`)).json().value).toBe(SECRET);
    const stored: string[] = [];
    for (const table of ['dag_state', 'task_state', 'state_history']) {
      const { rows } = await sql<{ value: string | null }>`select value from ${sql.table(table)}`.execute(
        harness.database.db,
      );
      for (const row of rows) if (row.value !== null) stored.push(row.value);
    }
    expect(stored.length).toBe(5); // one DAG row and its two versions, one item row and its version
    for (const text of stored) {
      expect(text).toMatch(new RegExp(`^enc:v1:${stateKey(ENCRYPTION_KEY).id}:`));
      expect(text).not.toContain(SECRET);
    }
  });
});
