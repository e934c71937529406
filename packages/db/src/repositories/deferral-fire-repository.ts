import type { Selectable, Transaction } from 'kysely';
import { DeferralNotFoundError } from '../errors.ts';
import type { MetadataDatabase } from '../open-database.ts';
import type { DatabaseSchema, TaskInstanceTable } from '../schema/database-schema.ts';
import { scheduleDeferredAttempt } from '../transitions/task-instance-transitions.ts';
import { inWriteTransaction } from '../write-transaction.ts';
import { type AttemptOutcome, failTry } from './attempt-repository.ts';
import { lockDeferral, requireDeferralLease } from './deferral-lease-repository.ts';
import { RELEASED_LEASE } from './fenced-leases.ts';

/**
 * How a deferral ends (SPEC §16): its wait fires (the TI is scheduled to resume, once however often
 * it fires), its wait fails (the try fails and its retry policy applies), or it times out (the
 * scheduler fails the try the same way). Each is one transaction over the deferral and its TI.
 */

type Trx = Transaction<DatabaseSchema>;

export interface DeferralReport {
  readonly deferralId: number;
  /** The triggerer id (its token's subject). */
  readonly owner: string;
  /** The lease generation the wait ran under. */
  readonly lease: number;
  readonly now: number;
}

/** The deferred try a deferral belonged to, for the caller's log lines. */
export interface DeferredTry {
  readonly tiId: string;
  readonly tryNumber: number;
}

/**
 * The wait fired with `event` (JSON text, validated and size-checked): the TI moves `deferred →
 * scheduled` and the deferral keeps the event for the resumed try's claim. A deferral that already
 * fired changes nothing (`resumed: false`, whoever reports it); one that no longer exists is 404
 * `deferral_not_found`; one this triggerer no longer holds is 409 `deferral_lease_lost`.
 */
export async function fireDeferral(
  database: MetadataDatabase,
  report: DeferralReport & { readonly event: string },
): Promise<{ readonly resumed: boolean } & DeferredTry> {
  return inWriteTransaction(database, async (trx) => {
    const existing = await lockDeferral(trx, database.dialect, report.deferralId);
    if (existing?.status === 'fired') return { resumed: false, tiId: existing.ti_id, tryNumber: existing.try_number };
    const deferral = await requireDeferralLease(trx, database.dialect, report);
    const moved = await scheduleDeferredAttempt(trx, deferral.ti_id, deferral.try_number, report.now);
    if (!moved) {
      // The TI left `deferred` without taking its wait along: the row is stale.
      await trx.deleteFrom('task_deferral').where('id', '=', deferral.id).execute();
      throw new DeferralNotFoundError(deferral.id);
    }
    await trx
      .updateTable('task_deferral')
      .set({ ...RELEASED_LEASE, status: 'fired', event: report.event, fired_at: report.now, updated_at: report.now })
      .where('id', '=', deferral.id)
      .execute();
    return { resumed: true, tiId: deferral.ti_id, tryNumber: deferral.try_number };
  });
}

/**
 * The wait failed (its poll threw, or the DAG file no longer declares it): the deferred try fails
 * and its retry policy applies; the deferral goes. Lease-fenced like fireDeferral.
 */
export async function failDeferralWait(
  database: MetadataDatabase,
  report: DeferralReport,
): Promise<AttemptOutcome & { readonly state: 'up_for_retry' | 'failed' } & DeferredTry> {
  return inWriteTransaction(database, async (trx) => {
    const deferral = await requireDeferralLease(trx, database.dialect, report);
    const ti = await lockDeferredTry(trx, database.dialect, deferral);
    await trx.deleteFrom('task_deferral').where('id', '=', deferral.id).execute();
    if (!ti) throw new DeferralNotFoundError(deferral.id);
    const outcome = await failTry(trx, ti, { tiId: ti.id, tryNumber: ti.try_number, retryable: true, now: report.now });
    return { ...outcome, tiId: ti.id, tryNumber: ti.try_number };
  });
}

export interface TimedOutDeferral extends DeferredTry {
  readonly outcome: AttemptOutcome;
  /** How long the try had waited, in ms. */
  readonly waitedMs: number;
}

/**
 * The scheduler's sweep: every waiting deferral past its `timeout_at` (at most `limit`) fails its
 * try with the retry policy, one transaction each. A deferral that fired meanwhile is left alone.
 */
export async function failTimedOutDeferrals(
  database: MetadataDatabase,
  now: number,
  limit = 500,
): Promise<TimedOutDeferral[]> {
  const due = await database.db
    .selectFrom('task_deferral')
    .select('id')
    .where('status', '=', 'waiting')
    .where('timeout_at', '<=', now)
    .orderBy('timeout_at')
    .limit(limit)
    .execute();
  const failed: TimedOutDeferral[] = [];
  for (const { id } of due) {
    const timedOut = await inWriteTransaction(database, async (trx) => {
      const deferral = await lockDeferral(trx, database.dialect, id);
      if (deferral?.status !== 'waiting' || deferral.timeout_at === null || deferral.timeout_at > now) {
        return undefined;
      }
      const ti = await lockDeferredTry(trx, database.dialect, deferral);
      await trx.deleteFrom('task_deferral').where('id', '=', deferral.id).execute();
      if (!ti) return undefined;
      const outcome = await failTry(trx, ti, { tiId: ti.id, tryNumber: ti.try_number, retryable: true, now });
      return { tiId: ti.id, tryNumber: ti.try_number, outcome, waitedMs: now - deferral.created_at };
    });
    if (timedOut) failed.push(timedOut);
  }
  return failed;
}

/**
 * Deferrals whose TI is no longer deferred, scheduled or queued at their try (the task left the
 * DAG, the run's TI moved on without them): nothing will fire or consume them. Returns how many went.
 */
export async function deleteStaleDeferrals(database: MetadataDatabase): Promise<number> {
  const result = await database.db
    .deleteFrom('task_deferral')
    .where((eb) =>
      eb.not(
        eb.exists(
          eb
            .selectFrom('task_instance')
            .select('task_instance.id')
            .whereRef('task_instance.id', '=', 'task_deferral.ti_id')
            .whereRef('task_instance.try_number', '=', 'task_deferral.try_number')
            .where('task_instance.state', 'in', ['deferred', 'scheduled', 'queued']),
        ),
      ),
    )
    .executeTakeFirst();
  return Number(result.numDeletedRows);
}

/** The deferral's TI, locked on PostgreSQL, if it is still deferred at the deferral's try. */
async function lockDeferredTry(
  trx: Trx,
  dialect: MetadataDatabase['dialect'],
  deferral: { readonly ti_id: string; readonly try_number: number },
): Promise<Selectable<TaskInstanceTable> | undefined> {
  const query = trx.selectFrom('task_instance').selectAll().where('id', '=', deferral.ti_id);
  const ti = await (dialect === 'postgres' ? query.forUpdate() : query).executeTakeFirst();
  return ti?.state === 'deferred' && ti.try_number === deferral.try_number ? ti : undefined;
}
