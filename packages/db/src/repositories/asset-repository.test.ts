import { beforeEach, describe, expect, it } from 'vitest';
import type { Db } from '../open-database.ts';
import { eachDialect } from '../testing/describe-each-dialect.ts';
import { useTestDatabase } from '../testing/use-test-database.ts';
import { activateAsset, deactivateAsset, listActiveAssets } from './asset-repository.ts';

describe.each(eachDialect())('asset repository on %s', (dialect) => {
  const test = useTestDatabase(dialect);
  let db: Db;
  beforeEach(async () => {
    db = test.database.db;
  });

  it('activates an asset once, with the name as its default uri', async () => {
    const id = await activateAsset(db, { name: 'orders' });

    expect(await activateAsset(db, { name: 'orders', uri: 'orders' })).toBe(id);
    expect(await listActiveAssets(db)).toEqual([{ id, name: 'orders', uri: 'orders' }]);
  });

  it('lists only active assets; a deactivated one keeps its row and comes back with the same id', async () => {
    const orders = await activateAsset(db, { name: 'orders', uri: 's3://lake/orders' });
    const clicks = await activateAsset(db, { name: 'clicks', uri: 's3://lake/clicks' });

    await deactivateAsset(db, orders);

    expect(await listActiveAssets(db)).toEqual([{ id: clicks, name: 'clicks', uri: 's3://lake/clicks' }]);
    expect(await db.selectFrom('asset').select('id').where('id', '=', orders).executeTakeFirst()).toBeDefined();
    expect(await activateAsset(db, { name: 'orders', uri: 's3://lake/orders' })).toBe(orders);
  });
});
