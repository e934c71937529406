import type { SerializedDag } from '@tidemark/core';
import { activateAsset, deactivateAsset } from '@tidemark/db';
import { eachDialect } from '@tidemark/db/testing';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import {
  type ExecutionHarness,
  errorOf,
  ORDERS_DAG,
  openExecutionHarness,
  putXcom,
  requeue,
  type SeededRun,
  T0,
} from '../testing/execution-harness.ts';

const ORDERS = { name: 'orders', uri: 's3://warehouse/orders' };
const DAY = 86_400_000;

/** ORDERS_DAG with `transform` (mapped) reading the `orders` asset, so mapped TIs may use its state. */
const DAG_WITH_INLETS: SerializedDag = {
  ...ORDERS_DAG,
  tasks: ORDERS_DAG.tasks.map((task) => (task.taskId === 'transform' ? { ...task, inlets: [ORDERS] } : task)),
};

describe.each(eachDialect())('execution API state store on %s', (dialect) => {
  let harness: ExecutionHarness;
  let run: SeededRun;
  let ordersId: number;

  beforeEach(async () => {
    harness = await openExecutionHarness(dialect, { state: { max_value_bytes: 100, default_retention: '30d' } });
    run = await harness.seedRun();
    ordersId = await activateAsset(harness.database.db, ORDERS, T0);
    await activateAsset(harness.database.db, { name: 'customers', uri: 's3://warehouse/customers' }, T0);
  });
  afterEach(() => harness.close());

  const send = (method: 'GET' | 'PUT' | 'DELETE' | 'POST', url: string, token: string, extra = {}) =>
    harness.request({ method, url, token, ...extra });
  const taskUrl = (tiId: string, key?: string) =>
    `/execution/store/ti/${tiId}${key === undefined ? '' : `/${encodeURIComponent(key)}`}`;
  const assetUrl = (route: string, query: string) => `/execution/store/asset/${route}?${query}`;

  /** A claimed attempt of `load` (declares `orders` as an outlet). */
  async function claimLoad(maxTries = 1) {
    const tiId = await harness.seedTi(run, { taskId: 'load', maxTries });
    const { token, try_number } = await harness.claim();
    return { tiId, token, tryNumber: try_number };
  }

  describe('task state', () => {
    it('PUT, GET with ETag, list, advance, DELETE and clear; a key may contain "/"', async () => {
      const { tiId, token } = await claimLoad();
      const put = await send('PUT', taskUrl(tiId, 'jobs/day 1'), token, { payload: { value: { id: 7 } } });
      expect(put.statusCode).toBe(204);
      expect(put.headers.etag).toBe('"1"');

      const got = await send('GET', taskUrl(tiId, 'jobs/day 1'), token);
      expect(got.statusCode).toBe(200);
      expect(got.headers.etag).toBe('"1"');
      expect(got.json()).toEqual({ value: { id: 7 }, version: 1, expires_at: new Date(T0 + 30 * DAY).toISOString() });

      const advanced = await send('POST', `${taskUrl(tiId, 'cursor')}/advance`, token, { payload: { value: 5 } });
      expect(advanced.statusCode).toBe(200);
      expect(advanced.json()).toEqual({ value: 5, version: 1, advanced: true });
      const back = await send('POST', `${taskUrl(tiId, 'cursor')}/advance`, token, { payload: { value: 3 } });
      expect(back.json()).toEqual({ value: 5, version: 1, advanced: false });

      const listed = await send('GET', taskUrl(tiId), token);
      expect(listed.statusCode).toBe(200);
      expect(listed.json()).toEqual({
        keys: [
          { key: 'cursor', version: 1, expires_at: null },
          { key: 'jobs/day 1', version: 1, expires_at: new Date(T0 + 30 * DAY).toISOString() },
        ],
      });

      expect((await send('DELETE', taskUrl(tiId, 'jobs/day 1'), token)).statusCode).toBe(204);
      expect((await send('DELETE', taskUrl(tiId, 'jobs/day 1'), token)).statusCode).toBe(204);
      const missing = await send('GET', taskUrl(tiId, 'jobs/day 1'), token);
      expect(missing.statusCode).toBe(404);
      expect(errorOf(missing).reason).toBe('state_not_found');

      // An encoded "/" stays inside the key, even when the key ends like another route.
      await send('PUT', taskUrl(tiId, 'x/advance'), token, { payload: { value: 'plain' } });
      expect((await send('GET', taskUrl(tiId, 'x/advance'), token)).json()).toMatchObject({ value: 'plain' });
      expect((await send('GET', taskUrl(tiId, 'x'), token)).statusCode).toBe(404);

      expect((await send('DELETE', taskUrl(tiId), token)).statusCode).toBe(204);
      expect((await send('GET', taskUrl(tiId), token)).json()).toEqual({ keys: [] });
    });

    it('records the task writer, and clear touches only this map index', async () => {
      await putXcom(harness.database, run, { taskId: 'extract', value: ['a', 'b'] });
      const first = await harness.seedTi(run, { taskId: 'transform', mapIndex: 0 });
      const second = await harness.seedTi(run, { taskId: 'transform', mapIndex: 1, queuedAt: T0 + 1 });
      const a = await harness.claim();
      const b = await harness.claim();
      expect([a.ti_id, b.ti_id]).toEqual([first, second]);
      await send('PUT', taskUrl(first, 'k'), a.token, { payload: { value: 'zero' } });
      await send('PUT', taskUrl(second, 'k'), b.token, { payload: { value: 'one' } });
      expect((await send('DELETE', taskUrl(first), a.token)).statusCode).toBe(204);
      expect((await send('GET', taskUrl(first, 'k'), a.token)).statusCode).toBe(404);
      expect((await send('GET', taskUrl(second, 'k'), b.token)).json()).toMatchObject({ value: 'one' });
      const row = await harness.database.db
        .selectFrom('task_state')
        .select('updated_by')
        .where('map_index', '=', 1)
        .executeTakeFirstOrThrow();
      expect(JSON.parse(row.updated_by ?? 'null')).toEqual({
        kind: 'task',
        dagId: 'orders',
        runId: 'manual__1',
        taskId: 'transform',
        mapIndex: 1,
        tryNumber: 1,
      });
    });

    it('retention, NEVER_EXPIRE, absolute expires_at and the default; an expired key is invisible', async () => {
      const { tiId, token } = await claimLoad();
      const put = (key: string, payload: object) => send('PUT', taskUrl(tiId, key), token, { payload });
      const expiry = async (key: string) => (await send('GET', taskUrl(tiId, key), token)).json().expires_at;
      await put('short', { value: 1, retention: '30s' });
      await put('never', { value: 1, retention: 'NEVER_EXPIRE' });
      await put('absolute', { value: 1, expires_at: '2026-03-01T00:00:00Z' });
      await put('null', { value: 1, expires_at: null });
      await put('default', { value: 1 });
      await put('both', { value: 1, retention: '1d', expires_at: '2030-01-01T00:00:00Z' });
      expect(await expiry('short')).toBe(new Date(T0 + 30_000).toISOString());
      expect(await expiry('never')).toBeNull();
      expect(await expiry('absolute')).toBe('2026-03-01T00:00:00.000Z');
      expect(await expiry('null')).toBeNull();
      expect(await expiry('default')).toBe(new Date(T0 + 30 * DAY).toISOString());
      expect(await expiry('both')).toBe(new Date(T0 + DAY).toISOString());
      const bad = await put('bad', { value: 1, retention: 'soon' });
      expect(bad.statusCode).toBe(422);
      expect(errorOf(bad).reason).toBe('invalid_state_option');

      harness.clock.advance(30_000); // the token outlives this
      expect((await send('GET', taskUrl(tiId, 'short'), token)).statusCode).toBe(404);
      const keys = (await send('GET', taskUrl(tiId), token)).json().keys.map((entry: { key: string }) => entry.key);
      expect(keys).toEqual(['absolute', 'both', 'default', 'never', 'null']);
    });

    it('CAS: If-Match or if_version; mismatch 412 state_conflict; DELETE honours If-Match', async () => {
      const { tiId, token } = await claimLoad();
      const url = taskUrl(tiId, 'k');
      expect((await send('PUT', url, token, { payload: { value: 1, if_version: 0 } })).statusCode).toBe(204);
      const again = await send('PUT', url, token, { payload: { value: 2, if_version: 0 } });
      expect(again.statusCode).toBe(412);
      expect(errorOf(again).reason).toBe('state_conflict');
      const ok = await send('PUT', url, token, { payload: { value: 2 }, headers: { 'if-match': '"1"' } });
      expect(ok.statusCode).toBe(204);
      expect(ok.headers.etag).toBe('"2"');
      expect((await send('PUT', url, token, { payload: { value: 3 }, headers: { 'if-match': '1' } })).statusCode).toBe(
        412,
      );
      expect((await send('DELETE', url, token, { headers: { 'if-match': '"1"' } })).statusCode).toBe(412);
      expect((await send('DELETE', url, token, { headers: { 'if-match': '"2"' } })).statusCode).toBe(204);
      expect((await send('PUT', url, token, { payload: { value: 1 }, headers: { 'if-match': 'x' } })).statusCode).toBe(
        422,
      );
    });

    it('422 for null, non-finite and non-JSON values; 413 naming the limit', async () => {
      const { tiId, token } = await claimLoad();
      const url = taskUrl(tiId, 'k');
      const nullValue = await send('PUT', url, token, { payload: { value: null } });
      expect(nullValue.statusCode).toBe(422);
      expect(errorOf(nullValue).reason).toBe('invalid_state_value');
      const infinite = await send('PUT', url, token, {
        payload: '{"value": 1e999}',
        headers: { 'content-type': 'application/json' },
      });
      expect(infinite.statusCode).toBe(422);
      expect((await send('PUT', url, token, { payload: {} })).statusCode).toBe(422);
      const large = await send('PUT', url, token, { payload: { value: 'x'.repeat(200) } });
      expect(large.statusCode).toBe(413);
      expect(errorOf(large)).toEqual({
        reason: 'value_too_large',
        message: expect.stringContaining('over the limit of 100 bytes (state.max_value_bytes)'),
      });
      const advanceObject = await send('POST', `${url}/advance`, token, { payload: { value: { a: 1 } } });
      expect(advanceObject.statusCode).toBe(422);
      expect((await send('GET', taskUrl(tiId), token)).json()).toEqual({ keys: [] });
    });

    it('401 without a token, 403 with another TI’s token', async () => {
      const { tiId, token } = await claimLoad();
      const other = await harness.seedTi(run, { taskId: 'extract' });
      expect((await harness.request({ method: 'GET', url: taskUrl(tiId, 'k') })).statusCode).toBe(401);
      const forbidden = await send('PUT', taskUrl(other, 'k'), token, { payload: { value: 1 } });
      expect(forbidden.statusCode).toBe(403);
      expect((await send('GET', taskUrl(other), token)).statusCode).toBe(403);
      expect((await send('GET', taskUrl(tiId, 'k'), harness.workerToken)).statusCode).toBe(403);
    });

    it('409 stale_attempt for every write once the TI moved to a new try; reads still allowed; state kept', async () => {
      const { tiId, token } = await claimLoad(2);
      await send('PUT', taskUrl(tiId, 'k'), token, { payload: { value: 1 } });
      await harness.database.db
        .updateTable('task_instance')
        .set({ state: 'up_for_retry' })
        .where('id', '=', tiId)
        .execute();
      await requeue(harness.database, tiId);
      const retry = await harness.claim();
      expect(retry.try_number).toBe(2);

      const writes = [
        send('PUT', taskUrl(tiId, 'k'), token, { payload: { value: 2 } }),
        send('DELETE', taskUrl(tiId, 'k'), token),
        send('DELETE', taskUrl(tiId), token),
        send('POST', `${taskUrl(tiId, 'n')}/advance`, token, { payload: { value: 9 } }),
        send('PUT', assetUrl('by-name/value', 'name=orders&key=w'), token, { payload: { value: 1 } }),
        send('POST', assetUrl('by-name/advance', 'name=orders&key=w'), token, { payload: { value: 1 } }),
        send('DELETE', assetUrl('by-name/value', 'name=orders&key=w'), token),
        send('DELETE', assetUrl('by-name/clear', 'name=orders'), token),
      ];
      for (const response of await Promise.all(writes)) {
        expect(response.statusCode).toBe(409);
        expect(errorOf(response).reason).toBe('stale_attempt');
      }
      expect((await send('GET', taskUrl(tiId, 'k'), token)).json()).toMatchObject({ value: 1, version: 1 });
      expect((await send('GET', taskUrl(tiId, 'k'), retry.token)).json()).toMatchObject({ value: 1, version: 1 });
    });
  });

  describe('asset state', () => {
    it('by-name and by-uri: PUT, GET, keys, advance, DELETE and clear on one scope; writer recorded', async () => {
      const { token } = await claimLoad();
      const byName = (route: string, extra = '') => assetUrl(`by-name/${route}`, `name=orders${extra}`);
      const byUri = (route: string, extra = '') =>
        assetUrl(`by-uri/${route}`, `uri=${encodeURIComponent(ORDERS.uri)}${extra}`);

      const put = await send('PUT', byName('value', '&key=a%2Fb'), token, { payload: { value: [1, 2] } });
      expect(put.statusCode).toBe(204);
      expect(put.headers.etag).toBe('"1"');
      const got = await send('GET', byUri('value', '&key=a%2Fb'), token);
      expect(got.statusCode).toBe(200);
      expect(got.headers.etag).toBe('"1"');
      expect(got.json()).toEqual({ value: [1, 2], version: 1, expires_at: null });

      const advanced = await send('POST', byUri('advance', '&key=watermark'), token, {
        payload: { value: '2026-01-02' },
      });
      expect(advanced.json()).toEqual({ value: '2026-01-02', version: 1, advanced: true });
      expect(
        (await send('POST', byName('advance', '&key=watermark'), token, { payload: { value: '2026-01-01' } })).json(),
      ).toEqual({ value: '2026-01-02', version: 1, advanced: false });

      expect((await send('GET', byName('keys'), token)).json()).toEqual({
        keys: [
          { key: 'a/b', version: 1, expires_at: null },
          { key: 'watermark', version: 1, expires_at: null },
        ],
      });
      const row = await harness.database.db
        .selectFrom('asset_state')
        .select(['asset_id', 'updated_by'])
        .where('key', '=', 'watermark')
        .executeTakeFirstOrThrow();
      expect(Number(row.asset_id)).toBe(ordersId);
      expect(JSON.parse(row.updated_by ?? 'null')).toMatchObject({ kind: 'task', taskId: 'load', tryNumber: 1 });

      expect(
        (
          await send('PUT', byName('value', '&key=a%2Fb'), token, {
            payload: { value: 3 },
            headers: { 'if-match': '"7"' },
          })
        ).statusCode,
      ).toBe(412);
      expect((await send('DELETE', byUri('value', '&key=a%2Fb'), token)).statusCode).toBe(204);
      expect((await send('GET', byName('value', '&key=a%2Fb'), token)).statusCode).toBe(404);
      expect((await send('DELETE', byUri('clear'), token)).statusCode).toBe(204);
      expect((await send('GET', byUri('keys'), token)).json()).toEqual({ keys: [] });
    });

    it('403 undeclared_asset naming the declared ones; 404 for an unknown or inactive asset; 422 for expiry', async () => {
      const { token } = await claimLoad();
      const undeclared = await send('GET', assetUrl('by-name/value', 'name=customers&key=k'), token);
      expect(undeclared.statusCode).toBe(403);
      expect(errorOf(undeclared)).toEqual({
        reason: 'undeclared_asset',
        message: expect.stringContaining('it declares: "orders"'),
      });
      expect(
        (await send('GET', assetUrl('by-uri/keys', 'uri=s3%3A%2F%2Fwarehouse%2Fcustomers'), token)).statusCode,
      ).toBe(403);
      const unknown = await send('GET', assetUrl('by-name/value', 'name=nope&key=k'), token);
      expect(unknown.statusCode).toBe(404);
      expect(errorOf(unknown).reason).toBe('asset_not_found');

      const expiring = await send('PUT', assetUrl('by-name/value', 'name=orders&key=k'), token, {
        payload: { value: 1, retention: '1d' },
      });
      expect(expiring.statusCode).toBe(422);
      expect(
        (await send('PUT', assetUrl('by-name/value', 'name=orders'), token, { payload: { value: 1 } })).statusCode,
      ).toBe(422);
      const noKey = await send('GET', assetUrl('by-name/value', 'name=orders'), token);
      expect(errorOf(noKey)).toEqual({ reason: 'validation_error', message: expect.stringContaining('key: required') });
      const noName = await send('GET', assetUrl('by-name/value', 'key=k'), token);
      expect(errorOf(noName)).toEqual({
        reason: 'validation_error',
        message: expect.stringContaining('name: required'),
      });
      const tooLarge = await send('PUT', assetUrl('by-name/value', 'name=orders&key=k'), token, {
        payload: { value: 'x'.repeat(200) },
      });
      expect(tooLarge.statusCode).toBe(413);

      await deactivateAsset(harness.database.db, ordersId);
      const inactive = await send('GET', assetUrl('by-name/value', 'name=orders&key=k'), token);
      expect(inactive.statusCode).toBe(404);
      expect(errorOf(inactive).reason).toBe('asset_not_found');
    });

    it('staged writes (on_success) answer 202, stay invisible, and are applied when the attempt succeeds', async () => {
      const { tiId, token } = await claimLoad();
      const staged = await send('PUT', assetUrl('by-name/value', 'name=orders&key=loaded'), token, {
        payload: { value: { rows: 3 }, on_success: true },
      });
      expect(staged.statusCode).toBe(202);
      expect(staged.json()).toEqual({ staged: true });
      await send('POST', assetUrl('by-name/advance', 'name=orders&key=watermark'), token, { payload: { value: 10 } });
      const stagedAdvance = await send('POST', assetUrl('by-name/advance', 'name=orders&key=watermark'), token, {
        payload: { value: 20, on_success: true },
      });
      expect(stagedAdvance.statusCode).toBe(202);
      await send('POST', assetUrl('by-name/advance', 'name=orders&key=low'), token, { payload: { value: 50 } });
      await send('POST', assetUrl('by-name/advance', 'name=orders&key=low'), token, {
        payload: { value: 5, on_success: true },
      });
      expect((await send('GET', assetUrl('by-name/value', 'name=orders&key=loaded'), token)).statusCode).toBe(404);
      expect((await send('GET', assetUrl('by-name/value', 'name=orders&key=watermark'), token)).json().value).toBe(10);

      const finished = await harness.request({
        method: 'PATCH',
        url: `/execution/task-instances/${tiId}/state`,
        token,
        payload: { state: 'success' },
      });
      expect(finished.statusCode).toBe(200);
      const rows = await harness.database.db
        .selectFrom('asset_state')
        .select(['key', 'value', 'version', 'updated_by'])
        .orderBy('key')
        .execute();
      expect(rows.map(({ key, value, version }) => ({ key, value, version }))).toEqual([
        { key: 'loaded', value: '{"rows":3}', version: 1 },
        { key: 'low', value: '50', version: 1 },
        { key: 'watermark', value: '20', version: 2 },
      ]);
      expect(JSON.parse(rows[0]?.updated_by ?? 'null')).toMatchObject({ kind: 'task', taskId: 'load', tryNumber: 1 });
      expect(await harness.database.db.selectFrom('state_pending').select('id').execute()).toEqual([]);
    });

    it('staged writes are dropped when the attempt fails', async () => {
      const { tiId, token } = await claimLoad(2);
      await send('PUT', assetUrl('by-name/value', 'name=orders&key=loaded'), token, {
        payload: { value: true, on_success: true },
      });
      const failed = await harness.request({
        method: 'PATCH',
        url: `/execution/task-instances/${tiId}/state`,
        token,
        payload: { state: 'failed', error: 'boom', retryable: true },
      });
      expect(failed.json()).toMatchObject({ state: 'up_for_retry' });
      expect(await harness.database.db.selectFrom('state_pending').select('id').execute()).toEqual([]);
      await requeue(harness.database, tiId);
      const retry = await harness.claim();
      await harness.request({
        method: 'PATCH',
        url: `/execution/task-instances/${tiId}/state`,
        token: retry.token,
        payload: { state: 'success' },
      });
      expect(await harness.database.db.selectFrom('asset_state').select('key').execute()).toEqual([]);
    });

    it('20 concurrent mapped TIs advancing one watermark end at the maximum', async () => {
      await harness.database.db
        .updateTable('dag')
        .set({ serialized: JSON.stringify(DAG_WITH_INLETS) })
        .where('dag_id', '=', 'orders')
        .execute();
      const count = 20;
      await putXcom(harness.database, run, { taskId: 'extract', value: Array.from({ length: count }, (_, i) => i) });
      for (let index = 0; index < count; index++) await harness.seedTi(run, { taskId: 'transform', mapIndex: index });
      const attempts = [];
      for (let index = 0; index < count; index++) attempts.push(await harness.claim());
      const values = attempts.map((_, index) => (index * 7919) % 1000);
      const responses = await Promise.all(
        attempts.map((attempt, index) =>
          send('POST', assetUrl('by-name/advance', 'name=orders&key=watermark'), attempt.token, {
            payload: { value: values[index] },
          }),
        ),
      );
      for (const response of responses) expect(response.statusCode).toBe(200);
      const final = await send('GET', assetUrl('by-name/value', 'name=orders&key=watermark'), attempts[0]?.token ?? '');
      expect(final.json().value).toBe(Math.max(...values));
      expect(responses.filter((response) => response.json().advanced).length).toBeGreaterThanOrEqual(1);
    });
  });
});
