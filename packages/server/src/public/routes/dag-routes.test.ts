import {
  dagCollectionSchema,
  dagDetailsResponseSchema,
  dagResponseSchema,
  importErrorCollectionSchema,
} from '@tidemark/core';
import {
  advanceNextRunAt,
  deactivateDags,
  listDueScheduledDags,
  registerDag,
  replaceImportErrors,
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

const HOUR = 3_600_000;

describe.each(eachDialect())('DAG routes on %s', (dialect) => {
  let harness: PublicApiHarness;

  beforeEach(async () => {
    harness = await openPublicApiHarness(dialect);
    // Parsed one hour apart: reports, then orders, then adhoc_cleanup.
    await harness.seedDag(REPORTS_DAG);
    harness.clock.advance(HOUR);
    await harness.seedDag(ORDERS_DAG);
    harness.clock.advance(HOUR);
    await harness.seedDag(ADHOC_DAG);
  });
  afterEach(() => harness.close());

  async function listDagIds(query: string): Promise<{ ids: string[]; total: number }> {
    const response = await harness.request({ method: 'GET', url: `/api/v2/dags${query}` });
    expect(response.statusCode, response.body).toBe(200);
    const body = dagCollectionSchema.parse(response.json());
    return { ids: body.dags.map((dag) => dag.dag_id), total: body.total_entries };
  }

  describe('GET /api/v2/dags', () => {
    it('lists the DAGs by id with their schedule, tags, parse time and latest run', async () => {
      harness.clock.advance(60_000);
      await triggerDagRun(harness.database, { dagId: 'orders', runId: 'first' }, harness.clock.now());
      await triggerDagRun(harness.database, { dagId: 'orders', runId: 'second' }, harness.clock.now());

      const response = await harness.request({ method: 'GET', url: '/api/v2/dags' });

      expect(response.statusCode).toBe(200);
      const body = response.json();
      expect(body.total_entries).toBe(3);
      expect(body.dags.map((dag: { dag_id: string }) => dag.dag_id)).toEqual(['adhoc_cleanup', 'orders', 'reports']);
      expect(body.dags[1]).toEqual({
        dag_id: 'orders',
        description: 'Loads the day’s orders into the warehouse',
        fileloc: 'sales/orders-dag.ts',
        is_paused: false,
        is_active: true,
        schedule: '@daily',
        asset_expression: null,
        tags: ['sales'],
        start_date: '2025-12-01T00:00:00.000Z',
        catchup: false,
        last_parsed_time: new Date(T0 + HOUR).toISOString(),
        next_dagrun_run_after: null,
        latest_dag_run: {
          dag_run_id: 'second',
          state: 'queued',
          run_type: 'manual',
          logical_date: new Date(T0 + 2 * HOUR + 60_000).toISOString(),
          start_date: null,
          end_date: null,
        },
      });
      expect(body.dags[0]).toMatchObject({ schedule: null, tags: [], start_date: null, latest_dag_run: null });
      expect(body.dags[2]).toMatchObject({ tags: ['sales', 'reporting'], catchup: true, latest_dag_run: null });
    });

    it('paginates with limit and offset, counting every match', async () => {
      expect(await listDagIds('?limit=2')).toEqual({ ids: ['adhoc_cleanup', 'orders'], total: 3 });
      expect(await listDagIds('?limit=2&offset=2')).toEqual({ ids: ['reports'], total: 3 });
      expect(await listDagIds('?offset=5')).toEqual({ ids: [], total: 3 });
    });

    it('orders by the requested field, descending with a leading "-"', async () => {
      expect((await listDagIds('?order_by=-dag_id')).ids).toEqual(['reports', 'orders', 'adhoc_cleanup']);
      expect((await listDagIds('?order_by=last_parsed_time')).ids).toEqual(['reports', 'orders', 'adhoc_cleanup']);
      expect((await listDagIds('?order_by=-last_parsed_time')).ids).toEqual(['adhoc_cleanup', 'orders', 'reports']);
    });

    it('puts DAGs without the sort value last, in both directions', async () => {
      await advanceNextRunAt(harness.database.db, 'orders', null, T0 + 10 * HOUR);
      await advanceNextRunAt(harness.database.db, 'reports', null, T0 + 20 * HOUR);
      expect((await listDagIds('?order_by=next_dagrun_run_after')).ids).toEqual(['orders', 'reports', 'adhoc_cleanup']);
      expect((await listDagIds('?order_by=-next_dagrun_run_after')).ids).toEqual([
        'reports',
        'orders',
        'adhoc_cleanup',
      ]);
    });

    it('filters by pause flag', async () => {
      await harness.request({ method: 'PATCH', url: '/api/v2/dags/orders', role: 'op', payload: { is_paused: true } });
      expect(await listDagIds('?paused=true')).toEqual({ ids: ['orders'], total: 1 });
      expect(await listDagIds('?paused=false')).toEqual({ ids: ['adhoc_cleanup', 'reports'], total: 2 });
    });

    it('leaves out inactive DAGs unless only_active=false', async () => {
      await deactivateDags(harness.database.db, ['reports'], T0);
      expect(await listDagIds('')).toEqual({ ids: ['adhoc_cleanup', 'orders'], total: 2 });
      const all = await harness.request({ method: 'GET', url: '/api/v2/dags?only_active=false' });
      expect(all.json().total_entries).toBe(3);
      expect(all.json().dags[2]).toMatchObject({ dag_id: 'reports', is_active: false });
    });

    it('matches dag_id_pattern as a case-insensitive literal substring', async () => {
      expect(await listDagIds('?dag_id_pattern=ORD')).toEqual({ ids: ['orders'], total: 1 });
      expect(await listDagIds('?dag_id_pattern=_')).toEqual({ ids: ['adhoc_cleanup'], total: 1 });
      expect(await listDagIds('?dag_id_pattern=%25')).toEqual({ ids: [], total: 0 });
    });

    it('answers 422 naming the parameter for bad input', async () => {
      for (const [query, field] of [
        ['limit=0', 'limit'],
        ['limit=1001', 'limit'],
        ['offset=-1', 'offset'],
        ['order_by=size', 'order_by'],
        ['paused=yes', 'paused'],
        ['only_active=1', 'only_active'],
      ] as const) {
        const response = await harness.request({ method: 'GET', url: `/api/v2/dags?${query}` });
        expect(response.statusCode, query).toBe(422);
        expect(detailOf(response).reason).toBe('validation_error');
        expect(detailOf(response).message).toContain(field);
      }
    });

    it('answers 401 without a valid token', async () => {
      const missing = await harness.request({ method: 'GET', url: '/api/v2/dags', role: 'none' });
      expect(missing.statusCode).toBe(401);
      expect(detailOf(missing).reason).toBe('invalid_token');
      const forged = await harness.request({
        method: 'GET',
        url: '/api/v2/dags',
        role: 'none',
        headers: { authorization: 'Bearer not.a.token' },
      });
      expect(forged.statusCode).toBe(401);
    });
  });

  describe('GET /api/v2/dags/{dag_id}', () => {
    it('describes the DAG and its tasks', async () => {
      const response = await harness.request({ method: 'GET', url: '/api/v2/dags/orders' });

      expect(response.statusCode).toBe(200);
      const dag = dagDetailsResponseSchema.parse(response.json());
      expect(dag).toMatchObject({ dag_id: 'orders', schedule: '@daily', is_paused: false, latest_dag_run: null });
      expect(dag.tasks).toEqual([
        {
          task_id: 'extract',
          upstream_task_ids: [],
          downstream_task_ids: ['transform'],
          map_over: null,
          retries: 2,
          retry_delay_ms: 5_000,
          retry_exponential_backoff: false,
          max_retry_delay_ms: null,
          execution_timeout_ms: 60_000,
          inlets: [],
          outlets: [],
        },
        {
          task_id: 'transform',
          upstream_task_ids: ['extract'],
          downstream_task_ids: ['load'],
          map_over: 'extract',
          retries: 3,
          retry_delay_ms: 1_000,
          retry_exponential_backoff: true,
          max_retry_delay_ms: 3_000,
          execution_timeout_ms: null,
          inlets: [],
          outlets: [],
        },
        {
          task_id: 'load',
          upstream_task_ids: ['transform'],
          downstream_task_ids: [],
          map_over: null,
          retries: 0,
          retry_delay_ms: 0,
          retry_exponential_backoff: false,
          max_retry_delay_ms: null,
          execution_timeout_ms: null,
          inlets: [],
          outlets: [{ name: 'orders', uri: 's3://warehouse/orders' }],
        },
      ]);
    });

    it('describes a DAG that was registered but never parsed, with no tasks', async () => {
      await registerDag(harness.database.db, { dagId: 'pending', fileloc: 'pending.ts', schedule: null }, T0);
      const response = await harness.request({ method: 'GET', url: '/api/v2/dags/pending' });
      expect(response.statusCode).toBe(200);
      expect(response.json()).toMatchObject({ dag_id: 'pending', tags: [], catchup: false, tasks: [] });
    });

    it('answers 404 dag_not_found for an unknown DAG', async () => {
      const response = await harness.request({ method: 'GET', url: '/api/v2/dags/nope' });
      expect(response.statusCode).toBe(404);
      expect(detailOf(response)).toEqual({
        reason: 'dag_not_found',
        message: 'DAG "nope" does not exist (or has not been parsed yet)',
      });
    });

    it('answers 500 serialized_dag_invalid naming the DAG and the fix when its stored form has an unknown format version', async () => {
      const stored = JSON.stringify({ ...ORDERS_DAG, formatVersion: 2 });
      await harness.database.db.updateTable('dag').set({ serialized: stored }).where('dag_id', '=', 'orders').execute();
      const response = await harness.request({ method: 'GET', url: '/api/v2/dags/orders' });
      expect(response.statusCode).toBe(500);
      expect(detailOf(response)).toMatchObject({ reason: 'serialized_dag_invalid' });
      expect(detailOf(response).message).toMatch(/"orders".*format version 2.*reads version 1.*parse the file again/);
    });

    it('answers 401 without a token', async () => {
      const response = await harness.request({ method: 'GET', url: '/api/v2/dags/orders', role: 'none' });
      expect(response.statusCode).toBe(401);
    });
  });

  describe('PATCH /api/v2/dags/{dag_id}', () => {
    it('pauses a DAG: the scheduler no longer finds it due; unpausing brings it back', async () => {
      await advanceNextRunAt(harness.database.db, 'orders', null, T0);
      const due = async () => (await listDueScheduledDags(harness.database.db, T0 + 10 * HOUR)).map((d) => d.dagId);
      expect(await due()).toContain('orders');

      const paused = await harness.request({
        method: 'PATCH',
        url: '/api/v2/dags/orders',
        role: 'op',
        payload: { is_paused: true },
      });

      expect(paused.statusCode).toBe(200);
      expect(dagResponseSchema.parse(paused.json())).toMatchObject({ dag_id: 'orders', is_paused: true });
      expect(await due()).not.toContain('orders');
      const shown = await harness.request({ method: 'GET', url: '/api/v2/dags/orders' });
      expect(shown.json().is_paused).toBe(true);

      const unpaused = await harness.request({
        method: 'PATCH',
        url: '/api/v2/dags/orders',
        role: 'admin',
        payload: { is_paused: false },
      });
      expect(unpaused.statusCode).toBe(200);
      // The next run time is kept: the scheduler makes up what the DAG's catchup policy asks for.
      expect(unpaused.json()).toMatchObject({ is_paused: false, next_dagrun_run_after: new Date(T0).toISOString() });
      expect(await due()).toContain('orders');
    });

    it('answers 403 for a viewer and 401 without a token, changing nothing', async () => {
      const asViewer = await harness.request({
        method: 'PATCH',
        url: '/api/v2/dags/orders',
        payload: { is_paused: true },
      });
      expect(asViewer.statusCode).toBe(403);
      expect(detailOf(asViewer).reason).toBe('forbidden');
      const anonymous = await harness.request({
        method: 'PATCH',
        url: '/api/v2/dags/orders',
        role: 'none',
        payload: { is_paused: true },
      });
      expect(anonymous.statusCode).toBe(401);
      const shown = await harness.request({ method: 'GET', url: '/api/v2/dags/orders' });
      expect(shown.json().is_paused).toBe(false);
    });

    it('answers 404 for an unknown DAG', async () => {
      const response = await harness.request({
        method: 'PATCH',
        url: '/api/v2/dags/nope',
        role: 'op',
        payload: { is_paused: true },
      });
      expect(response.statusCode).toBe(404);
      expect(detailOf(response).reason).toBe('dag_not_found');
    });

    it('answers 422 for a body that is not {is_paused: boolean}', async () => {
      for (const payload of [{ is_paused: 'yes' }, {}, { is_paused: true, description: 'x' }, undefined]) {
        const response = await harness.request({
          method: 'PATCH',
          url: '/api/v2/dags/orders',
          role: 'op',
          ...(payload === undefined ? {} : { payload }),
        });
        expect(response.statusCode, JSON.stringify(payload)).toBe(422);
        expect(detailOf(response).reason).toBe('validation_error');
      }
    });
  });

  describe('GET /api/v2/importErrors', () => {
    beforeEach(async () => {
      await replaceImportErrors(
        harness.database.db,
        'broken/b.ts',
        [
          { line: 3, message: 'SyntaxError: Unexpected token' },
          { line: null, message: 'duplicate DAG id "x"' },
        ],
        T0,
      );
      await replaceImportErrors(harness.database.db, 'broken/a.ts', [{ line: 12, message: 'Cannot find module' }], T0);
    });

    it('lists import errors by file with pagination', async () => {
      const response = await harness.request({ method: 'GET', url: '/api/v2/importErrors?limit=2' });
      expect(response.statusCode).toBe(200);
      const body = importErrorCollectionSchema.parse(response.json());
      expect(body.total_entries).toBe(3);
      expect(body.import_errors).toEqual([
        {
          import_error_id: expect.any(Number),
          fileloc: 'broken/a.ts',
          line: 12,
          message: 'Cannot find module',
          timestamp: new Date(T0).toISOString(),
        },
        expect.objectContaining({ fileloc: 'broken/b.ts', line: 3, message: 'SyntaxError: Unexpected token' }),
      ]);
      const rest = await harness.request({ method: 'GET', url: '/api/v2/importErrors?limit=2&offset=2' });
      expect(rest.json().import_errors).toEqual([
        expect.objectContaining({ fileloc: 'broken/b.ts', line: null, message: 'duplicate DAG id "x"' }),
      ]);
    });

    it('answers 422 for a bad limit and 401 without a token', async () => {
      const bad = await harness.request({ method: 'GET', url: '/api/v2/importErrors?limit=abc' });
      expect(bad.statusCode).toBe(422);
      expect(detailOf(bad).message).toContain('limit');
      const anonymous = await harness.request({ method: 'GET', url: '/api/v2/importErrors', role: 'none' });
      expect(anonymous.statusCode).toBe(401);
    });
  });
});
