import { assetScope, assetStateCollectionSchema, assetStateEntrySchema, stateHistorySchema } from '@tidemark/core';
import { activateAsset } from '@tidemark/db';
import { eachDialect } from '@tidemark/db/testing';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { T0 } from '../../testing/execution-harness.ts';
import { detailOf, openTaskInstanceHarness, type TaskInstanceHarness } from '../../testing/task-instance-test-kit.ts';

describe.each(eachDialect())('public asset-state routes on %s', (dialect) => {
  let harness: TaskInstanceHarness;
  let assetId: number;
  let base: string;

  const put = (key: string, payload: unknown, headers: Record<string, string> = {}) =>
    harness.api('PUT', `${base}/${key}`, { role: 'op', payload, headers });

  beforeEach(async () => {
    harness = await openTaskInstanceHarness(dialect, { state: { max_value_bytes: 1_000 } });
    assetId = await activateAsset(harness.database.db, { name: 'orders', uri: 's3://warehouse/orders' }, T0);
    base = `/api/v2/assets/${assetId}/state-store`;
  });
  afterEach(() => harness.close());

  it('PUT, GET and list with last_updated_by (API user and task writer)', async () => {
    const written = await put('watermark', { value: '2026-01-01' });
    expect(written.statusCode).toBe(200);
    expect(written.headers.etag).toBe('"1"');
    expect(assetStateEntrySchema.parse(written.json())).toEqual({
      key: 'watermark',
      value: '2026-01-01',
      version: 1,
      updated_at: new Date(T0).toISOString(),
      last_updated_by: { kind: 'api', user: 'alice' },
    });
    await harness.stateBackend.set(assetScope(assetId), 'a/b', 5, {
      writer: { kind: 'task', dagId: 'orders', runId: 'r1', taskId: 'load', mapIndex: -1, tryNumber: 2 },
    });
    const list = await harness.api('GET', base);
    expect(list.statusCode).toBe(200);
    const body = assetStateCollectionSchema.parse(list.json());
    expect(body.total_entries).toBe(2);
    expect(body.asset_state_store[0]).toMatchObject({
      key: 'a/b',
      last_updated_by: { kind: 'task', dag_id: 'orders', run_id: 'r1', task_id: 'load', map_index: -1, try_number: 2 },
    });
    const page = assetStateCollectionSchema.parse((await harness.api('GET', `${base}?limit=1&offset=1`)).json());
    expect(page.asset_state_store.map((entry) => entry.key)).toEqual(['watermark']);
    expect((await harness.api('GET', `${base}/a/b`)).json().value).toBe(5);
    expect((await harness.api('GET', `${base}/a%2Fb`)).json().value).toBe(5);
  });

  it('refuses expires_at (422), null (422) and large values (413)', async () => {
    const expiring = await put('k', { value: 1, expires_at: null });
    expect(expiring.statusCode).toBe(422);
    expect((await put('k', { value: null })).statusCode).toBe(422);
    const large = await put('k', { value: 'x'.repeat(2_000) });
    expect(large.statusCode).toBe(413);
    expect(detailOf(large).reason).toBe('value_too_large');
  });

  it('If-Match CAS, DELETE, clear and history', async () => {
    await put('k', { value: 1 });
    expect((await put('k', { value: 2 }, { 'if-match': '"5"' })).statusCode).toBe(412);
    expect((await put('k', { value: 2 }, { 'if-match': '"1"' })).statusCode).toBe(200);
    expect((await harness.api('DELETE', `${base}/k`, { role: 'op', headers: { 'if-match': '"1"' } })).statusCode).toBe(
      412,
    );
    expect((await harness.api('DELETE', `${base}/k`, { role: 'op' })).statusCode).toBe(204);
    const history = stateHistorySchema.parse((await harness.api('GET', `${base}/k/history`)).json()).history;
    expect(history.map((entry) => entry.operation)).toEqual(['delete', 'set', 'set']);
    const missing = await harness.api('GET', `${base}/k`);
    expect(missing.statusCode).toBe(404);
    expect(detailOf(missing).reason).toBe('state_not_found');
    await put('x', { value: 1 });
    await put('y', { value: 2 });
    expect((await harness.api('DELETE', base, { role: 'op' })).statusCode).toBe(204);
    expect((await harness.api('GET', base)).json().total_entries).toBe(0);
  });

  it('401, 403 for a viewer writing, 404 for an unknown asset, 422 for a bad id', async () => {
    expect((await harness.api('GET', base, { token: null })).statusCode).toBe(401);
    expect((await harness.api('PUT', `${base}/k`, { role: 'viewer', payload: { value: 1 } })).statusCode).toBe(403);
    expect((await harness.api('DELETE', base, { role: 'viewer' })).statusCode).toBe(403);
    const unknown = await harness.api('GET', `/api/v2/assets/${assetId + 100}/state-store`);
    expect(unknown.statusCode).toBe(404);
    expect(detailOf(unknown).reason).toBe('asset_not_found');
    const unknownPut = await harness.api('PUT', `/api/v2/assets/${assetId + 100}/state-store/k`, {
      role: 'op',
      payload: { value: 1 },
    });
    expect(unknownPut.statusCode).toBe(404);
    expect((await harness.api('GET', '/api/v2/assets/abc/state-store')).statusCode).toBe(422);
  });

  describe('restore', () => {
    const TASK_WRITER = {
      kind: 'task',
      dagId: 'orders',
      runId: 'r1',
      taskId: 'load',
      mapIndex: -1,
      tryNumber: 1,
    } as const;
    const restore = (
      key: string,
      version: number,
      headers: Record<string, string> = {},
      role: 'op' | 'viewer' = 'op',
    ) => harness.api('POST', `${base}/${key}/history/${version}/restore`, { role, headers });

    it('writes an old value as a new version by the user, with last_updated_by', async () => {
      await harness.stateBackend.set(assetScope(assetId), 'watermark', '2026-01-01', { writer: TASK_WRITER });
      await harness.stateBackend.set(assetScope(assetId), 'watermark', '2026-03-01', { writer: TASK_WRITER });
      const response = await restore('watermark', 1, { 'if-match': '"2"' });
      expect(response.statusCode).toBe(200);
      expect(response.headers.etag).toBe('"3"');
      expect(assetStateEntrySchema.parse(response.json())).toEqual({
        key: 'watermark',
        value: '2026-01-01',
        version: 3,
        updated_at: new Date(T0).toISOString(),
        last_updated_by: { kind: 'api', user: 'alice' },
      });
      expect((await harness.api('GET', `${base}/watermark`)).json()).toEqual(response.json());
    });

    it('412 after a write in between, 428 without If-Match, 404 for an unknown version, 403 for a viewer', async () => {
      await put('k', { value: 1 });
      await put('k', { value: 2 });
      await harness.stateBackend.set(assetScope(assetId), 'k', 3, { writer: TASK_WRITER });
      const conflict = await restore('k', 1, { 'if-match': '"2"' });
      expect(conflict.statusCode).toBe(412);
      expect(detailOf(conflict).reason).toBe('state_conflict');
      const unguarded = await restore('k', 1);
      expect(unguarded.statusCode).toBe(428);
      expect(detailOf(unguarded).reason).toBe('precondition_required');
      const unknown = await restore('k', 9, { 'if-match': '"3"' });
      expect(unknown.statusCode).toBe(404);
      expect(detailOf(unknown).message).toContain('no version 9');
      expect((await restore('k', 1, { 'if-match': '"3"' }, 'viewer')).statusCode).toBe(403);
      const otherAsset = await harness.api('POST', '/api/v2/assets/999/state-store/k/history/1/restore', {
        role: 'op',
        headers: { 'if-match': '"3"' },
      });
      expect(detailOf(otherAsset).reason).toBe('asset_not_found');
      expect(await harness.stateBackend.get(assetScope(assetId), 'k')).toMatchObject({ value: 3, version: 3 });
    });
  });
});
