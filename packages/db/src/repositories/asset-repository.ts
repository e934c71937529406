import type { Db } from '../open-database.ts';

export interface AssetDeclaration {
  readonly name: string;
  /** Defaults to the name, as Airflow does. */
  readonly uri?: string;
}

export interface ActiveAsset {
  readonly id: number;
  readonly name: string;
  readonly uri: string;
}

/** Creates the asset if it is new and marks it active; returns its id. */
export async function activateAsset(db: Db, asset: AssetDeclaration, now = Date.now()): Promise<number> {
  const uri = asset.uri ?? asset.name;
  await db
    .insertInto('asset')
    .values({ name: asset.name, uri, created_at: now, updated_at: now })
    .onConflict((conflict) => conflict.columns(['name', 'uri']).doNothing())
    .execute();
  await db
    .insertInto('asset_active')
    .values({ name: asset.name, uri })
    .onConflict((conflict) => conflict.columns(['name', 'uri']).doNothing())
    .execute();
  const row = await db
    .selectFrom('asset')
    .select('id')
    .where('name', '=', asset.name)
    .where('uri', '=', uri)
    .executeTakeFirstOrThrow();
  return row.id;
}

/** No DAG declares the asset any more. Its state stays until garbage collection sweeps it. */
export async function deactivateAsset(db: Db, assetId: number): Promise<void> {
  const asset = await db.selectFrom('asset').select(['name', 'uri']).where('id', '=', assetId).executeTakeFirst();
  if (!asset) return;
  await db.deleteFrom('asset_active').where('name', '=', asset.name).where('uri', '=', asset.uri).execute();
}

/** Every asset some DAG declares, ordered by name. */
export async function listActiveAssets(db: Db): Promise<ActiveAsset[]> {
  return db
    .selectFrom('asset_active')
    .innerJoin('asset', (join) =>
      join.onRef('asset.name', '=', 'asset_active.name').onRef('asset.uri', '=', 'asset_active.uri'),
    )
    .select(['asset.id as id', 'asset.name as name', 'asset.uri as uri'])
    .orderBy('asset.name')
    .execute();
}
