import type { Db } from '../open-database.ts';

/** A watcher as the active DAGs declare it, resolved to its asset's id (SPEC §15.3). */
export interface DeclaredWatcher {
  readonly assetId: number;
  readonly name: string;
  /** The DAG that owns it (first by fileloc among those declaring it) and its file. */
  readonly dagId: string;
  readonly fileloc: string;
  readonly everyMs: number;
}

/** How many watchers the pass created, changed (or reactivated) and deactivated. */
export interface WatcherSyncResult {
  readonly created: number;
  readonly updated: number;
  readonly deactivated: number;
}

/**
 * Makes `asset_watcher` say what the active DAGs declare, in the caller's transaction (the DAG
 * processor's): new watchers are inserted, changed ones updated (owner DAG, file, interval) and
 * reactivated, and watchers no active DAG declares any more become inactive. Rows are never
 * deleted, and the lease and status columns are left as they are, so a re-parse loses nothing.
 */
export async function syncAssetWatchers(
  db: Db,
  declared: readonly DeclaredWatcher[],
  now: number,
): Promise<WatcherSyncResult> {
  const stored = new Map((await listStoredWatchers(db)).map((row) => [watcherKey(row.asset_id, row.name), row]));
  const declaredKeys = new Set<string>();
  let created = 0;
  let updated = 0;
  for (const watcher of declared) {
    const key = watcherKey(watcher.assetId, watcher.name);
    declaredKeys.add(key);
    const row = stored.get(key);
    if (!row) {
      await insertWatcher(db, watcher, now);
      created++;
    } else if (differs(row, watcher)) {
      await updateDeclaredWatcher(db, row.id, watcher, now);
      updated++;
    }
  }
  const undeclared = [...stored.values()].filter(
    (row) => row.active === 1 && !declaredKeys.has(watcherKey(row.asset_id, row.name)),
  );
  await deactivateWatchers(
    db,
    undeclared.map((row) => row.id),
    now,
  );
  return { created, updated, deactivated: undeclared.length };
}

function listStoredWatchers(db: Db) {
  return db
    .selectFrom('asset_watcher')
    .select(['id', 'asset_id', 'name', 'dag_id', 'fileloc', 'every_ms', 'active'])
    .execute();
}

type StoredWatcher = Awaited<ReturnType<typeof listStoredWatchers>>[number];

function watcherKey(assetId: number, name: string): string {
  return `${Number(assetId)}\n${name}`;
}

function differs(row: StoredWatcher, watcher: DeclaredWatcher): boolean {
  return (
    row.active !== 1 ||
    row.dag_id !== watcher.dagId ||
    row.fileloc !== watcher.fileloc ||
    Number(row.every_ms) !== watcher.everyMs
  );
}

async function insertWatcher(db: Db, watcher: DeclaredWatcher, now: number): Promise<void> {
  await db
    .insertInto('asset_watcher')
    .values({
      asset_id: watcher.assetId,
      name: watcher.name,
      dag_id: watcher.dagId,
      fileloc: watcher.fileloc,
      every_ms: watcher.everyMs,
      active: 1,
      created_at: now,
      updated_at: now,
    })
    .execute();
}

/** The declaration changed (another owner DAG or file, another interval) or came back: active again. */
async function updateDeclaredWatcher(db: Db, id: number, watcher: DeclaredWatcher, now: number): Promise<void> {
  await db
    .updateTable('asset_watcher')
    .set({ dag_id: watcher.dagId, fileloc: watcher.fileloc, every_ms: watcher.everyMs, active: 1, updated_at: now })
    .where('id', '=', id)
    .execute();
}

/** No active DAG declares them: they stay, with their status, but no triggerer leases them. */
async function deactivateWatchers(db: Db, ids: readonly number[], now: number): Promise<void> {
  if (ids.length === 0) return;
  await db
    .updateTable('asset_watcher')
    .set({ active: 0, updated_at: now })
    .where('id', 'in', [...ids])
    .execute();
}
