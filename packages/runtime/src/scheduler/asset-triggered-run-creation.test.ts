import type { SerializedDag } from '@tidemark/core';
import {
  activateAsset,
  inWriteTransaction,
  type MetadataDatabase,
  recordAssetEvent,
  syncDagScheduleAssets,
  upsertSerializedDag,
} from '@tidemark/db';
import { eachDialect, openTestDatabaseFor, serializedTask, type TestDatabase } from '@tidemark/db/testing';
import pino from 'pino';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { runSchedulingPass } from './scheduler.ts';

const T0 = Date.UTC(2026, 0, 1, 0, 30);
const orders = { name: 'orders', uri: 's3://lake/orders' };
const HOURLY_OR_ORDERS: SerializedDag = {
  dagId: 'hourly_or_orders',
  fileloc: 'hourly_or_orders.ts',
  schedule: '@hourly',
  assetCondition: { kind: 'asset', ...orders },
  startDate: Date.UTC(2025, 0, 1),
  catchup: false,
  description: null,
  tags: [],
  tasks: [serializedTask('load')],
};

describe.each(eachDialect())('a schedule of { cron, assets } on %s', (dialect) => {
  let test: TestDatabase;
  let database: MetadataDatabase;
  const log = pino({ level: 'silent' });

  beforeEach(async () => {
    test = await openTestDatabaseFor(dialect);
    database = test.database;
    await upsertSerializedDag(database.db, HOURLY_OR_ORDERS, T0);
    await activateAsset(database.db, orders, T0);
    await syncDagScheduleAssets(database.db, new Map([[HOURLY_OR_ORDERS.dagId, [orders]]]));
  });
  afterEach(() => test.destroy());

  const runTypes = async () =>
    (
      await database.db
        .selectFrom('dag_run')
        .select('run_type')
        .where('dag_id', '=', HOURLY_OR_ORDERS.dagId)
        .orderBy('id')
        .execute()
    ).map((row) => row.run_type);

  it('gets runs from the cron and from asset events, each on its own', async () => {
    await runSchedulingPass(database, T0, 60_000, log);
    const afterCron = await runTypes();
    await runSchedulingPass(database, T0 + 1, 60_000, log);
    expect(await runTypes()).toEqual(afterCron);

    const assetId = (await database.db.selectFrom('asset').select('id').executeTakeFirstOrThrow()).id;
    await inWriteTransaction(database, (trx) =>
      recordAssetEvent(trx, { assetId: Number(assetId), source: { kind: 'api', user: 'ops' } }, T0 + 2),
    );
    await runSchedulingPass(database, T0 + 3, 60_000, log);
    expect(await runTypes()).toEqual([...afterCron, 'asset_triggered']);

    await runSchedulingPass(database, T0 + 2 * 3_600_000, 60_000, log);
    expect((await runTypes()).filter((type) => type === 'scheduled').length).toBeGreaterThan(
      afterCron.filter((type) => type === 'scheduled').length,
    );
  });
});
