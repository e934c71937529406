import type { ExpressionBuilder } from 'kysely';
import type { DialectName } from '../dialect/database-url.ts';
import { WatcherLeaseLostError, WatcherNotFoundError } from '../errors.ts';
import type { Db, MetadataDatabase } from '../open-database.ts';
import type { DatabaseSchema } from '../schema/database-schema.ts';
import { inWriteTransaction } from '../write-transaction.ts';
import { leaseRefusal, releaseAllLeases, renewAndTakeLeases } from './fenced-leases.ts';

/**
 * Leases of watchers to triggerers (SPEC §15.3), fenced as `fenced-leases.ts` says (shared with
 * deferrals): a triggerer holds a watcher while `lease_owner` is its id and `lease_expires_at` is
 * in the future; it renews all its leases with each lease request. Taking a watcher (free, or its
 * lease expired) bumps `lease_generation`, and every commit of a poll names the generation it ran
 * under, so a triggerer that lost a watcher commits nothing. Only active watchers of active,
 * unpaused DAGs are leased.
 */

export interface IdlePoll {
  readonly watcherId: number;
  /** The lease generation the poll ran under. */
  readonly lease: number;
  readonly polledAt: number;
}

export interface LeaseRequestInput {
  /** The triggerer's id (its token's subject). */
  readonly owner: string;
  /** hostname:pid, shown in the watcher status. */
  readonly hostname: string;
  /** The most watchers it holds after this request. */
  readonly capacity: number;
  readonly idlePolls: readonly IdlePoll[];
  readonly now: number;
  /** `triggerer.lease_timeout`. */
  readonly leaseTimeoutMs: number;
}

/** A watcher as the triggerer holding it needs it. */
export interface LeasedWatcherRecord {
  readonly id: number;
  readonly name: string;
  readonly assetId: number;
  readonly assetName: string;
  readonly assetUri: string;
  readonly dagId: string;
  readonly fileloc: string;
  readonly everyMs: number;
  /** The lease generation. */
  readonly lease: number;
  readonly nextPollAt: number;
  readonly failureCount: number;
}

export interface LeaseGrant {
  readonly expiresAt: number;
  readonly watchers: LeasedWatcherRecord[];
}

/**
 * One lease request, in one transaction: record the idle polls it reports, give back the leases of
 * watchers that are no longer leasable (or beyond `capacity`), renew the others, take free or
 * expired watchers up to `capacity` (PostgreSQL: `FOR UPDATE SKIP LOCKED`, so two triggerers never
 * take one watcher), and return every watcher the triggerer holds.
 */
export async function leaseWatchers(database: MetadataDatabase, input: LeaseRequestInput): Promise<LeaseGrant> {
  const expiresAt = input.now + input.leaseTimeoutMs;
  return inWriteTransaction(database, async (trx) => {
    for (const poll of input.idlePolls) await recordIdlePoll(trx, input.owner, poll, input.now);
    await renewAndTakeLeases(trx, database.dialect, 'asset_watcher', isLeasable, { ...input, expiresAt });
    return { expiresAt, watchers: await listLeasedWatchers(trx, input.owner) };
  });
}

/** A graceful stop: every lease of the triggerer goes back at once. Returns how many. */
export async function releaseAllWatcherLeases(db: Db, owner: string, now: number): Promise<number> {
  return releaseAllLeases(db, 'asset_watcher', owner, now);
}

/**
 * A poll that found nothing committed nothing; the triggerer reports it with its next lease
 * request. It counts as a success (the failure count resets, the next poll is one interval
 * later), unless the watcher changed hands since or a newer poll was recorded.
 */
async function recordIdlePoll(trx: Db, owner: string, poll: IdlePoll, now: number): Promise<void> {
  await trx
    .updateTable('asset_watcher')
    .set((eb) => ({
      last_poll_at: poll.polledAt,
      failure_count: 0,
      next_poll_at: eb(eb.val(poll.polledAt), '+', eb.ref('every_ms')),
      updated_at: now,
    }))
    .where('id', '=', poll.watcherId)
    .where('lease_owner', '=', owner)
    .where('lease_generation', '=', poll.lease)
    .where((eb) => eb.or([eb('last_poll_at', 'is', null), eb('last_poll_at', '<', poll.polledAt)]))
    .execute();
}

async function listLeasedWatchers(db: Db, owner: string): Promise<LeasedWatcherRecord[]> {
  const rows = await db
    .selectFrom('asset_watcher')
    .innerJoin('asset', 'asset.id', 'asset_watcher.asset_id')
    .select([
      'asset_watcher.id',
      'asset_watcher.name',
      'asset_watcher.asset_id',
      'asset.name as asset_name',
      'asset.uri as asset_uri',
      'asset_watcher.dag_id',
      'asset_watcher.fileloc',
      'asset_watcher.every_ms',
      'asset_watcher.lease_generation',
      'asset_watcher.next_poll_at',
      'asset_watcher.failure_count',
    ])
    .where('asset_watcher.lease_owner', '=', owner)
    .orderBy('asset_watcher.id')
    .execute();
  return rows.map((row) => ({
    id: Number(row.id),
    name: row.name,
    assetId: Number(row.asset_id),
    assetName: row.asset_name,
    assetUri: row.asset_uri,
    dagId: row.dag_id,
    fileloc: row.fileloc,
    everyMs: Number(row.every_ms),
    lease: Number(row.lease_generation),
    nextPollAt: Number(row.next_poll_at ?? 0),
    failureCount: Number(row.failure_count),
  }));
}

/** The watcher row a leased request acts on. */
export interface LeasedWatcherRow {
  readonly id: number;
  readonly name: string;
  readonly assetId: number;
  readonly dagId: string;
  readonly everyMs: number;
  readonly lease: number;
  readonly eventCount: number;
  readonly failureCount: number;
}

export interface WatcherLeaseCheck {
  readonly watcherId: number;
  /** The triggerer id (its token's subject). */
  readonly owner: string;
  /** The generation the request ran under; omitted: any generation this owner holds now. */
  readonly lease?: number;
  readonly now: number;
}

/**
 * The watcher, if `owner` holds its lease now (with that generation, unexpired, and the watcher
 * still leasable); 404 `watcher_not_found` or 409 `watcher_lease_lost` (saying why) otherwise.
 * `lock`: PostgreSQL locks the row until the caller's transaction ends, so a takeover waits for
 * the commit it would fence (SQLite's write transaction already excludes every other writer).
 */
export async function requireWatcherLease(
  db: Db,
  dialect: DialectName,
  check: WatcherLeaseCheck,
  options: { readonly lock: boolean },
): Promise<LeasedWatcherRow> {
  const query = db.selectFrom('asset_watcher').selectAll().where('id', '=', check.watcherId);
  const row = await (options.lock && dialect === 'postgres' ? query.forUpdate() : query).executeTakeFirst();
  if (!row) throw new WatcherNotFoundError(check.watcherId);
  const watcher = {
    id: Number(row.id),
    name: row.name,
    assetId: Number(row.asset_id),
    dagId: row.dag_id,
    everyMs: Number(row.every_ms),
    lease: Number(row.lease_generation),
    eventCount: Number(row.event_count),
    failureCount: Number(row.failure_count),
  };
  const refusal = leaseRefusal(row, check, 'poll');
  if (refusal !== undefined) throw new WatcherLeaseLostError(watcher, check.owner, refusal);
  if (!(await isStillLeasable(db, watcher.id))) {
    throw new WatcherLeaseLostError(watcher, check.owner, 'its DAG was paused, or no active DAG declares it any more');
  }
  return watcher;
}

async function isStillLeasable(db: Db, watcherId: number): Promise<boolean> {
  const row = await db
    .selectFrom('asset_watcher')
    .select('id')
    .where('id', '=', watcherId)
    .where(isLeasable)
    .executeTakeFirst();
  return row !== undefined;
}

/** Active, and its DAG is active and unpaused. */
function isLeasable(eb: ExpressionBuilder<DatabaseSchema, 'asset_watcher'>) {
  return eb.and([
    eb('asset_watcher.active', '=', 1),
    eb(
      'asset_watcher.dag_id',
      'in',
      eb.selectFrom('dag').select('dag.dag_id').where('dag.is_active', '=', 1).where('dag.is_paused', '=', 0),
    ),
  ]);
}
