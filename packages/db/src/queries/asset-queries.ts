import { type Selectable, sql } from 'kysely';
import type { Db } from '../open-database.ts';
import type { AssetEventTable } from '../schema/database-schema.ts';
import { containsIgnoringCase, type Page, type PageOf, type SortOrder } from './dag-queries.ts';

/** Read models of assets and asset events for the public API: filtered, ordered, paginated. */

export interface AssetRecord {
  readonly id: number;
  readonly name: string;
  readonly uri: string;
  readonly group: string;
  readonly extra: Record<string, unknown>;
  readonly createdAt: number;
  readonly updatedAt: number;
  /** Some active DAG declares it (a row in `asset_active`). */
  readonly active: boolean;
}

export type AssetSortColumn = 'id' | 'name' | 'uri' | 'created_at' | 'updated_at';

export interface AssetListFilter extends Page {
  readonly namePattern?: string;
  readonly uriPattern?: string;
  readonly onlyActive?: boolean;
  /** Default: by id. Ties by id in the same direction. */
  readonly order?: SortOrder<AssetSortColumn>;
}

/** Assets, each with its `asset_active` row when some DAG declares it. */
function assetsWithActivity(db: Db) {
  return db
    .selectFrom('asset')
    .leftJoin('asset_active as active', (join) =>
      join.onRef('active.name', '=', 'asset.name').onRef('active.uri', '=', 'asset.uri'),
    );
}

export async function listAssets(db: Db, filter: AssetListFilter): Promise<PageOf<AssetRecord>> {
  let query = assetsWithActivity(db);
  if (filter.onlyActive) query = query.where('active.name', 'is not', null);
  if (filter.namePattern) query = query.where(containsIgnoringCase('asset.name', filter.namePattern));
  if (filter.uriPattern) query = query.where(containsIgnoringCase('asset.uri', filter.uriPattern));

  const counted = await query.select((eb) => eb.fn.countAll().as('count')).executeTakeFirstOrThrow();
  const order = filter.order ?? { column: 'id', descending: false };
  const direction = order.descending ? 'desc' : 'asc';
  const rows = await query
    .selectAll('asset')
    .select('active.name as active_name')
    .orderBy(`asset.${order.column}`, direction)
    .orderBy('asset.id', direction)
    .limit(filter.limit)
    .offset(filter.offset)
    .execute();
  return { items: rows.map(toAssetRecord), totalEntries: Number(counted.count) };
}

export async function findAsset(db: Db, assetId: number): Promise<AssetRecord | undefined> {
  const row = await assetsWithActivity(db)
    .selectAll('asset')
    .select('active.name as active_name')
    .where('asset.id', '=', assetId)
    .executeTakeFirst();
  return row ? toAssetRecord(row) : undefined;
}

/** The newest event of each asset that has one. */
export async function findLatestAssetEvents(
  db: Db,
  assetIds: readonly number[],
): Promise<Map<number, { readonly id: number; readonly createdAt: number }>> {
  if (assetIds.length === 0) return new Map();
  const rows = await db
    .selectFrom('asset_event')
    .select(['id', 'asset_id', 'created_at'])
    .where('id', 'in', (eb) =>
      eb
        .selectFrom('asset_event')
        .select((inner) => inner.fn.max('id').as('id'))
        .where('asset_id', 'in', [...assetIds])
        .groupBy('asset_id'),
    )
    .execute();
  return new Map(rows.map((row) => [Number(row.asset_id), { id: Number(row.id), createdAt: row.created_at }]));
}

export interface AssetEventRecord {
  readonly id: number;
  readonly assetId: number;
  readonly assetName: string;
  readonly assetUri: string;
  readonly sourceDagId: string | null;
  readonly sourceRunId: string | null;
  readonly sourceTaskId: string | null;
  readonly sourceMapIndex: number | null;
  readonly sourceKind: 'task' | 'api' | 'watcher';
  readonly sourceTryNumber: number | null;
  readonly sourceUser: string | null;
  readonly sourceWatcher: string | null;
  readonly extra: Record<string, unknown>;
  readonly createdAt: number;
}

export type AssetEventSortColumn = 'id' | 'created_at' | 'asset_id' | 'source_dag_id';

export interface AssetEventListFilter extends Page {
  readonly assetId?: number;
  readonly sourceDagId?: string;
  readonly sourceRunId?: string;
  readonly sourceTaskId?: string;
  readonly sourceMapIndex?: number;
  readonly createdAtGte?: number;
  readonly createdAtLte?: number;
  /** Default: newest first. Ties by id in the same direction; nulls last. */
  readonly order?: SortOrder<AssetEventSortColumn>;
}

export async function listAssetEvents(db: Db, filter: AssetEventListFilter): Promise<PageOf<AssetEventRecord>> {
  let query = db.selectFrom('asset_event').innerJoin('asset', 'asset.id', 'asset_event.asset_id');
  if (filter.assetId !== undefined) query = query.where('asset_event.asset_id', '=', filter.assetId);
  if (filter.sourceDagId !== undefined) query = query.where('asset_event.source_dag_id', '=', filter.sourceDagId);
  if (filter.sourceRunId !== undefined) query = query.where('asset_event.source_run_id', '=', filter.sourceRunId);
  if (filter.sourceTaskId !== undefined) query = query.where('asset_event.source_task_id', '=', filter.sourceTaskId);
  if (filter.sourceMapIndex !== undefined) {
    query = query.where('asset_event.source_map_index', '=', filter.sourceMapIndex);
  }
  if (filter.createdAtGte !== undefined) query = query.where('asset_event.created_at', '>=', filter.createdAtGte);
  if (filter.createdAtLte !== undefined) query = query.where('asset_event.created_at', '<=', filter.createdAtLte);

  const counted = await query.select((eb) => eb.fn.countAll().as('count')).executeTakeFirstOrThrow();
  const order = filter.order ?? { column: 'created_at', descending: true };
  const direction = order.descending ? 'desc' : 'asc';
  const rows = await query
    .selectAll('asset_event')
    .select(['asset.name as asset_name', 'asset.uri as asset_uri'])
    .orderBy(sql`${sql.ref(`asset_event.${order.column}`)} is null`)
    .orderBy(`asset_event.${order.column}`, direction)
    .orderBy('asset_event.id', direction)
    .limit(filter.limit)
    .offset(filter.offset)
    .execute();
  return { items: rows.map(assetEventRecordOf), totalEntries: Number(counted.count) };
}

type AssetEventRow = Selectable<AssetEventTable> & { asset_name: string; asset_uri: string };

function assetEventRecordOf(row: AssetEventRow): AssetEventRecord {
  return {
    id: Number(row.id),
    assetId: Number(row.asset_id),
    assetName: row.asset_name,
    assetUri: row.asset_uri,
    sourceDagId: row.source_dag_id,
    sourceRunId: row.source_run_id,
    sourceTaskId: row.source_task_id,
    sourceMapIndex: row.source_map_index,
    sourceKind: row.source_kind === 'api' || row.source_kind === 'watcher' ? row.source_kind : 'task',
    sourceTryNumber: row.source_try_number,
    sourceUser: row.source_user,
    sourceWatcher: row.source_watcher,
    extra: parseObject(row.extra),
    createdAt: Number(row.created_at),
  };
}

/** One event, by id. */
export async function findAssetEvent(db: Db, eventId: number): Promise<AssetEventRecord | undefined> {
  const row = await db
    .selectFrom('asset_event')
    .innerJoin('asset', 'asset.id', 'asset_event.asset_id')
    .selectAll('asset_event')
    .select(['asset.name as asset_name', 'asset.uri as asset_uri'])
    .where('asset_event.id', '=', eventId)
    .executeTakeFirst();
  return row ? assetEventRecordOf(row) : undefined;
}

/** The events that triggered a run, oldest first. */
export async function listRunAssetEvents(db: Db, dagRunId: number): Promise<AssetEventRecord[]> {
  const rows = await db
    .selectFrom('dag_run_asset_event')
    .innerJoin('asset_event', 'asset_event.id', 'dag_run_asset_event.asset_event_id')
    .innerJoin('asset', 'asset.id', 'asset_event.asset_id')
    .selectAll('asset_event')
    .select(['asset.name as asset_name', 'asset.uri as asset_uri'])
    .where('dag_run_asset_event.dag_run_id', '=', dagRunId)
    .orderBy('asset_event.id')
    .execute();
  return rows.map(assetEventRecordOf);
}

export interface QueuedAssetEvent {
  readonly assetId: number;
  readonly assetName: string;
  readonly assetUri: string;
  readonly assetEventId: number;
  readonly createdAt: number;
}

/** The events queued for a DAG, oldest first. */
export async function listQueuedAssetEvents(db: Db, dagId: string): Promise<QueuedAssetEvent[]> {
  const rows = await db
    .selectFrom('asset_event_queue')
    .innerJoin('asset_event', 'asset_event.id', 'asset_event_queue.asset_event_id')
    .innerJoin('asset', 'asset.id', 'asset_event.asset_id')
    .select([
      'asset.id as asset_id',
      'asset.name as asset_name',
      'asset.uri as asset_uri',
      'asset_event.id as asset_event_id',
      'asset_event_queue.created_at as created_at',
    ])
    .where('asset_event_queue.dag_id', '=', dagId)
    .orderBy('asset_event.id')
    .execute();
  return rows.map((row) => ({
    assetId: Number(row.asset_id),
    assetName: row.asset_name,
    assetUri: row.asset_uri,
    assetEventId: Number(row.asset_event_id),
    createdAt: Number(row.created_at),
  }));
}

interface AssetRow {
  readonly id: number;
  readonly name: string;
  readonly uri: string;
  readonly group: string;
  readonly extra: string;
  readonly created_at: number;
  readonly updated_at: number;
  readonly active_name: string | null;
}

function toAssetRecord(row: AssetRow): AssetRecord {
  return {
    id: Number(row.id),
    name: row.name,
    uri: row.uri,
    group: row.group,
    extra: parseObject(row.extra),
    createdAt: row.created_at,
    updatedAt: row.updated_at,
    active: row.active_name !== null,
  };
}

function parseObject(json: string): Record<string, unknown> {
  const value: unknown = JSON.parse(json);
  return typeof value === 'object' && value !== null && !Array.isArray(value) ? (value as Record<string, unknown>) : {};
}
