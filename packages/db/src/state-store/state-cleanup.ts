import type { StateCleanupRemoval, StateCleanupReport } from '@tidemark/core';
import { type RawBuilder, type SqlBool, sql } from 'kysely';
import type { Db, MetadataDatabase } from '../open-database.ts';
import type { TaskStateRow } from '../schema/database-schema.ts';

export interface CleanupRun {
  readonly now: number;
  readonly historyDepth: number;
  readonly batchSize: number;
  readonly dryRun: boolean;
  readonly onProgress?: ((progress: StateCleanupReport) => void) | undefined;
  readonly onRemoved?: ((removed: StateCleanupRemoval) => void) | undefined;
  readonly signal?: AbortSignal | undefined;
}

type Category = StateCleanupRemoval['category'];

/**
 * SPEC §6: removes expired task state (and expired DAG state, SPEC §17), the state (and history) of
 * assets no DAG declares any more, and history beyond the kept depth. Every batch selects at most `batchSize` rows by key range and
 * deletes them in one short statement, so a concurrent writer waits for one batch at most. A dry
 * run walks the same batches and deletes nothing.
 */
export async function cleanupState(database: MetadataDatabase, run: CleanupRun): Promise<StateCleanupReport> {
  const tally = new CleanupTally(run);
  await sweepExpiredState(database.db, run, tally, EXPIRED_TASK_STATE);
  await sweepExpiredState(database.db, run, tally, EXPIRED_DAG_STATE);
  await sweepOrphanedAssetState(database.db, run, tally);
  await sweepOrphanedAssetHistory(database.db, run, tally);
  await sweepHistoryBeyondDepth(database.db, run, tally);
  return tally.report;
}

/** How many rows a cleanup would remove now: the total of a progress bar. */
export async function countStateGarbage(
  database: MetadataDatabase,
  at: { readonly now: number; readonly historyDepth: number },
): Promise<number> {
  const { db } = database;
  const count = async (query: { executeTakeFirstOrThrow(): Promise<{ count: unknown }> }) =>
    Number((await query.executeTakeFirstOrThrow()).count);
  let expired = 0;
  for (const table of ['task_state', 'dag_state'] as const) {
    expired += await count(
      db
        .selectFrom(table)
        .select((eb) => eb.fn.countAll().as('count'))
        .where(isExpired(at.now)),
    );
  }
  const orphaned = await count(
    db
      .selectFrom('asset_state')
      .select((eb) => eb.fn.countAll().as('count'))
      .where(sql<SqlBool>`asset_id in (${inactiveAssetIds()})`),
  );
  const history = await count(
    db
      .selectFrom('state_history as h')
      .select((eb) => eb.fn.countAll().as('count'))
      .where(sql<SqlBool>`h.asset_id in (${inactiveAssetIds()}) or ${beyondDepth(at.historyDepth)}`),
  );
  return expired + orphaned + history;
}

/** Counts, reports progress after every batch, and lists removed rows when someone listens. */
class CleanupTally {
  report: StateCleanupReport;
  readonly #run: CleanupRun;

  constructor(run: CleanupRun) {
    this.#run = run;
    this.report = {
      dryRun: run.dryRun,
      expiredTaskState: 0,
      expiredDagState: 0,
      orphanedAssetState: 0,
      trimmedHistory: 0,
    };
  }

  add(category: Category, removed: readonly Described[]): void {
    if (removed.length === 0) return;
    this.report = { ...this.report, [category]: (this.report[category] ?? 0) + removed.length };
    this.#run.onRemoved?.({ category, items: removed.map((row) => row.describe()) });
    this.#run.onProgress?.(this.report);
  }
}

interface Described {
  readonly id: number;
  readonly describe: () => string;
}

/** Deletes the selected rows that still match `stillGarbage`; returns those it deleted. */
async function removeRows<T extends Described>(
  db: Db,
  table: 'task_state' | 'asset_state' | 'state_history',
  rows: readonly T[],
  stillGarbage: RawBuilder<SqlBool> | undefined,
): Promise<T[]> {
  if (rows.length === 0) return [];
  let query = db.deleteFrom(table).where(
    'id',
    'in',
    rows.map((row) => row.id),
  );
  if (stillGarbage) query = query.where(stillGarbage);
  const deleted = new Set((await query.returning('id').execute()).map((row) => Number(row.id)));
  return rows.filter((row) => deleted.has(row.id));
}

/** One selected batch: deleted (what still is garbage), or on a dry run only counted and listed. */
async function removeBatch<T extends Described>(
  db: Db,
  run: CleanupRun,
  tally: CleanupTally,
  category: Category,
  table: 'task_state' | 'asset_state' | 'state_history',
  rows: readonly T[],
  stillGarbage?: RawBuilder<SqlBool>,
): Promise<void> {
  tally.add(category, run.dryRun ? rows : await removeRows(db, table, rows, stillGarbage));
}

/**
 * Between batches: stop if asked, and let the event loop run. SQLite's driver is synchronous, so
 * without this a pass would starve timers and requests of the same process until it ends.
 */
async function beforeBatch(run: CleanupRun): Promise<void> {
  run.signal?.throwIfAborted();
  await new Promise<void>((resolve) => setImmediate(resolve));
  run.signal?.throwIfAborted();
}

function isExpired(now: number) {
  return sql<SqlBool>`expires_at is not null and expires_at <= ${now}`;
}

type ExpiringColumn = 'id' | 'expires_at' | 'dag_id' | 'run_id' | 'task_id' | 'map_index' | 'item_key' | 'key';
type ExpiringRow = { [column in ExpiringColumn]: column extends 'id' | 'expires_at' | 'map_index' ? number : string };

/** One table whose rows expire: task state, and DAG state written with a retention. */
interface ExpiringState {
  readonly table: 'task_state' | 'dag_state';
  readonly category: 'expiredTaskState' | 'expiredDagState';
  /** The columns `describe` reads (the cursor columns come first). */
  readonly described: readonly ExpiringColumn[];
  describe(row: Pick<ExpiringRow, ExpiringColumn>): string;
}

const EXPIRY_CURSOR: readonly ExpiringColumn[] = ['id', 'expires_at'];

const EXPIRED_TASK_STATE: ExpiringState = {
  table: 'task_state',
  category: 'expiredTaskState',
  described: [...EXPIRY_CURSOR, 'dag_id', 'run_id', 'task_id', 'map_index', 'item_key', 'key'],
  describe: (row) => `task state ${taskPath(row)} key ${JSON.stringify(row.key)}`,
};

const EXPIRED_DAG_STATE: ExpiringState = {
  table: 'dag_state',
  category: 'expiredDagState',
  described: [...EXPIRY_CURSOR, 'dag_id', 'key'],
  describe: (row) => `DAG state of ${JSON.stringify(row.dag_id)} key ${JSON.stringify(row.key)}`,
};

/**
 * Walks the expired rows in (expires_at, id) order on the partial index of that pair; each batch
 * starts after the last row of the one before, so PostgreSQL never re-reads the index entries of
 * rows already deleted. A batch is one `DELETE … WHERE id IN (next batch) RETURNING`; it re-checks
 * the expiry, so a key that a task rewrote meanwhile stays.
 */
async function sweepExpiredState(db: Db, run: CleanupRun, tally: CleanupTally, state: ExpiringState): Promise<void> {
  // Both tables have the columns read here (DAG state only the cursor, dag_id and key); typed as the first.
  const table = state.table as 'task_state';
  let after: { expiresAt: number; id: number } | undefined;
  for (;;) {
    await beforeBatch(run);
    let batch = db
      .selectFrom(table)
      .select('id')
      .where(isExpired(run.now))
      .orderBy('expires_at')
      .orderBy('id')
      .limit(run.batchSize);
    if (after) batch = batch.where(sql<SqlBool>`(expires_at, id) > (${after.expiresAt}, ${after.id})`);
    // Describing columns only for a listing: returning them costs a third of the batch's time.
    const columns = (run.onRemoved ? state.described : EXPIRY_CURSOR) as readonly (keyof TaskStateRow)[];
    const rows = (run.dryRun
      ? await batch.clearSelect().select(columns).execute()
      : await db
          .deleteFrom(table)
          .where('id', 'in', batch)
          .where(isExpired(run.now))
          .returning(columns)
          .execute()) as unknown as ExpiringRow[];
    tally.add(
      state.category,
      rows.map((row) => ({ id: Number(row.id), describe: () => state.describe(row) })),
    );
    if (rows.length < run.batchSize) return;
    const last = rows.reduce((max, row) =>
      Number(row.expires_at) > Number(max.expires_at) ||
      (Number(row.expires_at) === Number(max.expires_at) && Number(row.id) > Number(max.id))
        ? row
        : max,
    );
    after = { expiresAt: Number(last.expires_at), id: Number(last.id) };
  }
}

async function sweepOrphanedAssetState(db: Db, run: CleanupRun, tally: CleanupTally): Promise<void> {
  const ofInactiveAsset = sql<SqlBool>`asset_id in (${inactiveAssetIds()})`;
  let afterId = 0;
  for (;;) {
    await beforeBatch(run);
    const rows = await db
      .selectFrom('asset_state')
      .innerJoin('asset', 'asset.id', 'asset_state.asset_id')
      .select(['asset_state.id', 'asset_state.key', 'asset.name'])
      .where(sql<SqlBool>`asset_state.asset_id in (${inactiveAssetIds()})`)
      .where('asset_state.id', '>', afterId)
      .orderBy('asset_state.id')
      .limit(run.batchSize)
      .execute();
    const batch = rows.map((row) => ({
      id: Number(row.id),
      describe: () => `asset state of ${JSON.stringify(row.name)} key ${JSON.stringify(row.key)}`,
    }));
    await removeBatch(db, run, tally, 'orphanedAssetState', 'asset_state', batch, ofInactiveAsset);
    const last = rows.at(-1);
    if (!last || rows.length < run.batchSize) return;
    afterId = Number(last.id);
  }
}

async function sweepOrphanedAssetHistory(db: Db, run: CleanupRun, tally: CleanupTally): Promise<void> {
  const ofInactiveAsset = sql<SqlBool>`asset_id in (${inactiveAssetIds()})`;
  let afterId = 0;
  for (;;) {
    await beforeBatch(run);
    const rows = await db
      .selectFrom('state_history')
      .innerJoin('asset', 'asset.id', 'state_history.asset_id')
      .select(['state_history.id', 'state_history.key', 'state_history.version', 'asset.name'])
      .where(sql<SqlBool>`state_history.asset_id in (${inactiveAssetIds()})`)
      .where('state_history.id', '>', afterId)
      .orderBy('state_history.id')
      .limit(run.batchSize)
      .execute();
    const batch = rows.map((row) => ({
      id: Number(row.id),
      describe: () =>
        `history of asset state of ${JSON.stringify(row.name)} key ${JSON.stringify(row.key)} version ${row.version}`,
    }));
    await removeBatch(db, run, tally, 'trimmedHistory', 'state_history', batch, ofInactiveAsset);
    const last = rows.at(-1);
    if (!last || rows.length < run.batchSize) return;
    afterId = Number(last.id);
  }
}

/**
 * History rows beyond the depth exist only after the depth was lowered (every write trims its own
 * key). They are found window by window along the primary key, `batchSize` rows per window, so no
 * batch reads the whole table.
 */
async function sweepHistoryBeyondDepth(db: Db, run: CleanupRun, tally: CleanupTally): Promise<void> {
  let afterId = 0;
  for (;;) {
    await beforeBatch(run);
    const window = await db
      .selectFrom('state_history')
      .select('id')
      .where('id', '>', afterId)
      .orderBy('id')
      .offset(run.batchSize - 1)
      .limit(1)
      .executeTakeFirst();
    const lastId = window ? Number(window.id) : undefined;
    let query = db
      .selectFrom('state_history as h')
      .leftJoin('dag_run', 'dag_run.id', 'h.dag_run_id')
      .leftJoin('asset', 'asset.id', 'h.asset_id')
      .select([
        'h.id',
        'h.key',
        'h.version',
        'h.task_id',
        'h.map_index',
        'h.item_key',
        'dag_run.dag_id',
        'dag_run.run_id',
      ])
      .select(['asset.name as asset_name', 'h.dag_id as state_dag_id'])
      .where('h.id', '>', afterId)
      .where(beyondDepth(run.historyDepth));
    if (lastId !== undefined) query = query.where('h.id', '<=', lastId);
    const rows = await query.orderBy('h.id').execute();
    const batch = rows.map((row) => ({
      id: Number(row.id),
      describe: () => {
        const owner =
          row.asset_name !== null
            ? `asset state of ${JSON.stringify(row.asset_name)}`
            : row.state_dag_id !== null
              ? `DAG state of ${JSON.stringify(row.state_dag_id)}`
              : `task state ${taskPath({ dag_id: row.dag_id ?? '?', run_id: row.run_id ?? '?', task_id: row.task_id ?? '?', map_index: row.map_index ?? -1, item_key: row.item_key })}`;
        return `history of ${owner} key ${JSON.stringify(row.key)} version ${row.version}`;
      },
    }));
    await removeBatch(db, run, tally, 'trimmedHistory', 'state_history', batch);
    if (lastId === undefined) return;
    afterId = lastId;
  }
}

/** `h` is beyond the depth when its key has a version at least `depth` newer (depth 0: every row). */
function beyondDepth(depth: number) {
  return sql<SqlBool>`(
    (h.dag_run_id is not null and h.item_key is null and exists (
      select 1 from state_history newer
      where newer.dag_run_id = h.dag_run_id and newer.task_id = h.task_id and newer.map_index = h.map_index
        and newer.item_key is null and newer.key = h.key and newer.version >= h.version + ${depth}))
    or (h.item_key is not null and exists (
      select 1 from state_history newer
      where newer.dag_run_id = h.dag_run_id and newer.task_id = h.task_id and newer.item_key = h.item_key
        and newer.key = h.key and newer.version >= h.version + ${depth}))
    or (h.asset_id is not null and exists (
      select 1 from state_history newer
      where newer.asset_id = h.asset_id and newer.key = h.key and newer.version >= h.version + ${depth}))
    or (h.dag_id is not null and exists (
      select 1 from state_history newer
      where newer.dag_id = h.dag_id and newer.key = h.key and newer.version >= h.version + ${depth})))`;
}

function inactiveAssetIds() {
  return sql`select asset.id from asset where not exists (
    select 1 from asset_active where asset_active.name = asset.name and asset_active.uri = asset.uri)`;
}

function taskPath(row: {
  dag_id: string;
  run_id: string;
  task_id: string;
  map_index: number;
  item_key?: string | null;
}): string {
  const mapped =
    row.item_key !== null && row.item_key !== undefined
      ? `{${JSON.stringify(row.item_key)}}`
      : row.map_index >= 0
        ? `[${row.map_index}]`
        : '';
  return `${row.dag_id}/${row.run_id}/${row.task_id}${mapped}`;
}
