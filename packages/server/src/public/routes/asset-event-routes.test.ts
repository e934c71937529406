import { assetEventCollectionSchema, assetEventResponseSchema, type SerializedDag } from '@tidemark/core';
import { activateAsset, createAssetTriggeredRun, syncDagScheduleAssets } from '@tidemark/db';
import { eachDialect } from '@tidemark/db/testing';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { detailOf, openPublicApiHarness, type PublicApiHarness, T0 } from '../../testing/dag-api-harness.ts';
import { serializedTask } from '../../testing/execution-harness.ts';

const orders = { name: 'orders', uri: 's3://lake/orders' };
const customers = { name: 'customers', uri: 'customers' };

const CONSUMER: SerializedDag = {
  dagId: 'consumer',
  fileloc: 'consumer.ts',
  schedule: null,
  assetCondition: {
    kind: 'all',
    of: [
      { kind: 'asset', ...orders },
      { kind: 'asset', ...customers },
    ],
  },
  startDate: null,
  catchup: false,
  description: null,
  tags: [],
  tasks: [serializedTask('load')],
};

describe.each(eachDialect())('asset event routes on %s', (dialect) => {
  let harness: PublicApiHarness;
  let ordersId: number;
  let customersId: number;

  beforeEach(async () => {
    harness = await openPublicApiHarness(dialect);
    const { db } = harness.database;
    await harness.seedDag(CONSUMER);
    ordersId = await activateAsset(db, orders, T0);
    customersId = await activateAsset(db, customers, T0);
    await syncDagScheduleAssets(db, new Map([['consumer', [orders, customers]]]));
  });
  afterEach(() => harness.close());

  const post = (payload: unknown, role: 'viewer' | 'op' | 'none' = 'op') =>
    harness.request({ method: 'POST', url: '/api/v2/assets/events', payload: payload as object, role });

  const queued = async () => {
    const response = await harness.request({ method: 'GET', url: '/api/v2/dags/consumer/assets/queuedEvents' });
    expect(response.statusCode, response.body).toBe(200);
    return response.json();
  };

  it('records an event from an operator, queued for the DAG scheduled on it', async () => {
    const response = await post({ asset_id: ordersId, extra: { file: 'orders-1.csv', rows: 120 } });
    expect(response.statusCode, response.body).toBe(200);
    const event = assetEventResponseSchema.parse(response.json());
    expect(event).toMatchObject({
      asset_id: ordersId,
      asset_name: 'orders',
      source_kind: 'api',
      source_user: 'alice',
      source_dag_id: null,
      extra: { file: 'orders-1.csv', rows: 120 },
    });

    expect(await queued()).toMatchObject({
      asset_expression: 'all(orders, customers)',
      queued_events: [{ asset_id: ordersId, asset_name: 'orders', asset_event_id: event.id }],
      waiting_for: [customers],
      total_entries: 1,
    });

    const list = await harness.request({ method: 'GET', url: `/api/v2/assets/events?asset_id=${ordersId}` });
    expect(assetEventCollectionSchema.parse(list.json()).asset_events.map((listed) => listed.id)).toEqual([event.id]);
  });

  it('lists the events that triggered a run, and none for a manual run', async () => {
    const first = assetEventResponseSchema.parse((await post({ asset_id: ordersId })).json());
    const second = assetEventResponseSchema.parse((await post({ asset_id: customersId, extra: { n: 1 } })).json());
    const run = await createAssetTriggeredRun(harness.database, 'consumer', T0 + 5);
    expect(run).not.toBeNull();
    expect(await queued()).toMatchObject({ queued_events: [], waiting_for: [orders, customers], total_entries: 0 });

    const url = `/api/v2/dags/consumer/dagRuns/${encodeURIComponent(run?.runId ?? '')}/upstreamAssetEvents`;
    const response = await harness.request({ method: 'GET', url });
    expect(response.statusCode, response.body).toBe(200);
    const body = assetEventCollectionSchema.parse(response.json());
    expect(body.asset_events.map((event) => [event.id, event.asset_name, event.extra])).toEqual([
      [first.id, 'orders', {}],
      [second.id, 'customers', { n: 1 }],
    ]);
    const missing = await harness.request({
      method: 'GET',
      url: '/api/v2/dags/consumer/dagRuns/nope/upstreamAssetEvents',
    });
    expect(missing.statusCode).toBe(404);
    expect(detailOf(missing).reason).toBe('dag_run_not_found');
  });

  it('refuses bad input with a reason, and writes nothing', async () => {
    const unknown = await post({ asset_id: 999_999 });
    expect(unknown.statusCode).toBe(404);
    expect(detailOf(unknown)).toMatchObject({ reason: 'asset_not_found', message: expect.stringContaining('999999') });

    for (const extra of [[1, 2], 'rows', 42, null]) {
      const response = await post({ asset_id: ordersId, extra });
      expect(response.statusCode, JSON.stringify(extra)).toBe(422);
      expect(detailOf(response).message).toMatch(/extra/);
    }
    const unknownField = await post({ asset_id: ordersId, extras: {} });
    expect(unknownField.statusCode).toBe(422);

    const tooLarge = await post({ asset_id: ordersId, extra: { blob: 'x'.repeat(70_000) } });
    expect(tooLarge.statusCode).toBe(413);
    expect(detailOf(tooLarge)).toMatchObject({ reason: 'value_too_large' });
    expect(detailOf(tooLarge).message).toMatch(/asset "orders".*state\.max_value_bytes/);

    expect((await post({ asset_id: ordersId }, 'viewer')).statusCode).toBe(403);
    expect((await post({ asset_id: ordersId }, 'none')).statusCode).toBe(401);

    const events = await harness.database.db.selectFrom('asset_event').select('id').execute();
    expect(events).toEqual([]);
    expect(await queued()).toMatchObject({ total_entries: 0 });
  });

  it('answers 404 for the queue of an unknown DAG, and an empty condition for a DAG not on assets', async () => {
    const response = await harness.request({ method: 'GET', url: '/api/v2/dags/nope/assets/queuedEvents' });
    expect(response.statusCode).toBe(404);
    expect(detailOf(response).reason).toBe('dag_not_found');
    await harness.seedDag({ ...CONSUMER, dagId: 'cron_only', schedule: '@daily', assetCondition: null });
    const cron = await harness.request({ method: 'GET', url: '/api/v2/dags/cron_only/assets/queuedEvents' });
    expect(cron.json()).toEqual({ asset_expression: null, queued_events: [], waiting_for: [], total_entries: 0 });
  });
});
