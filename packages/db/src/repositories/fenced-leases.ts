import type { ColumnType, Expression, ExpressionBuilder, Generated, Kysely, SqlBool } from 'kysely';
import type { DialectName } from '../dialect/database-url.ts';
import type { Db } from '../open-database.ts';
import type { DatabaseSchema } from '../schema/database-schema.ts';

/**
 * Leases fenced by a generation, shared by the rows triggerers run: watchers (SPEC §15.3) and
 * deferrals (SPEC §16). A triggerer holds a row while `lease_owner` is its id and
 * `lease_expires_at` is in the future, and renews all its leases with each lease request. Taking a
 * row (free, or its lease expired) bumps `lease_generation`; every report names the generation it
 * ran under, so a triggerer whose row was taken over changes nothing.
 */

/** The tables whose rows are leased; each has the lease columns below. */
export type LeasedTableName = 'asset_watcher' | 'task_deferral';

interface LeaseColumns {
  id: Generated<number>;
  lease_owner: string | null;
  lease_hostname: string | null;
  lease_generation: ColumnType<number, number | undefined, number>;
  lease_expires_at: number | null;
  updated_at: number;
}

/** Every leased table seen through its lease columns alone (they are alike in each). */
type LeaseView = { leased_row: LeaseColumns };

/** Which rows of the table may be leased now (written against the table's own columns). */
export type LeasablePredicate<T extends LeasedTableName> = (
  eb: ExpressionBuilder<DatabaseSchema, T>,
) => Expression<SqlBool>;

export interface LeaseTake {
  readonly owner: string;
  readonly hostname: string;
  readonly count: number;
  readonly expiresAt: number;
  readonly now: number;
}

export const RELEASED_LEASE = { lease_owner: null, lease_hostname: null, lease_expires_at: null } as const;

/** A graceful stop: every lease of the owner in `table` goes back at once. Returns how many. */
export async function releaseAllLeases(db: Db, table: LeasedTableName, owner: string, now: number): Promise<number> {
  const result = await leaseView(db)
    .updateTable(asLeased(table))
    .set({ ...RELEASED_LEASE, updated_at: now })
    .where('lease_owner', '=', owner)
    .executeTakeFirst();
  return Number(result.numUpdatedRows);
}

/** The owner's rows that may no longer be leased go back. */
export async function releaseUnleasable<T extends LeasedTableName>(
  trx: Db,
  table: T,
  leasable: LeasablePredicate<T>,
  owner: string,
  now: number,
): Promise<void> {
  await leaseView(trx)
    .updateTable(asLeased(table))
    .set({ ...RELEASED_LEASE, updated_at: now })
    .where('lease_owner', '=', owner)
    .where((eb) => eb.not(leasable(eb as never)))
    .execute();
}

/** An owner that lowered its capacity gives back its newest rows beyond it. */
export async function releaseLeasesOverCapacity(
  trx: Db,
  table: LeasedTableName,
  owner: string,
  capacity: number,
  now: number,
): Promise<void> {
  const view = leaseView(trx);
  const surplus = await view
    .selectFrom(asLeased(table))
    .select('id')
    .where('lease_owner', '=', owner)
    .orderBy('id')
    .limit(MAX_ROWS)
    .offset(capacity)
    .execute();
  if (surplus.length === 0) return;
  await view
    .updateTable(asLeased(table))
    .set({ ...RELEASED_LEASE, updated_at: now })
    .where(
      'id',
      'in',
      surplus.map((row) => row.id),
    )
    .execute();
}

/**
 * The lease round of one request, inside the caller's transaction: give back rows no longer leasable
 * and those beyond `capacity`, renew the rest, then take free or expired rows up to `capacity`.
 */
export async function renewAndTakeLeases<T extends LeasedTableName>(
  trx: Db,
  dialect: DialectName,
  table: T,
  leasable: LeasablePredicate<T>,
  lease: {
    readonly owner: string;
    readonly hostname: string;
    readonly capacity: number;
    readonly expiresAt: number;
    readonly now: number;
  },
): Promise<void> {
  await releaseUnleasable(trx, table, leasable, lease.owner, lease.now);
  await releaseLeasesOverCapacity(trx, table, lease.owner, lease.capacity, lease.now);
  const held = await renewLeases(trx, table, lease);
  await takeFreeRows(trx, dialect, table, leasable, {
    owner: lease.owner,
    hostname: lease.hostname,
    count: lease.capacity - held,
    expiresAt: lease.expiresAt,
    now: lease.now,
  });
}

/** Extends every lease the owner still holds (an expired one nobody took is still its own). Returns how many. */
export async function renewLeases(
  trx: Db,
  table: LeasedTableName,
  lease: { readonly owner: string; readonly hostname: string; readonly expiresAt: number; readonly now: number },
): Promise<number> {
  const result = await leaseView(trx)
    .updateTable(asLeased(table))
    .set({ lease_hostname: lease.hostname, lease_expires_at: lease.expiresAt, updated_at: lease.now })
    .where('lease_owner', '=', lease.owner)
    .executeTakeFirst();
  return Number(result.numUpdatedRows);
}

/**
 * Takes up to `take.count` leasable rows that nobody holds, or whose lease expired, oldest first: a
 * new generation each. PostgreSQL: `FOR UPDATE SKIP LOCKED`, so two owners never take one row.
 * Returns the ids taken.
 */
export async function takeFreeRows<T extends LeasedTableName>(
  trx: Db,
  dialect: DialectName,
  table: T,
  leasable: LeasablePredicate<T>,
  take: LeaseTake,
): Promise<number[]> {
  if (take.count <= 0) return [];
  const view = leaseView(trx);
  const free = view
    .selectFrom(asLeased(table))
    .select('id')
    .where((eb) => leasable(eb as never))
    .where((eb) => eb.or([eb('lease_owner', 'is', null), eb('lease_expires_at', '<=', take.now)]))
    .orderBy('id')
    .limit(take.count);
  const rows = await (dialect === 'postgres' ? free.forUpdate().skipLocked() : free).execute();
  if (rows.length === 0) return [];
  await view
    .updateTable(asLeased(table))
    .set((eb) => ({
      lease_owner: take.owner,
      lease_hostname: take.hostname,
      lease_generation: eb(eb.ref('lease_generation'), '+', 1),
      lease_expires_at: take.expiresAt,
      updated_at: take.now,
    }))
    .where(
      'id',
      'in',
      rows.map((row) => row.id),
    )
    .execute();
  return rows.map((row) => Number(row.id));
}

/** True when some leasable row is free or its lease expired: a read, for long polls before they try a take. */
export async function hasFreeRow<T extends LeasedTableName>(
  db: Db,
  table: T,
  leasable: LeasablePredicate<T>,
  now: number,
): Promise<boolean> {
  const row = await leaseView(db)
    .selectFrom(asLeased(table))
    .select('id')
    .where((eb) => leasable(eb as never))
    .where((eb) => eb.or([eb('lease_owner', 'is', null), eb('lease_expires_at', '<=', now)]))
    .limit(1)
    .executeTakeFirst();
  return row !== undefined;
}

/** The lease columns of one row, as a report against it reads them. */
export interface LeaseState {
  readonly lease_owner: string | null;
  readonly lease_generation: number;
  readonly lease_expires_at: number | null;
}

/**
 * Why `owner` may not act on the row under `lease` now (another or no owner, a newer generation,
 * an expired lease), or undefined when it may. `lease` omitted: any generation the owner holds.
 */
export function leaseRefusal(
  row: LeaseState,
  check: { readonly owner: string; readonly lease?: number | undefined; readonly now: number },
  /** What ran under the lease, for the message: "poll", "check". */
  what: string,
): string | undefined {
  const { owner, lease, now } = check;
  if (row.lease_owner !== owner) {
    return row.lease_owner === null ? 'no triggerer holds it now' : 'another triggerer holds it now';
  }
  const generation = Number(row.lease_generation);
  if (lease !== undefined && lease !== generation) {
    return `it was taken again since (lease ${generation} now, this ${what} ran under lease ${lease})`;
  }
  if (row.lease_expires_at === null || row.lease_expires_at <= now) {
    return 'its lease expired; renew leases well within triggerer.lease_timeout';
  }
  return undefined;
}

function leaseView(db: Db): Kysely<LeaseView> {
  return db as unknown as Kysely<LeaseView>;
}

/** The SQL names the real table; the type system sees its lease columns. */
function asLeased(table: LeasedTableName): 'leased_row' {
  return table as unknown as 'leased_row';
}

/** SQLite needs a LIMIT before an OFFSET. */
const MAX_ROWS = 1_000_000_000;
