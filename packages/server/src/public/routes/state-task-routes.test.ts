import { stateHistorySchema, taskScope, taskStateCollectionSchema, taskStateEntrySchema } from '@tidemark/core';
import { eachDialect } from '@tidemark/db/testing';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { T0 } from '../../testing/execution-harness.ts';
import {
  detailOf,
  openTaskInstanceHarness,
  RUNS_URL,
  seedOrdersRun,
  type TaskInstanceHarness,
} from '../../testing/task-instance-test-kit.ts';

const TIS_URL = `${RUNS_URL}/manual__1/taskInstances`;
const EXTRACT = `${TIS_URL}/extract/state-store`;
const TRANSFORM = `${TIS_URL}/transform/state-store`;
const DAY = 86_400_000;

describe.each(eachDialect())('public task-state routes on %s', (dialect) => {
  let harness: TaskInstanceHarness;
  const extractScope = taskScope({ dagId: 'orders', runId: 'manual__1', taskId: 'extract' });
  const transformScope = (mapIndex: number) =>
    taskScope({ dagId: 'orders', runId: 'manual__1', taskId: 'transform', mapIndex });

  const put = (url: string, payload: unknown, headers: Record<string, string> = {}) =>
    harness.api('PUT', url, { role: 'op', payload, headers });

  beforeEach(async () => {
    // A duration given as a number is in seconds.
    harness = await openTaskInstanceHarness(dialect, {
      state: { max_value_bytes: 1_000, default_retention: DAY / 1000 },
    });
    await seedOrdersRun(harness, { mapped: 3 });
  });
  afterEach(() => harness.close());

  it('PUT then GET a key: the entry, its ETag and the default expiry', async () => {
    const response = await put(`${EXTRACT}/cursor`, { value: { page: 3 } });
    expect(response.statusCode).toBe(200);
    expect(response.headers.etag).toBe('"1"');
    expect(taskStateEntrySchema.parse(response.json())).toEqual({
      key: 'cursor',
      value: { page: 3 },
      version: 1,
      updated_at: new Date(T0).toISOString(),
      expires_at: new Date(T0 + DAY).toISOString(),
    });
    const read = await harness.api('GET', `${EXTRACT}/cursor`);
    expect(read.statusCode).toBe(200);
    expect(read.headers.etag).toBe('"1"');
    expect(read.json()).toEqual(response.json());
    const stored = await harness.stateBackend.get(extractScope, 'cursor');
    expect(stored?.updatedBy).toEqual({ kind: 'api', user: 'alice' });
  });

  it('expires_at null never expires; an ISO time is kept; a bad one is 422', async () => {
    const never = await put(`${EXTRACT}/a`, { value: 1, expires_at: null });
    expect(never.json().expires_at).toBeNull();
    const at = '2026-02-01T00:00:00.000Z';
    expect((await put(`${EXTRACT}/b`, { value: 1, expires_at: at })).json().expires_at).toBe(at);
    const bad = await put(`${EXTRACT}/c`, { value: 1, expires_at: 'tomorrow' });
    expect(bad.statusCode).toBe(422);
    expect(detailOf(bad).reason).toBe('validation_error');
  });

  it('a retention of 0 makes "default" never expire', async () => {
    await harness.close();
    harness = await openTaskInstanceHarness(dialect, { state: { default_retention: 0 } });
    await seedOrdersRun(harness, { mapped: 3 });
    expect((await put(`${EXTRACT}/k`, { value: 'v' })).json().expires_at).toBeNull();
  });

  it('keys with "/" work URL-encoded or not', async () => {
    expect((await put(`${EXTRACT}/a/b c`, { value: 'raw' })).statusCode).toBe(200);
    const encoded = await harness.api('GET', `${EXTRACT}/${encodeURIComponent('a/b c')}`);
    expect(encoded.statusCode).toBe(200);
    expect(encoded.json()).toMatchObject({ key: 'a/b c', value: 'raw' });
    expect((await put(`${EXTRACT}/${encodeURIComponent('x/y')}`, { value: 2 })).json().key).toBe('x/y');
    expect((await harness.api('GET', `${EXTRACT}/x/y`)).json().value).toBe(2);
    const history = await harness.api('GET', `${EXTRACT}/${encodeURIComponent('x/y')}/history`);
    expect(history.json().history).toHaveLength(1);
    expect((await harness.api('DELETE', `${EXTRACT}/x/y`, { role: 'op' })).statusCode).toBe(204);
    expect(await harness.stateBackend.get(extractScope, 'x/y')).toBeUndefined();
  });

  it('lists in key order with pagination; map indices are separate', async () => {
    for (const key of ['c', 'a', 'b']) await put(`${EXTRACT}/${key}`, { value: key });
    await put(`${TRANSFORM}/only-1?map_index=1`, { value: 1 });
    const page = await harness.api('GET', `${EXTRACT}?limit=2&offset=1`);
    expect(page.statusCode).toBe(200);
    const body = taskStateCollectionSchema.parse(page.json());
    expect(body.total_entries).toBe(3);
    expect(body.task_state_store.map((entry) => entry.key)).toEqual(['b', 'c']);
    expect((await harness.api('GET', `${TRANSFORM}?map_index=1`)).json().total_entries).toBe(1);
    expect((await harness.api('GET', `${TRANSFORM}?map_index=2`)).json().total_entries).toBe(0);
  });

  it('PATCH replaces the value and keeps the expiry; 404 when absent', async () => {
    const at = '2026-03-01T00:00:00.000Z';
    await put(`${EXTRACT}/k`, { value: 1, expires_at: at });
    harness.clock.advance(5_000);
    const patched = await harness.api('PATCH', `${EXTRACT}/k`, { role: 'op', payload: { value: 2 } });
    expect(patched.statusCode).toBe(200);
    expect(patched.json()).toMatchObject({ value: 2, version: 2, expires_at: at });
    const missing = await harness.api('PATCH', `${EXTRACT}/nope`, { role: 'op', payload: { value: 2 } });
    expect(missing.statusCode).toBe(404);
    expect(detailOf(missing).reason).toBe('state_not_found');
  });

  it('If-Match is compare-and-set on PUT, PATCH and DELETE (412 state_conflict)', async () => {
    await put(`${EXTRACT}/k`, { value: 1 });
    const stale = await put(`${EXTRACT}/k`, { value: 2 }, { 'if-match': '"7"' });
    expect(stale.statusCode).toBe(412);
    expect(detailOf(stale).reason).toBe('state_conflict');
    expect((await put(`${EXTRACT}/k`, { value: 2 }, { 'if-match': '"1"' })).json().version).toBe(2);
    const create = await put(`${EXTRACT}/new`, { value: 1 }, { 'if-match': '"0"' });
    expect(create.statusCode).toBe(200);
    expect((await put(`${EXTRACT}/new`, { value: 1 }, { 'if-match': '"0"' })).statusCode).toBe(412);
    const patch = await harness.api('PATCH', `${EXTRACT}/k`, {
      role: 'op',
      payload: { value: 3 },
      headers: { 'if-match': '"1"' },
    });
    expect(patch.statusCode).toBe(412);
    const del = await harness.api('DELETE', `${EXTRACT}/k`, { role: 'op', headers: { 'if-match': '"1"' } });
    expect(del.statusCode).toBe(412);
    expect((await harness.api('DELETE', `${EXTRACT}/k`, { role: 'op', headers: { 'if-match': '2' } })).statusCode).toBe(
      204,
    );
    const badHeader = await put(`${EXTRACT}/k`, { value: 1 }, { 'if-match': 'W/"x"' });
    expect(badHeader.statusCode).toBe(422);
  });

  it('a key over 512 characters is 422 invalid_state_key; a raw "/" before /history reads as part of the key', async () => {
    const long = await put(`${EXTRACT}/${'k'.repeat(513)}`, { value: 1 });
    expect(long.statusCode).toBe(422);
    expect(detailOf(long).reason).toBe('invalid_state_key');
    await put(`${EXTRACT}/a%2Fb`, { value: 1 });
    // Unencoded, `a/b/history` is the key "a/b/history" (absent); encoded, it is the history of "a/b".
    expect(detailOf(await harness.api('GET', `${EXTRACT}/a/b/history`)).reason).toBe('state_not_found');
    expect((await harness.api('GET', `${EXTRACT}/a%2Fb/history`)).json().history).toHaveLength(1);
  });

  it('GET of a missing key is 404 state_not_found; DELETE of one is 204', async () => {
    const missing = await harness.api('GET', `${EXTRACT}/nope`);
    expect(missing.statusCode).toBe(404);
    expect(detailOf(missing).reason).toBe('state_not_found');
    expect((await harness.api('DELETE', `${EXTRACT}/nope`, { role: 'op' })).statusCode).toBe(204);
  });

  it('401 without a token, 403 for a viewer writing; a viewer reads', async () => {
    expect((await harness.api('GET', EXTRACT, { token: null })).statusCode).toBe(401);
    for (const [method, url] of [
      ['PUT', `${EXTRACT}/k`],
      ['PATCH', `${EXTRACT}/k`],
      ['DELETE', `${EXTRACT}/k`],
      ['DELETE', EXTRACT],
    ] as const) {
      const response = await harness.api(method, url, { role: 'viewer', payload: { value: 1 } });
      expect(response.statusCode, `${method} ${url}`).toBe(403);
    }
    expect((await harness.api('GET', EXTRACT, { role: 'viewer' })).statusCode).toBe(200);
  });

  it('404 for an unknown run or task instance', async () => {
    const run = await harness.api('GET', `${RUNS_URL}/nope/taskInstances/extract/state-store`);
    expect(run.statusCode).toBe(404);
    expect(detailOf(run).reason).toBe('dag_run_not_found');
    const ti = await put(`${TIS_URL}/nope/state-store/k`, { value: 1 });
    expect(ti.statusCode).toBe(404);
    expect(detailOf(ti).reason).toBe('task_instance_not_found');
    const mapIndex = await harness.api('GET', `${TRANSFORM}/k?map_index=9`);
    expect(detailOf(mapIndex).reason).toBe('task_instance_not_found');
  });

  it('413 over max_value_bytes; 422 for null, a missing value or an unknown field', async () => {
    const large = await put(`${EXTRACT}/k`, { value: 'x'.repeat(2_000) });
    expect(large.statusCode).toBe(413);
    expect(detailOf(large).reason).toBe('value_too_large');
    expect(detailOf(large).message).toContain('1000');
    for (const payload of [{ value: null }, {}, { value: 1, extra: true }, { value: { __tidemark_ref__: 'x' } }]) {
      const response = await put(`${EXTRACT}/k`, payload);
      expect(response.statusCode, JSON.stringify(payload)).toBe(422);
    }
    expect(await harness.stateBackend.get(extractScope, 'k')).toBeUndefined();
  });

  it('an offload envelope is refused on PUT and PATCH (422): only workers write them', async () => {
    const envelope = { __tidemark_ref__: 'task/x/y' };
    const putEnvelope = await put(`${EXTRACT}/k`, { value: envelope });
    expect(putEnvelope.statusCode).toBe(422);
    expect(detailOf(putEnvelope)).toMatchObject({ reason: 'invalid_state_value' });
    expect(detailOf(putEnvelope).message).toContain('offload reference');
    await put(`${EXTRACT}/k`, { value: { wrapped: envelope } });
    const patch = await harness.api('PATCH', `${EXTRACT}/k`, { role: 'op', payload: { value: envelope } });
    expect(patch.statusCode).toBe(422);
    expect(await harness.stateBackend.get(extractScope, 'k')).toMatchObject({
      value: { wrapped: envelope },
      version: 1,
    });
  });

  it('clears one map index, or every map index with all_map_indices=true', async () => {
    for (const mapIndex of [0, 1, 2]) await put(`${TRANSFORM}/k?map_index=${mapIndex}`, { value: mapIndex });
    expect((await harness.api('DELETE', `${TRANSFORM}?map_index=1`, { role: 'op' })).statusCode).toBe(204);
    expect(await harness.stateBackend.get(transformScope(1), 'k')).toBeUndefined();
    expect((await harness.stateBackend.get(transformScope(0), 'k'))?.value).toBe(0);
    const all = await harness.api('DELETE', `${TRANSFORM}?all_map_indices=true`, { role: 'op' });
    expect(all.statusCode).toBe(204);
    expect(await harness.stateBackend.get(transformScope(0), 'k')).toBeUndefined();
    expect(await harness.stateBackend.get(transformScope(2), 'k')).toBeUndefined();
    const bad = await harness.api('DELETE', `${TRANSFORM}?all_map_indices=yes`, { role: 'op' });
    expect(bad.statusCode).toBe(422);
  });

  it('history lists the writes newest first, with who wrote them', async () => {
    await put(`${EXTRACT}/k`, { value: 1 });
    harness.clock.advance(1_000);
    await harness.api('PATCH', `${EXTRACT}/k`, { role: 'op', payload: { value: 2 } });
    harness.clock.advance(1_000);
    await harness.api('DELETE', `${EXTRACT}/k`, { role: 'op' });
    const response = await harness.api('GET', `${EXTRACT}/k/history`);
    expect(response.statusCode).toBe(200);
    const { history } = stateHistorySchema.parse(response.json());
    expect(history.map((entry) => [entry.operation, entry.value])).toEqual([
      ['delete', null],
      ['set', 2],
      ['set', 1],
    ]);
    expect(history[0]).toMatchObject({
      written_at: new Date(T0 + 2_000).toISOString(),
      written_by: { kind: 'api', user: 'alice' },
    });
  });

  describe('history depth and restore', () => {
    const TASK_WRITER = {
      kind: 'task',
      dagId: 'orders',
      runId: 'manual__1',
      taskId: 'extract',
      mapIndex: -1,
      tryNumber: 1,
    } as const;
    const restore = (key: string, version: number | string, headers: Record<string, string> = {}, query = '') =>
      harness.api('POST', `${EXTRACT}/${key}/history/${version}/restore${query}`, { role: 'op', headers });

    beforeEach(async () => {
      await harness.close();
      harness = await openTaskInstanceHarness(dialect, { state: { history_depth: 3, default_retention: DAY / 1000 } });
      await seedOrdersRun(harness, { mapped: 3 });
    });

    it('history keeps exactly state.history_depth versions', async () => {
      for (const value of [1, 2, 3, 4, 5]) await put(`${EXTRACT}/k`, { value });
      const { history } = stateHistorySchema.parse((await harness.api('GET', `${EXTRACT}/k/history`)).json());
      expect(history.map((entry) => [entry.version, entry.value])).toEqual([
        [5, 5],
        [4, 4],
        [3, 3],
      ]);
    });

    it('restore writes an old value as a new version by the user, keeping the expiry', async () => {
      await harness.stateBackend.set(extractScope, 'k', { page: 1 }, { writer: TASK_WRITER, expiresAt: T0 + 5 * DAY });
      await harness.stateBackend.set(extractScope, 'k', { page: 2 }, { writer: TASK_WRITER, expiresAt: T0 + 5 * DAY });
      harness.clock.advance(1_000);
      const response = await restore('k', 1, { 'if-match': '"2"' });
      expect(response.statusCode).toBe(200);
      expect(response.headers.etag).toBe('"3"');
      expect(taskStateEntrySchema.parse(response.json())).toEqual({
        key: 'k',
        value: { page: 1 },
        version: 3,
        updated_at: new Date(T0 + 1_000).toISOString(),
        expires_at: new Date(T0 + 5 * DAY).toISOString(),
      });
      expect((await harness.api('GET', `${EXTRACT}/k`)).json()).toEqual(response.json());
      const [newest] = await harness.stateBackend.history(extractScope, 'k');
      expect(newest).toMatchObject({ version: 3, value: { page: 1 }, writtenBy: { kind: 'api', user: 'alice' } });
    });

    it('restore is compare-and-set: a write in between makes it 412 and changes nothing', async () => {
      await put(`${EXTRACT}/k`, { value: 'old' });
      await put(`${EXTRACT}/k`, { value: 'seen' });
      await harness.stateBackend.set(extractScope, 'k', 'someone else', { writer: TASK_WRITER });
      const response = await restore('k', 1, { 'if-match': '2' });
      expect(response.statusCode).toBe(412);
      expect(detailOf(response)).toMatchObject({ reason: 'state_conflict' });
      expect(detailOf(response).message).toContain('version 3, not 2');
      expect(await harness.stateBackend.get(extractScope, 'k')).toMatchObject({ value: 'someone else', version: 3 });
    });

    it('a deleted key is restored with If-Match "0" and the default expiry', async () => {
      await put(`${EXTRACT}/k`, { value: 'kept' });
      await harness.api('DELETE', `${EXTRACT}/k`, { role: 'op' });
      const response = await restore('k', 1, { 'if-match': '"0"' });
      expect(response.statusCode).toBe(200);
      expect(response.json()).toMatchObject({
        value: 'kept',
        version: 3,
        expires_at: new Date(T0 + DAY).toISOString(),
      });
      const deleteVersion = await restore('k', 2, { 'if-match': '"3"' });
      expect(deleteVersion.statusCode).toBe(422);
      expect(detailOf(deleteVersion).message).toContain('is a delete');
    });

    it('428 without If-Match; 404 for a version no longer in the history; 403 for a viewer', async () => {
      for (const value of [1, 2, 3, 4]) await put(`${EXTRACT}/k`, { value });
      const unguarded = await restore('k', 2);
      expect(unguarded.statusCode).toBe(428);
      expect(detailOf(unguarded).reason).toBe('precondition_required');
      expect(detailOf(unguarded).message).toContain('If-Match');
      const trimmed = await restore('k', 1, { 'if-match': '"4"' });
      expect(trimmed.statusCode).toBe(404);
      expect(detailOf(trimmed)).toMatchObject({ reason: 'state_not_found' });
      expect(detailOf(trimmed).message).toContain('versions 4, 3, 2');
      expect((await restore('nope', 1, { 'if-match': '"0"' })).statusCode).toBe(404);
      expect((await restore('k', 0, { 'if-match': '"4"' })).statusCode).toBe(422);
      const viewer = await harness.api('POST', `${EXTRACT}/k/history/2/restore`, {
        role: 'viewer',
        headers: { 'if-match': '"4"' },
      });
      expect(viewer.statusCode).toBe(403);
      expect(await harness.stateBackend.get(extractScope, 'k')).toMatchObject({ value: 4, version: 4 });
    });

    it('restores a mapped TI\'s key by map_index and a key with "/" URL-encoded', async () => {
      await put(`${TRANSFORM}/a%2Fb?map_index=1`, { value: 'one' });
      await put(`${TRANSFORM}/a%2Fb?map_index=1`, { value: 'two' });
      const response = await harness.api('POST', `${TRANSFORM}/a%2Fb/history/1/restore?map_index=1`, {
        role: 'op',
        headers: { 'if-match': '"2"' },
      });
      expect(response.statusCode).toBe(200);
      expect(response.json()).toMatchObject({ key: 'a/b', value: 'one', version: 3 });
      expect(await harness.stateBackend.get(transformScope(0), 'a/b')).toBeUndefined();
    });
  });
});
