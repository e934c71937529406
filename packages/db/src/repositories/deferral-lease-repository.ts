import type { JsonValue } from '@tidemark/core';
import type { ExpressionBuilder } from 'kysely';
import { DeferralLeaseLostError, DeferralNotFoundError } from '../errors.ts';
import type { Db, MetadataDatabase } from '../open-database.ts';
import type { DeferralRow } from '../queries/deferral-queries.ts';
import type { DatabaseSchema } from '../schema/database-schema.ts';
import { inWriteTransaction } from '../write-transaction.ts';
import { hasFreeRow, leaseRefusal, releaseAllLeases, renewAndTakeLeases, takeFreeRows } from './fenced-leases.ts';

/**
 * Leases of deferrals to triggerers (SPEC §16), fenced like watchers (`fenced-leases.ts`): a
 * triggerer holds the waits it leased while it renews them; one whose lease expired is taken over
 * by another triggerer with a new generation. Only waiting deferrals of TIs still deferred are
 * leased.
 */

export interface IdleCheck {
  readonly deferralId: number;
  /** The lease generation the check ran under. */
  readonly lease: number;
  readonly checkedAt: number;
}

export interface DeferralLeaseInput {
  /** The triggerer's id (its token's subject). */
  readonly owner: string;
  /** hostname:pid. */
  readonly hostname: string;
  /** The most deferrals it holds after this request. */
  readonly capacity: number;
  readonly idleChecks: readonly IdleCheck[];
  readonly now: number;
  /** `triggerer.lease_timeout`. */
  readonly leaseTimeoutMs: number;
}

/** A deferral as the triggerer holding it needs it. */
export interface LeasedDeferralRecord {
  readonly id: number;
  readonly lease: number;
  readonly kind: 'timer' | 'poll';
  readonly ti: {
    readonly id: string;
    readonly dagId: string;
    readonly runId: string;
    readonly taskId: string;
    readonly mapIndex: number;
    readonly tryNumber: number;
  };
  readonly fileloc: string;
  readonly pollName: string | null;
  readonly args: JsonValue | null;
  readonly everyMs: number | null;
  readonly nextCheckAt: number;
  readonly timeoutAt: number | null;
}

export interface DeferralLeaseGrant {
  readonly expiresAt: number;
  readonly deferrals: LeasedDeferralRecord[];
}

/**
 * One lease request, in one transaction: record the idle checks it reports, give back deferrals
 * that no longer wait (or beyond `capacity`), renew the others, take free or expired ones up to
 * `capacity`, and return every deferral the triggerer holds.
 */
export async function leaseDeferrals(
  database: MetadataDatabase,
  input: DeferralLeaseInput,
): Promise<DeferralLeaseGrant> {
  const expiresAt = input.now + input.leaseTimeoutMs;
  return inWriteTransaction(database, async (trx) => {
    for (const check of input.idleChecks) await recordIdleCheck(trx, input.owner, check, input.now);
    await renewAndTakeLeases(trx, database.dialect, 'task_deferral', isLeasable, { ...input, expiresAt });
    return { expiresAt, deferrals: await listLeasedDeferrals(trx, input.owner) };
  });
}

/**
 * Between renewals: takes free or expired deferrals up to what `capacity` leaves after those the
 * triggerer holds, and returns only those (a new deferral reaches a triggerer at once, not at its
 * next renewal). Renews nothing, reports nothing.
 */
export async function takeNewDeferrals(
  database: MetadataDatabase,
  input: Omit<DeferralLeaseInput, 'idleChecks'>,
): Promise<DeferralLeaseGrant & { readonly room: number }> {
  const expiresAt = input.now + input.leaseTimeoutMs;
  return inWriteTransaction(database, async (trx) => {
    const held = await trx
      .selectFrom('task_deferral')
      .select((eb) => eb.fn.countAll<number | string>().as('n'))
      .where('lease_owner', '=', input.owner)
      .executeTakeFirstOrThrow();
    const room = input.capacity - Number(held.n);
    const taken = await takeFreeRows(trx, database.dialect, 'task_deferral', isLeasable, {
      owner: input.owner,
      hostname: input.hostname,
      count: room,
      expiresAt,
      now: input.now,
    });
    const deferrals = taken.length === 0 ? [] : await listLeasedDeferrals(trx, input.owner, taken);
    // `room`: how many more it may take after these.
    return { expiresAt, deferrals, room: Math.max(0, room - taken.length) };
  });
}

/** True when some deferral waits with no triggerer holding it: a read, for long-polled takes. */
export function hasFreeDeferral(db: Db, now: number): Promise<boolean> {
  return hasFreeRow(db, 'task_deferral', isLeasable, now);
}

/** A graceful stop: every deferral lease of the triggerer goes back at once. Returns how many. */
export async function releaseAllDeferralLeases(db: Db, owner: string, now: number): Promise<number> {
  return releaseAllLeases(db, 'task_deferral', owner, now);
}

/**
 * The waiting deferral, if `owner` holds its lease under `lease` now; 404 `deferral_not_found`
 * when no waiting deferral has this id, 409 `deferral_lease_lost` otherwise. Call it inside the
 * write transaction that acts on it (PostgreSQL locks the row).
 */
export async function requireDeferralLease(
  trx: Db,
  dialect: MetadataDatabase['dialect'],
  check: { readonly deferralId: number; readonly owner: string; readonly lease: number; readonly now: number },
): Promise<DeferralRow> {
  const row = await lockDeferral(trx, dialect, check.deferralId);
  if (row?.status !== 'waiting') throw new DeferralNotFoundError(check.deferralId);
  const refusal = leaseRefusal(row, check, 'check');
  if (refusal !== undefined) throw new DeferralLeaseLostError(row.id, check.owner, refusal);
  return row;
}

/** The deferral row, locked on PostgreSQL until the transaction ends. */
export async function lockDeferral(
  trx: Db,
  dialect: MetadataDatabase['dialect'],
  deferralId: number,
): Promise<DeferralRow | undefined> {
  const query = trx.selectFrom('task_deferral').selectAll().where('id', '=', deferralId);
  return (dialect === 'postgres' ? query.forUpdate() : query).executeTakeFirst();
}

/** A poll that returned nothing: its last and next checks, unless the deferral changed hands or a newer check was recorded. */
async function recordIdleCheck(trx: Db, owner: string, check: IdleCheck, now: number): Promise<void> {
  await trx
    .updateTable('task_deferral')
    .set((eb) => ({
      last_check_at: check.checkedAt,
      check_count: eb(eb.ref('check_count'), '+', 1),
      next_check_at: eb(eb.val(check.checkedAt), '+', eb.ref('every_ms')),
      updated_at: now,
    }))
    .where('id', '=', check.deferralId)
    .where('kind', '=', 'poll')
    .where('status', '=', 'waiting')
    .where('lease_owner', '=', owner)
    .where('lease_generation', '=', check.lease)
    .where((eb) => eb.or([eb('last_check_at', 'is', null), eb('last_check_at', '<', check.checkedAt)]))
    .execute();
}

async function listLeasedDeferrals(db: Db, owner: string, only?: readonly number[]): Promise<LeasedDeferralRecord[]> {
  let query = db
    .selectFrom('task_deferral')
    .innerJoin('task_instance', 'task_instance.id', 'task_deferral.ti_id')
    .leftJoin('dag', 'dag.dag_id', 'task_instance.dag_id')
    .select([
      'task_deferral.id',
      'task_deferral.lease_generation',
      'task_deferral.kind',
      'task_deferral.try_number',
      'task_deferral.poll_name',
      'task_deferral.args',
      'task_deferral.every_ms',
      'task_deferral.next_check_at',
      'task_deferral.timeout_at',
      'task_instance.id as ti_id',
      'task_instance.dag_id',
      'task_instance.run_id',
      'task_instance.task_id',
      'task_instance.map_index',
      'dag.fileloc',
    ])
    .where('task_deferral.lease_owner', '=', owner)
    .orderBy('task_deferral.id');
  if (only !== undefined) query = query.where('task_deferral.id', 'in', [...only]);
  const rows = await query.execute();
  return rows.map((row) => ({
    id: Number(row.id),
    lease: Number(row.lease_generation),
    kind: row.kind === 'poll' ? 'poll' : 'timer',
    ti: {
      id: row.ti_id,
      dagId: row.dag_id,
      runId: row.run_id,
      taskId: row.task_id,
      mapIndex: row.map_index,
      tryNumber: row.try_number,
    },
    fileloc: row.fileloc ?? '',
    pollName: row.poll_name,
    args: row.args === null ? null : (JSON.parse(row.args) as JsonValue),
    everyMs: row.every_ms === null ? null : Number(row.every_ms),
    nextCheckAt: Number(row.next_check_at),
    timeoutAt: row.timeout_at === null ? null : Number(row.timeout_at),
  }));
}

/** Waiting, and its TI is still deferred at the deferred try. */
function isLeasable(eb: ExpressionBuilder<DatabaseSchema, 'task_deferral'>) {
  return eb.and([
    eb('task_deferral.status', '=', 'waiting'),
    eb.exists(
      eb
        .selectFrom('task_instance')
        .select('task_instance.id')
        .whereRef('task_instance.id', '=', 'task_deferral.ti_id')
        .whereRef('task_instance.try_number', '=', 'task_deferral.try_number')
        .where('task_instance.state', '=', 'deferred'),
    ),
  ]);
}
