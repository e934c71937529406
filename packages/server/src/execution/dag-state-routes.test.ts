import type { ClaimedAttempt } from '@tidemark/core';
import { eachDialect, seedDag } from '@tidemark/db/testing';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { errorOf, ORDERS_DAG, putXcom, requeue, type SeededRun, T0 } from '../testing/execution-harness.ts';
import { openTaskInstanceHarness, type TaskInstanceHarness } from '../testing/task-instance-test-kit.ts';

const DAY = 86_400_000;

/** SPEC §17 on the execution API: DAG state, and task state keyed by the mapped item. */
describe.each(eachDialect())('execution API: DAG state and item-keyed task state on %s', (dialect) => {
  let harness: TaskInstanceHarness;
  let run: SeededRun;

  beforeEach(async () => {
    harness = await openTaskInstanceHarness(dialect, { state: { max_value_bytes: 100, default_retention: '30d' } });
    run = await harness.seedRun();
  });
  afterEach(() => harness.close());

  const send = (method: 'GET' | 'PUT' | 'PATCH' | 'DELETE' | 'POST', url: string, token: string, extra = {}) =>
    harness.request({ method, url, token, ...extra });
  const dagUrl = (dagId: string, key?: string) =>
    `/execution/store/dag/${dagId}${key === undefined ? '' : `/${encodeURIComponent(key)}`}`;
  const taskUrl = (tiId: string, key: string, itemKey?: string) =>
    `/execution/store/ti/${tiId}/${encodeURIComponent(key)}${itemKey === undefined ? '' : `?item_key=${encodeURIComponent(itemKey)}`}`;

  async function claim(taskId: string, seedRun = run, mapIndex = -1): Promise<ClaimedAttempt> {
    await harness.seedTi(seedRun, { taskId, mapIndex });
    return harness.claim();
  }

  describe('DAG state', () => {
    it('PUT, GET, keys, advance, DELETE and clear; shared by the runs and tasks of the DAG; never expires by default', async () => {
      const load = await claim('load');
      const put = await send('PUT', dagUrl('orders', 'cursor/day'), load.token, { payload: { value: { page: 3 } } });
      expect(put.statusCode).toBe(204);
      expect(put.headers.etag).toBe('"1"');
      await send('PUT', dagUrl('orders', 'short'), load.token, { payload: { value: 1, retention: '1d' } });
      const advanced = await send('POST', `${dagUrl('orders', 'hw')}/advance`, load.token, { payload: { value: 7 } });
      expect(advanced.json()).toEqual({ value: 7, version: 1, advanced: true });

      // Another task of another run of the same DAG sees the same state.
      const later = await claim('extract', await harness.seedRun('manual__2'));
      const got = await send('GET', dagUrl('orders', 'cursor/day'), later.token);
      expect(got.statusCode).toBe(200);
      expect(got.headers.etag).toBe('"1"');
      expect(got.json()).toEqual({ value: { page: 3 }, version: 1, expires_at: null });
      expect((await send('GET', dagUrl('orders'), later.token)).json()).toEqual({
        keys: [
          { key: 'cursor/day', version: 1, expires_at: null },
          { key: 'hw', version: 1, expires_at: null },
          { key: 'short', version: 1, expires_at: new Date(T0 + DAY).toISOString() },
        ],
      });
      const back = await send('POST', `${dagUrl('orders', 'hw')}/advance`, later.token, { payload: { value: 5 } });
      expect(back.json()).toEqual({ value: 7, version: 1, advanced: false });
      const row = await harness.database.db
        .selectFrom('dag_state')
        .select('updated_by')
        .where('key', '=', 'cursor/day')
        .executeTakeFirstOrThrow();
      expect(JSON.parse(row.updated_by ?? 'null')).toMatchObject({ kind: 'task', taskId: 'load', runId: 'manual__1' });

      expect((await send('DELETE', dagUrl('orders', 'cursor/day'), later.token)).statusCode).toBe(204);
      const missing = await send('GET', dagUrl('orders', 'cursor/day'), later.token);
      expect(missing.statusCode).toBe(404);
      expect(errorOf(missing).reason).toBe('state_not_found');
      expect((await send('DELETE', dagUrl('orders'), later.token)).statusCode).toBe(204);
      expect((await send('GET', dagUrl('orders'), load.token)).json()).toEqual({ keys: [] });
    });

    it('refuses bad input with its reason (422, 413) and a stale If-Match (412), changing nothing', async () => {
      const { token } = await claim('load');
      const url = dagUrl('orders', 'k');
      expect((await send('PUT', url, token, { payload: { value: 1 } })).statusCode).toBe(204);
      const refused = [
        [await send('PUT', url, token, { payload: { value: null } }), 422, 'invalid_state_value'],
        [await send('PUT', url, token, { payload: { value: 2, on_success: true } }), 422, 'invalid_state_option'],
        [await send('PUT', url, token, { payload: { value: 2, retention: 'soon' } }), 422, 'invalid_state_option'],
        [await send('PUT', url, token, { payload: { value: 'x'.repeat(200) } }), 413, 'value_too_large'],
        [
          await send('PUT', url, token, { payload: { value: 2 }, headers: { 'if-match': '"5"' } }),
          412,
          'state_conflict',
        ],
        [await send('DELETE', url, token, { headers: { 'if-match': '"2"' } }), 412, 'state_conflict'],
        [await send('POST', `${url}/advance`, token, { payload: { value: 'a' } }), 422, 'advance_type_mismatch'],
      ] as const;
      for (const [response, status, reason] of refused) {
        expect(response.statusCode, response.body).toBe(status);
        expect(errorOf(response).reason).toBe(reason);
      }
      expect((await send('GET', url, token)).json()).toMatchObject({ value: 1, version: 1 });
      const cas = await send('PUT', url, token, { payload: { value: 2 }, headers: { 'if-match': '"1"' } });
      expect(cas.headers.etag).toBe('"2"');
    });

    it('403 for the state of another DAG, which stays untouched; 409 for a write of a stale attempt', async () => {
      await harness.stateBackend.set({ kind: 'dag', dagId: 'orders' }, 'k', 'mine');
      await seedDag(harness.database.db, { ...ORDERS_DAG, dagId: 'billing' }, T0);
      await harness.stateBackend.set({ kind: 'dag', dagId: 'billing' }, 'k', 'theirs');
      const { token, ti_id } = await claim('load');
      for (const response of [
        await send('GET', dagUrl('billing', 'k'), token),
        await send('PUT', dagUrl('billing', 'k'), token, { payload: { value: 'stolen' } }),
        await send('DELETE', dagUrl('billing'), token),
        await send('GET', dagUrl('billing'), token),
      ]) {
        expect(response.statusCode).toBe(403);
        expect(errorOf(response)).toMatchObject({ reason: 'forbidden', message: expect.stringContaining('"billing"') });
      }
      expect((await harness.stateBackend.get({ kind: 'dag', dagId: 'billing' }, 'k'))?.value).toBe('theirs');
      expect((await harness.request({ method: 'GET', url: dagUrl('orders', 'k') })).statusCode).toBe(401);

      await harness.database.db.updateTable('task_instance').set({ state: 'failed' }).where('id', '=', ti_id).execute();
      const stale = await send('PUT', dagUrl('orders', 'k'), token, { payload: { value: 'late' } });
      expect(stale.statusCode).toBe(409);
      expect(errorOf(stale).reason).toBe('stale_attempt');
      expect((await send('GET', dagUrl('orders', 'k'), token)).json()).toMatchObject({ value: 'mine' });
    });
  });

  describe('item-keyed task state', () => {
    const clear = (body: Record<string, unknown>) =>
      harness.api('POST', '/api/v2/dags/orders/clearTaskInstances', {
        role: 'op',
        payload: { dag_run_id: run.runId, task_ids: ['transform'], ...body },
      });

    /** Claims the two mapped TIs of `transform`, in map-index order. */
    async function claimBoth(): Promise<[ClaimedAttempt, ClaimedAttempt]> {
      const first = await harness.claim();
      const second = await harness.claim();
      return first.map_index === 0 ? [first, second] : [second, first];
    }

    it('re-expanded in another order, each item finds its own job id; the position would hand over the other’s', async () => {
      await putXcom(harness.database, run, { taskId: 'extract', value: ['order-a', 'order-b'] });
      const ids = [
        await harness.seedTi(run, { taskId: 'transform', mapIndex: 0 }),
        await harness.seedTi(run, { taskId: 'transform', mapIndex: 1, queuedAt: T0 + 1 }),
      ];
      for (const attempt of await claimBoth()) {
        const item = attempt.map_item as string;
        const job = { value: `job-of-${item}` };
        expect(
          (await send('PUT', taskUrl(attempt.ti_id, 'job_id', item), attempt.token, { payload: job })).statusCode,
        ).toBe(204);
        await send('PUT', taskUrl(attempt.ti_id, 'positional_job_id'), attempt.token, { payload: job });
        const finished = await send(
          'PATCH' as 'PUT',
          `/execution/task-instances/${attempt.ti_id}/state`,
          attempt.token,
          {
            payload: { state: 'success' },
          },
        );
        expect(finished.statusCode).toBe(200);
      }

      // The upstream returns the list in another order; the mapped task is cleared and runs again.
      await harness.database.db
        .updateTable('xcom')
        .set({ value: JSON.stringify(['order-b', 'order-a']) })
        .where('task_id', '=', 'extract')
        .execute();
      expect((await clear({ keep_task_state: true })).statusCode).toBe(200);
      for (const id of ids) await requeue(harness.database, id);
      const [zero, one] = await claimBoth();
      expect([zero.map_item, one.map_item]).toEqual(['order-b', 'order-a']);
      for (const attempt of [zero, one]) {
        const item = attempt.map_item as string;
        const own = await send('GET', taskUrl(attempt.ti_id, 'job_id', item), attempt.token);
        expect(own.json()).toMatchObject({ value: `job-of-${item}`, version: 1 });
      }
      // Positional state is what Airflow's bug hands over: map index 0 now holds order-b but reads order-a's job.
      expect((await send('GET', taskUrl(zero.ti_id, 'positional_job_id'), zero.token)).json().value).toBe(
        'job-of-order-a',
      );
      const recorded = await harness.database.db
        .selectFrom('task_instance')
        .select(['map_index', 'state_item_key'])
        .where('task_id', '=', 'transform')
        .orderBy('map_index')
        .execute();
      expect(recorded).toEqual([
        { map_index: 0, state_item_key: 'order-b' },
        { map_index: 1, state_item_key: 'order-a' },
      ]);

      // A clear that discards task state discards the state of the item the cleared TI last used.
      expect((await clear({ map_indexes: [0] })).statusCode).toBe(200);
      const item = (itemKey: string) =>
        harness.stateBackend.get(
          { kind: 'task', dagId: 'orders', runId: run.runId, taskId: 'transform', mapIndex: -1, itemKey },
          'job_id',
        );
      expect(await item('order-b')).toBeUndefined();
      expect((await item('order-a'))?.value).toBe('job-of-order-a');
    });

    it('refuses an item key on a task that is not mapped, and one that breaks the key rules (422)', async () => {
      const load = await claim('load');
      const unmapped = await send('PUT', taskUrl(load.ti_id, 'k', 'a'), load.token, { payload: { value: 1 } });
      expect(unmapped.statusCode).toBe(422);
      expect(errorOf(unmapped)).toMatchObject({
        reason: 'invalid_state_option',
        message: expect.stringContaining('not mapped'),
      });
      await putXcom(harness.database, run, { taskId: 'extract', value: ['a'] });
      const mapped = await claim('transform', run, 0);
      const tooLong = await send('GET', taskUrl(mapped.ti_id, 'k', 'x'.repeat(513)), mapped.token);
      expect(tooLong.statusCode).toBe(422);
      expect(errorOf(tooLong)).toMatchObject({
        reason: 'invalid_state_key',
        message: expect.stringContaining('item key'),
      });
      expect(await harness.database.db.selectFrom('task_state').select('id').execute()).toEqual([]);
    });
  });
});
