import type { AssetCondition, AssetEventSource, SerializedDag } from '@tidemark/core';
import { beforeEach, describe, expect, it } from 'vitest';
import { type MetadataDatabase, openDatabase } from '../open-database.ts';
import { eachDialect } from '../testing/describe-each-dialect.ts';
import { serializedTask } from '../testing/serialized-dag-fixtures.ts';
import { useTestDatabase } from '../testing/use-test-database.ts';
import { recordAssetEvent, syncDagScheduleAssets } from './asset-event-repository.ts';
import { activateAsset } from './asset-repository.ts';
import { createAssetTriggeredRun, listDagsWithQueuedEvents } from './asset-triggered-run-repository.ts';
import { setDagPaused } from './dag-pause-repository.ts';
import { upsertSerializedDag } from './dag-repository.ts';

const NOW = Date.UTC(2026, 0, 1);
const API: AssetEventSource = { kind: 'api', user: 'ops' };
const ref = (name: string): AssetCondition => ({ kind: 'asset', name, uri: name });

function consumer(dagId: string, assetCondition: AssetCondition): SerializedDag {
  return {
    dagId,
    fileloc: `${dagId}.ts`,
    schedule: null,
    assetCondition,
    startDate: null,
    catchup: false,
    description: null,
    tags: [],
    tasks: [serializedTask('load')],
  };
}

describe.each(eachDialect())('asset-triggered runs on %s', (dialect) => {
  const test = useTestDatabase(dialect);
  let database: MetadataDatabase;
  const assetIds: Record<string, number> = {};

  beforeEach(async () => {
    database = test.database;
    for (const name of ['orders', 'customers', 'refunds'])
      assetIds[name] = await activateAsset(database.db, { name }, NOW);
  });

  async function schedule(dag: SerializedDag, assets: string[]): Promise<void> {
    await upsertSerializedDag(database.db, dag, NOW);
    const current = await database.db.selectFrom('dag_schedule_asset').selectAll().execute();
    const wanted = new Map<string, { name: string; uri: string }[]>();
    for (const row of current) {
      const name = Object.keys(assetIds).find((key) => assetIds[key] === Number(row.asset_id)) as string;
      wanted.set(row.dag_id, [...(wanted.get(row.dag_id) ?? []), { name, uri: name }]);
    }
    wanted.set(
      dag.dagId,
      assets.map((name) => ({ name, uri: name })),
    );
    await syncDagScheduleAssets(database.db, wanted);
  }

  const emit = (name: string, extra = {}) =>
    recordAssetEvent(database.db, { assetId: assetIds[name] as number, extra, source: API }, NOW);

  const runsOf = (dagId: string) =>
    database.db.selectFrom('dag_run').select(['id', 'run_id', 'run_type']).where('dag_id', '=', dagId).execute();

  const triggeringEvents = (dagRunId: number) =>
    database.db
      .selectFrom('dag_run_asset_event')
      .select('asset_event_id')
      .where('dag_run_id', '=', dagRunId)
      .orderBy('asset_event_id')
      .execute()
      .then((rows) => rows.map((row) => Number(row.asset_event_id)));

  it('one event makes one run that consumes it; the next event makes the next run', async () => {
    await schedule(consumer('on_orders', ref('orders')), ['orders']);
    expect(await createAssetTriggeredRun(database, 'on_orders', NOW)).toBeNull();
    const first = await emit('orders', { rows: 10 });
    expect(await listDagsWithQueuedEvents(database.db)).toEqual(['on_orders']);
    const run = await createAssetTriggeredRun(database, 'on_orders', NOW + 1);
    expect(run?.runId).toBe(`asset_triggered__${new Date(NOW + 1).toISOString()}`);
    expect(await triggeringEvents(run?.dagRunId as number)).toEqual([first]);
    expect(await createAssetTriggeredRun(database, 'on_orders', NOW + 2)).toBeNull();
    expect(await listDagsWithQueuedEvents(database.db)).toEqual([]);

    await emit('orders');
    await emit('orders');
    const second = await createAssetTriggeredRun(database, 'on_orders', NOW + 1);
    expect(second?.runId).toBe(`asset_triggered__${new Date(NOW + 1).toISOString()}__2`);
    expect(await triggeringEvents(second?.dagRunId as number)).toHaveLength(2);
    expect((await runsOf('on_orders')).map((row) => row.run_type)).toEqual(['asset_triggered', 'asset_triggered']);
    const tis = await database.db
      .selectFrom('task_instance')
      .select('task_id')
      .where('dag_id', '=', 'on_orders')
      .execute();
    expect(tis).toHaveLength(2);
  });

  it('all waits for every asset, any fires on one, and an event is queued for every consumer', async () => {
    await schedule(consumer('both', { kind: 'all', of: [ref('orders'), ref('customers')] }), ['orders', 'customers']);
    await schedule(consumer('either', { kind: 'any', of: [ref('orders'), ref('refunds')] }), ['orders', 'refunds']);
    await emit('orders');
    expect(await createAssetTriggeredRun(database, 'both', NOW)).toBeNull();
    expect(await createAssetTriggeredRun(database, 'either', NOW)).not.toBeNull();
    await emit('customers');
    expect(await createAssetTriggeredRun(database, 'both', NOW)).not.toBeNull();
    expect(await runsOf('both')).toHaveLength(1);
    expect(await runsOf('either')).toHaveLength(1);
  });

  it('a paused DAG keeps its queue and runs once when unpaused; an unscheduled DAG queues nothing', async () => {
    await schedule(consumer('on_orders', ref('orders')), ['orders']);
    await setDagPaused(database.db, 'on_orders', true, NOW);
    await emit('orders');
    await emit('orders');
    expect(await listDagsWithQueuedEvents(database.db)).toEqual([]);
    expect(await createAssetTriggeredRun(database, 'on_orders', NOW)).toBeNull();
    await setDagPaused(database.db, 'on_orders', false, NOW);
    expect(await createAssetTriggeredRun(database, 'on_orders', NOW)).not.toBeNull();
    expect(await createAssetTriggeredRun(database, 'on_orders', NOW)).toBeNull();
    expect(await runsOf('on_orders')).toHaveLength(1);

    await schedule(consumer('on_orders', ref('orders')), []);
    await emit('orders');
    expect(await database.db.selectFrom('asset_event_queue').selectAll().execute()).toEqual([]);
  });

  it('two schedulers racing over 200 events make exactly one run per event, never two', async () => {
    await schedule(consumer('on_orders', ref('orders')), ['orders']);
    // SQLite: one process has one writer (two handles in one event loop would only wait on each other).
    const other = dialect === 'postgres' ? openDatabase(test.url, { poolSize: 5 }) : database;
    try {
      let runs = 0;
      for (let i = 0; i < 200; i++) {
        await emit('orders', { i });
        const results = await Promise.all([
          createAssetTriggeredRun(database, 'on_orders', NOW + 2 * i),
          createAssetTriggeredRun(other, 'on_orders', NOW + 2 * i + 1),
        ]);
        runs += results.filter((run) => run !== null).length;
      }
      expect(runs).toBe(200);
      const links = await database.db.selectFrom('dag_run_asset_event').select('asset_event_id').execute();
      expect(new Set(links.map((row) => Number(row.asset_event_id))).size).toBe(200);
      expect(links).toHaveLength(200);
      expect(await runsOf('on_orders')).toHaveLength(200);
    } finally {
      if (other !== database) await other.close();
    }
  });
});
