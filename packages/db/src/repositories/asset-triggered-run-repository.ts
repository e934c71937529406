import { assetConditionHolds, assetIdentity, parseStoredDag, type SerializedDag } from '@tidemark/core';
import type { DialectName } from '../dialect/database-url.ts';
import type { Db, MetadataDatabase } from '../open-database.ts';
import { inWriteTransaction } from '../write-transaction.ts';
import { type CreatedDagRun, insertRunWithTaskInstances } from './dag-run-repository.ts';

/** Active, unpaused DAGs with at least one queued asset event: candidates for a run. */
export async function listDagsWithQueuedEvents(db: Db): Promise<string[]> {
  const rows = await db
    .selectFrom('asset_event_queue')
    .innerJoin('dag', 'dag.dag_id', 'asset_event_queue.dag_id')
    .select('dag.dag_id')
    .distinct()
    .where('dag.is_paused', '=', 0)
    .where('dag.is_active', '=', 1)
    .orderBy('dag.dag_id')
    .execute();
  return rows.map((row) => row.dag_id);
}

/**
 * SPEC §15.1: if the DAG's asset condition holds over its queued events, creates one run
 * (`asset_triggered`), links the events to it and removes them from the queue, all in one
 * transaction. The DAG's row is locked first (PostgreSQL: SKIP LOCKED, so another scheduler moves
 * on to other DAGs), so one set of events never makes two runs. Returns the run, or null.
 */
export async function createAssetTriggeredRun(
  database: MetadataDatabase,
  dagId: string,
  now: number,
): Promise<CreatedDagRun | null> {
  return inWriteTransaction(database, async (trx) => {
    const dag = await lockSchedulableDag(trx, database.dialect, dagId);
    if (!dag?.assetCondition) return null;
    const queued = await queuedEventsOf(trx, dagId);
    const assetsWithEvents = new Set(queued.map((event) => assetIdentity(event)));
    if (!assetConditionHolds(dag.assetCondition, assetsWithEvents)) return null;
    const run = await insertRunWithTaskInstances(
      trx,
      dag,
      { dagId, runId: `asset_triggered__${new Date(now).toISOString()}`, runType: 'asset_triggered', logicalDate: now },
      now,
      true,
    );
    const eventIds = queued.map((event) => event.eventId);
    await trx
      .insertInto('dag_run_asset_event')
      .values(eventIds.map((eventId) => ({ dag_run_id: run.dagRunId, asset_event_id: eventId })))
      .execute();
    await trx
      .deleteFrom('asset_event_queue')
      .where('dag_id', '=', dagId)
      .where('asset_event_id', 'in', eventIds)
      .execute();
    return run;
  });
}

async function lockSchedulableDag(trx: Db, dialect: DialectName, dagId: string): Promise<SerializedDag | undefined> {
  const query = trx
    .selectFrom('dag')
    .select('serialized')
    .where('dag_id', '=', dagId)
    .where('is_paused', '=', 0)
    .where('is_active', '=', 1);
  const row = await (dialect === 'postgres' ? query.forUpdate().skipLocked() : query).executeTakeFirst();
  return row?.serialized ? parseStoredDag(row.serialized, dagId) : undefined;
}

interface QueuedEvent {
  readonly eventId: number;
  readonly name: string;
  readonly uri: string;
}

async function queuedEventsOf(trx: Db, dagId: string): Promise<QueuedEvent[]> {
  const rows = await trx
    .selectFrom('asset_event_queue')
    .innerJoin('asset_event', 'asset_event.id', 'asset_event_queue.asset_event_id')
    .innerJoin('asset', 'asset.id', 'asset_event.asset_id')
    .select(['asset_event.id as eventId', 'asset.name as name', 'asset.uri as uri'])
    .where('asset_event_queue.dag_id', '=', dagId)
    .orderBy('asset_event.id')
    .execute();
  return rows.map((row) => ({ ...row, eventId: Number(row.eventId) }));
}
