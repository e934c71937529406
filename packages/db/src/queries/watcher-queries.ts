import type { WatcherStatus } from '@tidemark/core';
import { sql } from 'kysely';
import type { Db } from '../open-database.ts';
import type { Page, PageOf } from './dag-queries.ts';

/** Read models of asset watchers for the public API and the CLI (SPEC §15.3). */

export interface WatcherRecord {
  readonly id: number;
  readonly name: string;
  readonly assetId: number;
  readonly assetName: string;
  readonly assetUri: string;
  readonly dagId: string;
  readonly everyMs: number;
  readonly status: WatcherStatus;
  /** hostname:pid of the triggerer holding an unexpired lease, else null. */
  readonly triggerer: string | null;
  readonly leaseExpiresAt: number | null;
  readonly lastPollAt: number | null;
  readonly lastEventAt: number | null;
  readonly eventCount: number;
  readonly lastError: string | null;
  readonly lastErrorAt: number | null;
  readonly failureCount: number;
  readonly nextPollAt: number | null;
}

export interface WatcherListFilter extends Page {
  readonly status?: WatcherStatus;
  readonly dagId?: string;
  readonly assetId?: number;
  /** Statuses depend on the time (leases and backoffs expire). */
  readonly now: number;
}

/**
 * `inactive`: the watcher, or the DAG declaring it, is not active, or that DAG is paused;
 * `backing_off`: its last poll failed and the backoff is not over; `running`: a triggerer holds an
 * unexpired lease; `waiting`: none does. One SQL expression, so that filters and pages agree.
 */
function statusOf(now: number) {
  return sql<WatcherStatus>`case
    when asset_watcher.active = 0 or dag.is_active = 0 or dag.is_paused = 1 then 'inactive'
    when asset_watcher.failure_count > 0 and asset_watcher.next_poll_at > ${now} then 'backing_off'
    when asset_watcher.lease_owner is not null and asset_watcher.lease_expires_at > ${now} then 'running'
    else 'waiting' end`;
}

/** Watchers matching the filter, by asset name, then name; one page of them. */
export async function listWatchers(db: Db, filter: WatcherListFilter): Promise<PageOf<WatcherRecord>> {
  let query = db
    .selectFrom('asset_watcher')
    .innerJoin('asset', 'asset.id', 'asset_watcher.asset_id')
    .innerJoin('dag', 'dag.dag_id', 'asset_watcher.dag_id');
  if (filter.status !== undefined) query = query.where(statusOf(filter.now), '=', filter.status);
  if (filter.dagId !== undefined) query = query.where('asset_watcher.dag_id', '=', filter.dagId);
  if (filter.assetId !== undefined) query = query.where('asset_watcher.asset_id', '=', filter.assetId);

  const counted = await query.select((eb) => eb.fn.countAll().as('count')).executeTakeFirstOrThrow();
  const rows = await query
    .selectAll('asset_watcher')
    .select(['asset.name as asset_name', 'asset.uri as asset_uri', statusOf(filter.now).as('status')])
    .orderBy('asset.name')
    .orderBy('asset_watcher.name')
    .orderBy('asset_watcher.id')
    .limit(filter.limit)
    .offset(filter.offset)
    .execute();
  return {
    items: rows.map((row) => {
      const leased = row.lease_owner !== null && row.lease_expires_at !== null && row.lease_expires_at > filter.now;
      return {
        id: Number(row.id),
        name: row.name,
        assetId: Number(row.asset_id),
        assetName: row.asset_name,
        assetUri: row.asset_uri,
        dagId: row.dag_id,
        everyMs: Number(row.every_ms),
        status: row.status,
        triggerer: leased ? row.lease_hostname : null,
        leaseExpiresAt: leased ? row.lease_expires_at : null,
        lastPollAt: row.last_poll_at,
        lastEventAt: row.last_event_at,
        eventCount: Number(row.event_count),
        lastError: row.last_error,
        lastErrorAt: row.last_error_at,
        failureCount: Number(row.failure_count),
        nextPollAt: row.next_poll_at,
      };
    }),
    totalEntries: Number(counted.count),
  };
}
