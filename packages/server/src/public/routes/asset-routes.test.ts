import { assetCollectionSchema, assetEventCollectionSchema, assetResponseSchema } from '@tidemark/core';
import { activateAsset, deactivateAsset, deactivateDags } from '@tidemark/db';
import { eachDialect } from '@tidemark/db/testing';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import {
  detailOf,
  ORDERS_DAG,
  openPublicApiHarness,
  type PublicApiHarness,
  REPORTS_DAG,
  T0,
} from '../../testing/dag-api-harness.ts';

describe.each(eachDialect())('asset routes on %s', (dialect) => {
  let harness: PublicApiHarness;
  let ordersId: number;
  let reportId: number;
  let legacyId: number;

  /** Events: orders by orders/load in two runs, daily_report by reports/publish; one second apart. */
  beforeEach(async () => {
    harness = await openPublicApiHarness(dialect);
    const { db } = harness.database;
    await harness.seedDag(ORDERS_DAG);
    await harness.seedDag(REPORTS_DAG);
    ordersId = await activateAsset(db, { name: 'orders', uri: 's3://warehouse/orders' }, T0);
    reportId = await activateAsset(db, { name: 'daily_report', uri: 'file:///reports/daily.html' }, T0 + 1);
    legacyId = await activateAsset(db, { name: 'Legacy_Orders' }, T0 + 2);
    await deactivateAsset(db, legacyId);
    await db
      .updateTable('asset')
      .set({ extra: JSON.stringify({ owner: 'sales' }) })
      .where('id', '=', ordersId)
      .execute();
    const events = [
      { asset_id: ordersId, source_run_id: 'scheduled__1', source_dag_id: 'orders', source_task_id: 'load' },
      { asset_id: reportId, source_run_id: 'scheduled__1', source_dag_id: 'reports', source_task_id: 'publish' },
      { asset_id: ordersId, source_run_id: 'manual__2', source_dag_id: 'orders', source_task_id: 'load' },
    ];
    for (const [index, event] of events.entries()) {
      await db
        .insertInto('asset_event')
        .values({
          ...event,
          source_map_index: -1,
          extra: JSON.stringify({ rows: 10 * (index + 1) }),
          created_at: T0 + (index + 1) * 1_000,
        })
        .execute();
    }
  });
  afterEach(() => harness.close());

  async function names(url: string): Promise<{ names: string[]; total: number }> {
    const response = await harness.request({ method: 'GET', url });
    expect(response.statusCode, response.body).toBe(200);
    const body = assetCollectionSchema.parse(response.json());
    return { names: body.assets.map((asset) => asset.name), total: body.total_entries };
  }

  async function eventIds(url: string): Promise<{ runs: string[]; total: number }> {
    const response = await harness.request({ method: 'GET', url });
    expect(response.statusCode, response.body).toBe(200);
    const body = assetEventCollectionSchema.parse(response.json());
    return {
      runs: body.asset_events.map((event) => `${event.asset_name}@${event.source_run_id}`),
      total: body.total_entries,
    };
  }

  describe('GET /api/v2/assets', () => {
    it('lists active assets by id with the tasks that consume and produce them', async () => {
      const response = await harness.request({ method: 'GET', url: '/api/v2/assets' });

      expect(response.statusCode).toBe(200);
      const body = response.json();
      expect(body.total_entries).toBe(2);
      expect(body.assets).toEqual([
        {
          id: ordersId,
          name: 'orders',
          uri: 's3://warehouse/orders',
          group: 'asset',
          extra: { owner: 'sales' },
          created_at: new Date(T0).toISOString(),
          updated_at: new Date(T0).toISOString(),
          active: true,
          consuming_tasks: [{ dag_id: 'reports', task_id: 'build' }],
          producing_tasks: [{ dag_id: 'orders', task_id: 'load' }],
          scheduled_dags: [],
          last_asset_event: { id: expect.any(Number), timestamp: new Date(T0 + 3_000).toISOString() },
        },
        expect.objectContaining({
          id: reportId,
          name: 'daily_report',
          active: true,
          consuming_tasks: [],
          producing_tasks: [{ dag_id: 'reports', task_id: 'publish' }],
          scheduled_dags: [],
          last_asset_event: { id: expect.any(Number), timestamp: new Date(T0 + 2_000).toISOString() },
        }),
      ]);
    });

    it('adds assets no DAG declares any more with only_active=false', async () => {
      const response = await harness.request({ method: 'GET', url: '/api/v2/assets?only_active=false' });
      expect(response.json().total_entries).toBe(3);
      expect(response.json().assets[2]).toMatchObject({
        id: legacyId,
        name: 'Legacy_Orders',
        uri: 'Legacy_Orders',
        active: false,
        consuming_tasks: [],
        producing_tasks: [],
        scheduled_dags: [],
        last_asset_event: null,
      });
    });

    it('names only the tasks of active DAGs', async () => {
      await deactivateDags(harness.database.db, ['reports'], T0);
      const response = await harness.request({ method: 'GET', url: `/api/v2/assets/${ordersId}` });
      expect(response.json()).toMatchObject({ consuming_tasks: [], producing_tasks: [{ dag_id: 'orders' }] });
    });

    it('matches name_pattern and uri_pattern as case-insensitive substrings', async () => {
      expect(await names('/api/v2/assets?name_pattern=ORDER&only_active=false')).toEqual({
        names: ['orders', 'Legacy_Orders'],
        total: 2,
      });
      expect(await names('/api/v2/assets?name_pattern=ORDER')).toEqual({ names: ['orders'], total: 1 });
      expect(await names('/api/v2/assets?uri_pattern=file%3A%2F%2F')).toEqual({ names: ['daily_report'], total: 1 });
    });

    it('paginates and orders', async () => {
      expect(await names('/api/v2/assets?only_active=false&limit=2')).toEqual({
        names: ['orders', 'daily_report'],
        total: 3,
      });
      expect(await names('/api/v2/assets?only_active=false&limit=2&offset=2')).toEqual({
        names: ['Legacy_Orders'],
        total: 3,
      });
      expect((await names('/api/v2/assets?order_by=name')).names).toEqual(['daily_report', 'orders']);
      expect((await names('/api/v2/assets?order_by=-id&only_active=false')).names).toEqual([
        'Legacy_Orders',
        'daily_report',
        'orders',
      ]);
    });

    it('answers 422 naming the parameter for bad input, and 401 without a token', async () => {
      for (const [query, field] of [
        ['only_active=maybe', 'only_active'],
        ['order_by=group', 'order_by'],
        ['limit=0', 'limit'],
      ] as const) {
        const response = await harness.request({ method: 'GET', url: `/api/v2/assets?${query}` });
        expect(response.statusCode, query).toBe(422);
        expect(detailOf(response).message).toContain(field);
      }
      const anonymous = await harness.request({ method: 'GET', url: '/api/v2/assets', role: 'none' });
      expect(anonymous.statusCode).toBe(401);
    });
  });

  describe('GET /api/v2/assets/{asset_id}', () => {
    it('describes the asset', async () => {
      const response = await harness.request({ method: 'GET', url: `/api/v2/assets/${reportId}` });
      expect(response.statusCode).toBe(200);
      expect(assetResponseSchema.parse(response.json())).toMatchObject({
        id: reportId,
        name: 'daily_report',
        uri: 'file:///reports/daily.html',
        extra: {},
        producing_tasks: [{ dag_id: 'reports', task_id: 'publish' }],
        scheduled_dags: [],
      });
    });

    it('answers 404 asset_not_found for an unknown id', async () => {
      const response = await harness.request({ method: 'GET', url: '/api/v2/assets/999999' });
      expect(response.statusCode).toBe(404);
      expect(detailOf(response)).toEqual({ reason: 'asset_not_found', message: 'asset with id 999999 does not exist' });
    });

    it('answers 422 for an id that is not a positive integer', async () => {
      for (const id of ['abc', '0', '1.5', '-3']) {
        const response = await harness.request({ method: 'GET', url: `/api/v2/assets/${id}` });
        expect(response.statusCode, id).toBe(422);
        expect(detailOf(response).message).toContain('asset_id');
      }
    });

    it('answers 401 without a token', async () => {
      const response = await harness.request({ method: 'GET', url: `/api/v2/assets/${ordersId}`, role: 'none' });
      expect(response.statusCode).toBe(401);
    });
  });

  describe('GET /api/v2/assets/events', () => {
    it('lists events newest first, with their asset and source', async () => {
      const response = await harness.request({ method: 'GET', url: '/api/v2/assets/events' });

      expect(response.statusCode).toBe(200);
      const body = response.json();
      expect(body.total_entries).toBe(3);
      expect(body.asset_events[0]).toEqual({
        id: expect.any(Number),
        asset_id: ordersId,
        asset_name: 'orders',
        asset_uri: 's3://warehouse/orders',
        source_dag_id: 'orders',
        source_run_id: 'manual__2',
        source_task_id: 'load',
        source_map_index: -1,
        source_kind: 'task',
        source_try_number: null,
        source_user: null,
        source_watcher: null,
        extra: { rows: 30 },
        timestamp: new Date(T0 + 3_000).toISOString(),
      });
      expect(await eventIds('/api/v2/assets/events')).toEqual({
        runs: ['orders@manual__2', 'daily_report@scheduled__1', 'orders@scheduled__1'],
        total: 3,
      });
    });

    it('filters by asset, source and time', async () => {
      expect(await eventIds(`/api/v2/assets/events?asset_id=${ordersId}`)).toEqual({
        runs: ['orders@manual__2', 'orders@scheduled__1'],
        total: 2,
      });
      expect(await eventIds('/api/v2/assets/events?source_dag_id=reports')).toEqual({
        runs: ['daily_report@scheduled__1'],
        total: 1,
      });
      expect(await eventIds('/api/v2/assets/events?source_run_id=scheduled__1&source_task_id=load')).toEqual({
        runs: ['orders@scheduled__1'],
        total: 1,
      });
      expect((await eventIds('/api/v2/assets/events?source_map_index=0')).total).toBe(0);
      const after = encodeURIComponent(new Date(T0 + 2_000).toISOString());
      expect(await eventIds(`/api/v2/assets/events?timestamp_gte=${after}`)).toEqual({
        runs: ['orders@manual__2', 'daily_report@scheduled__1'],
        total: 2,
      });
      expect(await eventIds(`/api/v2/assets/events?timestamp_lte=${after}`)).toEqual({
        runs: ['daily_report@scheduled__1', 'orders@scheduled__1'],
        total: 2,
      });
    });

    it('paginates and orders', async () => {
      expect(await eventIds('/api/v2/assets/events?limit=1&offset=1')).toEqual({
        runs: ['daily_report@scheduled__1'],
        total: 3,
      });
      expect((await eventIds('/api/v2/assets/events?order_by=timestamp')).runs).toEqual([
        'orders@scheduled__1',
        'daily_report@scheduled__1',
        'orders@manual__2',
      ]);
      expect((await eventIds('/api/v2/assets/events?order_by=-source_dag_id&limit=1')).runs).toEqual([
        'daily_report@scheduled__1',
      ]);
    });

    it('answers 422 naming the parameter for bad filters, and 401 without a token', async () => {
      for (const [query, field] of [
        ['asset_id=orders', 'asset_id'],
        ['source_map_index=-2', 'source_map_index'],
        ['timestamp_gte=today', 'timestamp_gte'],
        ['order_by=name', 'order_by'],
      ] as const) {
        const response = await harness.request({ method: 'GET', url: `/api/v2/assets/events?${query}` });
        expect(response.statusCode, query).toBe(422);
        expect(detailOf(response).message).toContain(field);
      }
      const anonymous = await harness.request({ method: 'GET', url: '/api/v2/assets/events', role: 'none' });
      expect(anonymous.statusCode).toBe(401);
    });
  });
});
