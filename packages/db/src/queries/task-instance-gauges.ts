import type { TaskInstanceState } from '@tidemark/core';
import { sql } from 'kysely';
import type { Db } from '../open-database.ts';

/** Read at scrape time by the api-server's metrics (README "Observability"); never written. */

/**
 * TIs that wait for or hold a worker slot, and deferred ones (waiting on a triggerer, SPEC §16),
 * counted by state (a state with none is absent).
 */
export const GAUGED_TI_STATES = [
  'scheduled',
  'queued',
  'running',
  'deferred',
  'up_for_retry',
] as const satisfies readonly TaskInstanceState[];

export async function countUnfinishedTaskInstances(
  db: Db,
): Promise<Partial<Record<(typeof GAUGED_TI_STATES)[number], number>>> {
  const rows = await db
    .selectFrom('task_instance')
    .select(['state', sql<number>`count(*)`.as('count')])
    .where('state', 'in', [...GAUGED_TI_STATES])
    .groupBy('state')
    .execute();
  return Object.fromEntries(rows.map((row) => [row.state, Number(row.count)]));
}

/** The oldest heartbeat of a running TI (epoch ms; its start when it has not beaten yet); undefined: none running. */
export async function oldestRunningHeartbeat(db: Db): Promise<number | undefined> {
  const row = await db
    .selectFrom('task_instance')
    .select(sql<number | null>`min(coalesce(heartbeat_at, start_date))`.as('oldest'))
    .where('state', '=', 'running')
    .executeTakeFirst();
  return row?.oldest === null || row?.oldest === undefined ? undefined : Number(row.oldest);
}
