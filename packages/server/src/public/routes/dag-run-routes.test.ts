import { dagRunCollectionSchema, dagRunResponseSchema } from '@tidemark/core';
import {
  createDagRun,
  deactivateDags,
  markDagRunFinished,
  markDagRunRunning,
  setDagPaused,
  triggerDagRun,
} from '@tidemark/db';
import { eachDialect } from '@tidemark/db/testing';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import {
  ADHOC_DAG,
  detailOf,
  ORDERS_DAG,
  openPublicApiHarness,
  type PublicApiHarness,
  REPORTS_DAG,
  T0,
} from '../../testing/dag-api-harness.ts';

const DAY = 86_400_000;
const NO_TIS = {
  scheduled: 0,
  queued: 0,
  running: 0,
  deferred: 0,
  success: 0,
  failed: 0,
  up_for_retry: 0,
  upstream_failed: 0,
  skipped: 0,
  removed: 0,
  none: 0,
};

describe.each(eachDialect())('DAG run routes on %s', (dialect) => {
  let harness: PublicApiHarness;

  beforeEach(async () => {
    harness = await openPublicApiHarness(dialect);
    await harness.seedDag(ORDERS_DAG);
    await harness.seedDag(REPORTS_DAG);
    await harness.seedDag(ADHOC_DAG);
  });
  afterEach(() => harness.close());

  function trigger(dagId: string, payload?: unknown, role: 'viewer' | 'op' | 'admin' | 'none' = 'op') {
    return harness.request({
      method: 'POST',
      url: `/api/v2/dags/${dagId}/dagRuns`,
      role,
      ...(payload === undefined ? {} : { payload: payload as object }),
    });
  }

  describe('POST /api/v2/dags/{dag_id}/dagRuns', () => {
    it('triggers a run with its id, conf and logical date, and creates its task instances', async () => {
      harness.clock.advance(5_000);
      const response = await trigger('orders', {
        dag_run_id: 'backfill_2025-12-31',
        conf: { region: 'eu', limits: { rows: 1000 }, dry: false },
        logical_date: '2025-12-31T00:00:00+01:00',
      });

      expect(response.statusCode, response.body).toBe(200);
      expect(dagRunResponseSchema.parse(response.json())).toEqual({
        dag_run_id: 'backfill_2025-12-31',
        dag_id: 'orders',
        state: 'queued',
        run_type: 'manual',
        logical_date: '2025-12-30T23:00:00.000Z',
        data_interval_start: null,
        data_interval_end: null,
        queued_at: new Date(T0 + 5_000).toISOString(),
        start_date: null,
        end_date: null,
        conf: { region: 'eu', limits: { rows: 1000 }, dry: false },
        note: null,
        task_instance_states: { ...NO_TIS, none: 3 },
      });
      const tis = await harness.database.db
        .selectFrom('task_instance')
        .select(['task_id', 'map_index', 'state'])
        .where('run_id', '=', 'backfill_2025-12-31')
        .orderBy('task_id')
        .execute();
      expect(tis).toEqual([
        { task_id: 'extract', map_index: -1, state: null },
        { task_id: 'load', map_index: -1, state: null },
        { task_id: 'transform', map_index: -1, state: null },
      ]);
    });

    it('defaults the run id, logical date and conf, with or without a body', async () => {
      for (const payload of [undefined, {}, { dag_run_id: null, conf: null, logical_date: null }]) {
        harness.clock.advance(1_000);
        const now = new Date(harness.clock.now()).toISOString();
        const response = await trigger('adhoc_cleanup', payload);
        expect(response.statusCode, response.body).toBe(200);
        expect(response.json()).toMatchObject({ dag_run_id: `manual__${now}`, logical_date: now, conf: {} });
      }
    });

    it('triggers a paused DAG: pausing stops scheduled runs only', async () => {
      await setDagPaused(harness.database.db, 'orders', true, T0);
      const response = await trigger('orders', { dag_run_id: 'by_hand' });
      expect(response.statusCode).toBe(200);
      expect(response.json()).toMatchObject({ dag_run_id: 'by_hand', state: 'queued' });
    });

    it('answers 409 dag_run_exists for a run id the DAG already has', async () => {
      expect((await trigger('orders', { dag_run_id: 'once' })).statusCode).toBe(200);
      const again = await trigger('orders', { dag_run_id: 'once' });
      expect(again.statusCode).toBe(409);
      expect(detailOf(again)).toEqual({
        reason: 'dag_run_exists',
        message: 'DAG "orders" already has a run "once"; choose another dag_run_id',
      });
      // Another DAG may use the same run id.
      expect((await trigger('reports', { dag_run_id: 'once' })).statusCode).toBe(200);
    });

    it('answers 404 for an unknown DAG and for a DAG its file no longer defines', async () => {
      const unknown = await trigger('nope', {});
      expect(unknown.statusCode).toBe(404);
      expect(detailOf(unknown).reason).toBe('dag_not_found');

      await deactivateDags(harness.database.db, ['reports'], T0);
      const inactive = await trigger('reports', {});
      expect(inactive.statusCode).toBe(404);
      expect(detailOf(inactive)).toEqual({
        reason: 'dag_not_found',
        message: 'DAG "reports" is no longer defined by its file (sales/reports-dag.ts); it cannot be triggered',
      });
    });

    it('answers 422 naming the field for a bad body, creating nothing', async () => {
      for (const [payload, field] of [
        [{ conf: [1, 2] }, 'conf'],
        [{ conf: 'region=eu' }, 'conf'],
        [{ dag_run_id: 'a/b' }, 'dag_run_id'],
        [{ dag_run_id: '' }, 'dag_run_id'],
        [{ logical_date: 'yesterday' }, 'logical_date'],
        [{ logical_date: '2026-01-01T00:00:00' }, 'logical_date'],
        [{ config: {} }, 'config'],
      ] as const) {
        const response = await trigger('orders', payload);
        expect(response.statusCode, JSON.stringify(payload)).toBe(422);
        expect(detailOf(response).reason).toBe('validation_error');
        expect(detailOf(response).message).toContain(field);
      }
      const body = await harness.request({
        method: 'POST',
        url: '/api/v2/dags/orders/dagRuns',
        role: 'op',
        headers: { 'content-type': 'application/json' },
        payload: '{"conf": ',
      });
      expect(body.statusCode).toBe(422);
      const runs = await harness.database.db.selectFrom('dag_run').select('id').execute();
      expect(runs).toEqual([]);
    });

    it('answers 403 for a viewer and 401 without a token', async () => {
      const asViewer = await trigger('orders', {}, 'viewer');
      expect(asViewer.statusCode).toBe(403);
      expect(detailOf(asViewer).reason).toBe('forbidden');
      expect((await trigger('orders', {}, 'none')).statusCode).toBe(401);
      expect(await harness.database.db.selectFrom('dag_run').select('id').execute()).toEqual([]);
    });
  });

  describe('GET /api/v2/dags/{dag_id}/dagRuns', () => {
    /** orders: d1 (success), d2 (running), d3 (queued); reports: r1 (scheduled, failed). Created in that order. */
    beforeEach(async () => {
      const { db } = harness.database;
      const d1 = await createDagRun(db, { dagId: 'orders', runId: 'd1', logicalDate: T0 + 2 * DAY }, T0);
      const d2 = await createDagRun(db, { dagId: 'orders', runId: 'd2', logicalDate: T0 }, T0 + 1);
      await createDagRun(db, { dagId: 'orders', runId: 'd3', logicalDate: T0 + DAY }, T0 + 2);
      const r1 = await createDagRun(
        db,
        { dagId: 'reports', runId: 'r1', runType: 'scheduled', logicalDate: T0 + DAY },
        T0 + 3,
      );
      await markDagRunRunning(db, d1, T0 + 10);
      await markDagRunFinished(db, d1, 'success', T0 + 20);
      await markDagRunRunning(db, d2, T0 + 30);
      await markDagRunRunning(db, r1, T0 + 40);
      await markDagRunFinished(db, r1, 'failed', T0 + 50);
    });

    async function runIds(url: string): Promise<{ ids: string[]; total: number }> {
      const response = await harness.request({ method: 'GET', url });
      expect(response.statusCode, response.body).toBe(200);
      const body = dagRunCollectionSchema.parse(response.json());
      return { ids: body.dag_runs.map((run) => run.dag_run_id), total: body.total_entries };
    }

    it("lists a DAG's runs newest first", async () => {
      const response = await harness.request({ method: 'GET', url: '/api/v2/dags/orders/dagRuns' });
      expect(response.statusCode).toBe(200);
      const body = response.json();
      expect(body.total_entries).toBe(3);
      expect(body.dag_runs.map((run: { dag_run_id: string }) => run.dag_run_id)).toEqual(['d3', 'd2', 'd1']);
      expect(body.dag_runs[2]).toEqual({
        dag_run_id: 'd1',
        dag_id: 'orders',
        state: 'success',
        run_type: 'manual',
        logical_date: new Date(T0 + 2 * DAY).toISOString(),
        data_interval_start: null,
        data_interval_end: null,
        queued_at: new Date(T0).toISOString(),
        start_date: new Date(T0 + 10).toISOString(),
        end_date: new Date(T0 + 20).toISOString(),
        conf: {},
        note: null,
        task_instance_states: NO_TIS,
      });
    });

    it('lists the runs of every DAG with dag_id ~', async () => {
      expect(await runIds('/api/v2/dags/~/dagRuns')).toEqual({ ids: ['r1', 'd3', 'd2', 'd1'], total: 4 });
    });

    it('paginates with limit and offset', async () => {
      expect(await runIds('/api/v2/dags/~/dagRuns?limit=3')).toEqual({ ids: ['r1', 'd3', 'd2'], total: 4 });
      expect(await runIds('/api/v2/dags/~/dagRuns?limit=3&offset=3')).toEqual({ ids: ['d1'], total: 4 });
    });

    it('filters by state (repeated or comma-separated) and run type', async () => {
      expect(await runIds('/api/v2/dags/~/dagRuns?state=failed')).toEqual({ ids: ['r1'], total: 1 });
      expect(await runIds('/api/v2/dags/~/dagRuns?state=success,running')).toEqual({ ids: ['d2', 'd1'], total: 2 });
      expect(await runIds('/api/v2/dags/~/dagRuns?state=success&state=queued')).toEqual({
        ids: ['d3', 'd1'],
        total: 2,
      });
      expect(await runIds('/api/v2/dags/~/dagRuns?run_type=scheduled')).toEqual({ ids: ['r1'], total: 1 });
      expect(await runIds('/api/v2/dags/orders/dagRuns?run_type=scheduled')).toEqual({ ids: [], total: 0 });
    });

    it('filters by logical and start date ranges', async () => {
      const dayOne = encodeURIComponent(new Date(T0 + DAY).toISOString());
      expect(await runIds(`/api/v2/dags/orders/dagRuns?logical_date_gte=${dayOne}`)).toEqual({
        ids: ['d3', 'd1'],
        total: 2,
      });
      expect(await runIds(`/api/v2/dags/~/dagRuns?logical_date_gte=${dayOne}&logical_date_lte=${dayOne}`)).toEqual({
        ids: ['r1', 'd3'],
        total: 2,
      });
      const started = encodeURIComponent(new Date(T0 + 30).toISOString());
      expect(await runIds(`/api/v2/dags/~/dagRuns?start_date_gte=${started}`)).toEqual({ ids: ['r1', 'd2'], total: 2 });
    });

    it('orders by the requested field, runs without a value last', async () => {
      expect((await runIds('/api/v2/dags/orders/dagRuns?order_by=logical_date')).ids).toEqual(['d2', 'd3', 'd1']);
      expect((await runIds('/api/v2/dags/orders/dagRuns?order_by=-logical_date')).ids).toEqual(['d1', 'd3', 'd2']);
      expect((await runIds('/api/v2/dags/orders/dagRuns?order_by=id')).ids).toEqual(['d1', 'd2', 'd3']);
      expect((await runIds('/api/v2/dags/~/dagRuns?order_by=-dag_run_id')).ids).toEqual(['r1', 'd3', 'd2', 'd1']);
      // d3 never started: last whichever the direction.
      expect((await runIds('/api/v2/dags/orders/dagRuns?order_by=start_date')).ids).toEqual(['d1', 'd2', 'd3']);
      expect((await runIds('/api/v2/dags/orders/dagRuns?order_by=-start_date')).ids).toEqual(['d2', 'd1', 'd3']);
    });

    it('counts the task instances of each run by state', async () => {
      const created = await triggerDagRun(harness.database, { dagId: 'orders', runId: 'counted' }, T0 + 100);
      const { db } = harness.database;
      await db.updateTable('task_instance').set({ state: 'success' }).where('task_id', '=', 'extract').execute();
      await db
        .updateTable('task_instance')
        .set({ state: 'running' })
        .where('dag_run_id', '=', created.dagRunId)
        .where('task_id', '=', 'transform')
        .execute();
      const response = await harness.request({ method: 'GET', url: '/api/v2/dags/orders/dagRuns?limit=1' });
      expect(response.json().dag_runs[0]).toMatchObject({
        dag_run_id: 'counted',
        task_instance_states: { ...NO_TIS, success: 1, running: 1, none: 1 },
      });
    });

    it('answers 404 for an unknown DAG', async () => {
      const response = await harness.request({ method: 'GET', url: '/api/v2/dags/nope/dagRuns' });
      expect(response.statusCode).toBe(404);
      expect(detailOf(response).reason).toBe('dag_not_found');
    });

    it('answers 422 naming the parameter for bad filters', async () => {
      for (const [query, field] of [
        ['state=done', 'state'],
        ['run_type=backfill', 'run_type'],
        ['logical_date_gte=2026-13-01T00:00:00Z', 'logical_date_gte'],
        ['order_by=-color', 'order_by'],
        ['limit=-5', 'limit'],
      ] as const) {
        const response = await harness.request({ method: 'GET', url: `/api/v2/dags/~/dagRuns?${query}` });
        expect(response.statusCode, query).toBe(422);
        expect(detailOf(response).reason).toBe('validation_error');
        expect(detailOf(response).message).toContain(field);
      }
    });

    it('answers 401 without a token', async () => {
      const response = await harness.request({ method: 'GET', url: '/api/v2/dags/~/dagRuns', role: 'none' });
      expect(response.statusCode).toBe(401);
    });
  });

  describe('GET /api/v2/dags/{dag_id}/dagRuns/{dag_run_id}', () => {
    it('describes the run', async () => {
      await trigger('orders', { dag_run_id: 'manual_1', conf: { n: 1 } });
      const response = await harness.request({ method: 'GET', url: '/api/v2/dags/orders/dagRuns/manual_1' });
      expect(response.statusCode).toBe(200);
      expect(dagRunResponseSchema.parse(response.json())).toMatchObject({
        dag_run_id: 'manual_1',
        dag_id: 'orders',
        state: 'queued',
        conf: { n: 1 },
        task_instance_states: { ...NO_TIS, none: 3 },
      });
    });

    it('answers 404 dag_run_not_found for an unknown run, or a run of another DAG', async () => {
      await trigger('orders', { dag_run_id: 'manual_1' });
      for (const url of ['/api/v2/dags/orders/dagRuns/nope', '/api/v2/dags/reports/dagRuns/manual_1']) {
        const response = await harness.request({ method: 'GET', url });
        expect(response.statusCode, url).toBe(404);
        expect(detailOf(response).reason).toBe('dag_run_not_found');
      }
    });

    it('answers 401 without a token', async () => {
      await trigger('orders', { dag_run_id: 'manual_1' });
      const response = await harness.request({
        method: 'GET',
        url: '/api/v2/dags/orders/dagRuns/manual_1',
        role: 'none',
      });
      expect(response.statusCode).toBe(401);
    });
  });

  describe('DELETE /api/v2/dags/{dag_id}/dagRuns/{dag_run_id}', () => {
    it('deletes the run with its task instances, XComs and task state', async () => {
      const { db } = harness.database;
      const created = await triggerDagRun(harness.database, { dagId: 'orders', runId: 'doomed' }, T0);
      const kept = await triggerDagRun(harness.database, { dagId: 'orders', runId: 'kept' }, T0);
      for (const run of [created, kept]) {
        await db
          .insertInto('xcom')
          .values({
            dag_run_id: run.dagRunId,
            dag_id: 'orders',
            run_id: run.runId,
            task_id: 'extract',
            map_index: -1,
            key: 'return_value',
            value: '[1,2]',
            created_at: T0,
          })
          .execute();
        await db
          .insertInto('task_state')
          .values({
            dag_run_id: run.dagRunId,
            dag_id: 'orders',
            run_id: run.runId,
            task_id: 'extract',
            map_index: -1,
            key: 'cursor',
            value: '42',
            version: 1,
            updated_at: T0,
            expires_at: null,
            updated_by: null,
          })
          .execute();
      }

      const response = await harness.request({
        method: 'DELETE',
        url: '/api/v2/dags/orders/dagRuns/doomed',
        role: 'op',
      });

      expect(response.statusCode).toBe(204);
      expect(response.body).toBe('');
      const left = async (table: 'task_instance' | 'xcom' | 'task_state') =>
        (await db.selectFrom(table).select('run_id').execute()).map((row) => row.run_id);
      expect(new Set(await left('task_instance'))).toEqual(new Set(['kept']));
      expect(await left('xcom')).toEqual(['kept']);
      expect(await left('task_state')).toEqual(['kept']);
      const gone = await harness.request({ method: 'GET', url: '/api/v2/dags/orders/dagRuns/doomed' });
      expect(gone.statusCode).toBe(404);
    });

    it('answers 404 when the run does not exist', async () => {
      const response = await harness.request({ method: 'DELETE', url: '/api/v2/dags/orders/dagRuns/nope', role: 'op' });
      expect(response.statusCode).toBe(404);
      expect(detailOf(response)).toEqual({
        reason: 'dag_run_not_found',
        message: 'DAG run "nope" of DAG "orders" does not exist',
      });
    });

    it('answers 403 for a viewer and 401 without a token, deleting nothing', async () => {
      await trigger('orders', { dag_run_id: 'manual_1' });
      const url = '/api/v2/dags/orders/dagRuns/manual_1';
      const asViewer = await harness.request({ method: 'DELETE', url, role: 'viewer' });
      expect(asViewer.statusCode).toBe(403);
      expect((await harness.request({ method: 'DELETE', url, role: 'none' })).statusCode).toBe(401);
      expect((await harness.request({ method: 'GET', url })).statusCode).toBe(200);
    });
  });
});
