import { beforeEach, describe, expect, it } from 'vitest';
import type { Db } from '../open-database.ts';
import { activateAsset, deactivateAsset } from '../repositories/asset-repository.ts';
import { eachDialect } from '../testing/describe-each-dialect.ts';
import { useTestDatabase } from '../testing/use-test-database.ts';
import { findAsset, findLatestAssetEvents, listAssetEvents, listAssets } from './asset-queries.ts';

const NOW = Date.UTC(2026, 0, 1);

describe.each(eachDialect())('asset queries on %s', (dialect) => {
  const test = useTestDatabase(dialect);
  let db: Db;
  let orders: number;
  let clicks: number;
  let old: number;

  beforeEach(async () => {
    db = test.database.db;
    orders = await activateAsset(db, { name: 'orders', uri: 's3://lake/orders' }, NOW);
    clicks = await activateAsset(db, { name: 'clicks', uri: 's3://lake/clicks' }, NOW + 1);
    old = await activateAsset(db, { name: 'old_orders' }, NOW + 2);
    await deactivateAsset(db, old);
    const event = (assetId: number, runId: string, at: number, taskId = 'load') =>
      db
        .insertInto('asset_event')
        .values({
          asset_id: assetId,
          source_dag_id: 'etl',
          source_run_id: runId,
          source_task_id: taskId,
          source_map_index: -1,
          extra: '{"rows":3}',
          created_at: at,
        })
        .execute();
    await event(orders, 'r1', NOW + 10);
    await event(clicks, 'r1', NOW + 20, 'track');
    await event(orders, 'r2', NOW + 30);
  });

  it('reads an asset with its activity flag', async () => {
    expect(await findAsset(db, orders)).toEqual({
      id: orders,
      name: 'orders',
      uri: 's3://lake/orders',
      group: 'asset',
      extra: {},
      createdAt: NOW,
      updatedAt: NOW,
      active: true,
    });
    expect(await findAsset(db, old)).toMatchObject({ name: 'old_orders', uri: 'old_orders', active: false });
    expect(await findAsset(db, 999_999)).toBeUndefined();
  });

  it('lists assets by id, active ones or all, with pattern filters and pagination', async () => {
    const names = (page: { items: { name: string }[] }) => page.items.map((asset) => asset.name);
    const active = await listAssets(db, { limit: 10, offset: 0, onlyActive: true });
    expect(names(active)).toEqual(['orders', 'clicks']);
    expect(active.totalEntries).toBe(2);
    const all = await listAssets(db, { limit: 1, offset: 2 });
    expect(names(all)).toEqual(['old_orders']);
    expect(all.totalEntries).toBe(3);
    expect(names(await listAssets(db, { limit: 10, offset: 0, namePattern: 'ORDERS' }))).toEqual([
      'orders',
      'old_orders',
    ]);
    expect(names(await listAssets(db, { limit: 10, offset: 0, uriPattern: 'lake/c' }))).toEqual(['clicks']);
    expect(names(await listAssets(db, { limit: 10, offset: 0, order: { column: 'name', descending: true } }))).toEqual([
      'orders',
      'old_orders',
      'clicks',
    ]);
  });

  it('finds the latest event of each asset', async () => {
    const latest = await findLatestAssetEvents(db, [orders, clicks, old]);
    expect(latest.get(orders)?.createdAt).toBe(NOW + 30);
    expect(latest.get(clicks)?.createdAt).toBe(NOW + 20);
    expect(latest.has(old)).toBe(false);
  });

  it('lists events newest first with their asset, filtered and paginated', async () => {
    const runs = (page: { items: { assetName: string; sourceRunId: string | null }[] }) =>
      page.items.map((event) => `${event.assetName}@${event.sourceRunId}`);
    const all = await listAssetEvents(db, { limit: 2, offset: 0 });
    expect(runs(all)).toEqual(['orders@r2', 'clicks@r1']);
    expect(all.totalEntries).toBe(3);
    expect(all.items[0]).toEqual({
      id: expect.any(Number),
      assetId: orders,
      assetName: 'orders',
      assetUri: 's3://lake/orders',
      sourceDagId: 'etl',
      sourceRunId: 'r2',
      sourceTaskId: 'load',
      sourceMapIndex: -1,
      sourceKind: 'task',
      sourceTryNumber: null,
      sourceUser: null,
      sourceWatcher: null,
      extra: { rows: 3 },
      createdAt: NOW + 30,
    });
    expect(runs(await listAssetEvents(db, { limit: 10, offset: 0, assetId: orders }))).toEqual([
      'orders@r2',
      'orders@r1',
    ]);
    expect(runs(await listAssetEvents(db, { limit: 10, offset: 0, sourceRunId: 'r1', sourceTaskId: 'track' }))).toEqual(
      ['clicks@r1'],
    );
    expect(
      runs(await listAssetEvents(db, { limit: 10, offset: 0, createdAtGte: NOW + 20, createdAtLte: NOW + 20 })),
    ).toEqual(['clicks@r1']);
    expect(
      runs(await listAssetEvents(db, { limit: 10, offset: 0, order: { column: 'created_at', descending: false } })),
    ).toEqual(['orders@r1', 'clicks@r1', 'orders@r2']);
  });
});
