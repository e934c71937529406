import type { AssetEventSource, AssetReference, JsonValue, TriggeringAssetEvent } from '@tidemark/core';
import type { Db } from '../open-database.ts';
import { type AssetEventRecord, listRunAssetEvents } from '../queries/asset-queries.ts';

export interface NewAssetEvent {
  readonly assetId: number;
  readonly extra?: Readonly<Record<string, JsonValue>>;
  readonly source: AssetEventSource;
}

/**
 * Records the event and queues it for every active DAG scheduled on its asset, in the caller's
 * transaction: an event is never recorded without being queued. Returns the event's id.
 */
export async function recordAssetEvent(trx: Db, event: NewAssetEvent, now: number): Promise<number> {
  const row = await trx
    .insertInto('asset_event')
    .values({
      asset_id: event.assetId,
      extra: JSON.stringify(event.extra ?? {}),
      created_at: now,
      ...sourceColumns(event.source),
    })
    .returning('id')
    .executeTakeFirstOrThrow();
  await trx
    .insertInto('asset_event_queue')
    .columns(['dag_id', 'asset_event_id', 'created_at'])
    .expression((eb) =>
      eb
        .selectFrom('dag_schedule_asset')
        .innerJoin('dag', 'dag.dag_id', 'dag_schedule_asset.dag_id')
        .select((inner) => [
          'dag_schedule_asset.dag_id',
          inner.val(row.id).as('asset_event_id'),
          inner.val(now).as('created_at'),
        ])
        .where('dag_schedule_asset.asset_id', '=', event.assetId)
        .where('dag.is_active', '=', 1),
    )
    .execute();
  return row.id;
}

function sourceColumns(source: AssetEventSource) {
  switch (source.kind) {
    case 'task':
      return {
        source_kind: 'task',
        source_dag_id: source.dagId,
        source_run_id: source.runId,
        source_task_id: source.taskId,
        source_map_index: source.mapIndex,
        source_try_number: source.tryNumber,
      };
    case 'api':
      return { source_kind: 'api', source_user: source.user };
    case 'watcher':
      return { source_kind: 'watcher', source_watcher: source.watcher };
  }
}

/** The id of the asset with this name and URI (default: the name), if some DAG ever declared it. */
export async function findAssetId(db: Db, asset: { name: string; uri?: string }): Promise<number | undefined> {
  const row = await db
    .selectFrom('asset')
    .select('id')
    .where('name', '=', asset.name)
    .where('uri', '=', asset.uri ?? asset.name)
    .executeTakeFirst();
  return row?.id;
}

/**
 * Makes `dag_schedule_asset` say which assets each DAG's condition names: `wanted` holds every
 * active DAG scheduled on assets; rows of other DAGs go. Assets must exist (activated before).
 */
export async function syncDagScheduleAssets(
  db: Db,
  wanted: ReadonlyMap<string, readonly AssetReference[]>,
): Promise<void> {
  const current = await db.selectFrom('dag_schedule_asset').select(['dag_id', 'asset_id']).execute();
  const wantedRows = new Set<string>();
  for (const [dagId, assets] of wanted) {
    for (const asset of assets) {
      const assetId = await findAssetId(db, asset);
      if (assetId !== undefined) wantedRows.add(JSON.stringify([dagId, assetId]));
    }
  }
  const currentRows = new Set(current.map((row) => JSON.stringify([row.dag_id, Number(row.asset_id)])));
  for (const key of currentRows) {
    if (wantedRows.has(key)) continue;
    const [dagId, assetId] = JSON.parse(key) as [string, number];
    await db.deleteFrom('dag_schedule_asset').where('dag_id', '=', dagId).where('asset_id', '=', assetId).execute();
  }
  for (const key of wantedRows) {
    if (currentRows.has(key)) continue;
    const [dagId, assetId] = JSON.parse(key) as [string, number];
    await db.insertInto('dag_schedule_asset').values({ dag_id: dagId, asset_id: assetId }).execute();
  }
}

/** The events that triggered a run, as its tasks see them (`ctx.triggeringAssetEvents`), oldest first. */
export async function listTriggeringAssetEvents(db: Db, dagRunId: number): Promise<TriggeringAssetEvent[]> {
  return (await listRunAssetEvents(db, dagRunId)).map((event) => ({
    id: event.id,
    asset: { name: event.assetName, uri: event.assetUri },
    extra: event.extra as Record<string, JsonValue>,
    source: assetEventSourceOf(event),
    timestamp: event.createdAt,
  }));
}

function assetEventSourceOf(event: AssetEventRecord): AssetEventSource {
  if (event.sourceKind === 'api') return { kind: 'api', user: event.sourceUser ?? '' };
  if (event.sourceKind === 'watcher') return { kind: 'watcher', watcher: event.sourceWatcher ?? '' };
  return {
    kind: 'task',
    dagId: event.sourceDagId ?? '',
    runId: event.sourceRunId ?? '',
    taskId: event.sourceTaskId ?? '',
    mapIndex: event.sourceMapIndex ?? -1,
    tryNumber: event.sourceTryNumber,
  };
}
