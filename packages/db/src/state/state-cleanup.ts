import type { StateCleanupReport } from '@tidemark/core';
import { type Expression, type SqlBool, sql } from 'kysely';
import type { Db, MetadataDatabase } from '../open-database.ts';

export interface CleanupRun {
  readonly now: number;
  readonly historyDepth: number;
  readonly batchSize: number;
  readonly dryRun: boolean;
  readonly onProgress?: ((progress: StateCleanupReport) => void) | undefined;
}

type Table = 'task_state' | 'asset_state' | 'state_history';

/**
 * SPEC §6: removes expired task state, the state (and history) of assets no DAG declares any more,
 * and history beyond the kept depth. Each batch is one short statement, so writers wait at most
 * one batch. A dry run counts and changes nothing.
 */
export async function cleanupState(database: MetadataDatabase, run: CleanupRun): Promise<StateCleanupReport> {
  const { db } = database;
  let report: StateCleanupReport = {
    dryRun: run.dryRun,
    expiredTaskState: 0,
    orphanedAssetState: 0,
    trimmedHistory: 0,
  };
  const progress = (patch: Partial<StateCleanupReport>) => {
    report = { ...report, ...patch };
    run.onProgress?.(report);
  };

  const expired = sql<SqlBool>`expires_at is not null and expires_at <= ${run.now}`;
  await removeInBatches(db, 'task_state', expired, run, (n) =>
    progress({ expiredTaskState: report.expiredTaskState + n }),
  );

  const ofInactiveAsset = sql<SqlBool>`asset_id in (${inactiveAssetIds()})`;
  await removeInBatches(db, 'asset_state', ofInactiveAsset, run, (n) =>
    progress({ orphanedAssetState: report.orphanedAssetState + n }),
  );
  await removeInBatches(db, 'state_history', ofInactiveAsset, run, (n) =>
    progress({ trimmedHistory: report.trimmedHistory + n }),
  );

  const beyondDepth = sql<SqlBool>`id in (${historyBeyondDepth(run.historyDepth)})`;
  await removeInBatches(db, 'state_history', beyondDepth, run, (n) =>
    progress({ trimmedHistory: report.trimmedHistory + n }),
  );
  return report;
}

async function removeInBatches(
  db: Db,
  table: Table,
  condition: Expression<SqlBool>,
  run: CleanupRun,
  removed: (count: number) => void,
): Promise<void> {
  if (run.dryRun) {
    const row = await db
      .selectFrom(table)
      .select((eb) => eb.fn.countAll<number>().as('count'))
      .where(condition)
      .executeTakeFirstOrThrow();
    if (Number(row.count) > 0) removed(Number(row.count));
    return;
  }
  for (;;) {
    const result = await db
      .deleteFrom(table)
      .where('id', 'in', (eb) => eb.selectFrom(table).select('id').where(condition).limit(run.batchSize))
      .executeTakeFirst();
    const count = Number(result.numDeletedRows);
    if (count > 0) removed(count);
    if (count < run.batchSize) return;
  }
}

function inactiveAssetIds() {
  return sql`select asset.id from asset where not exists (
    select 1 from asset_active where asset_active.name = asset.name and asset_active.uri = asset.uri)`;
}

function historyBeyondDepth(depth: number) {
  return sql`select id from (
    select id, row_number() over (
      partition by dag_run_id, task_id, map_index, asset_id, key order by version desc) as position
    from state_history) ranked
  where position > ${depth}`;
}
