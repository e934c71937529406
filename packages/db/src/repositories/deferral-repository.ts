import type { MetadataDatabase } from '../open-database.ts';
import { deferAttempt } from '../transitions/task-instance-transitions.ts';
import { inWriteTransaction } from '../write-transaction.ts';
import { type AttemptOutcome, type AttemptRef, lockCurrentAttempt } from './attempt-repository.ts';

/**
 * Deferrals (SPEC §16) seen from the task instance: a running try defers (the TI becomes `deferred`
 * and its wait is stored, in one transaction), the claim of the resumed try consumes the fired
 * wait, and an operator's clear or mark cancels it (`task-deferral-rows.ts`). Leases, firing and
 * timeouts are in `deferral-lease-repository.ts` and `deferral-fire-repository.ts`.
 */

/** A wait as the server stores it: absolute times, computed on the server's clock. */
export type StoredWait =
  | { readonly kind: 'timer'; readonly fireAt: number }
  | {
      readonly kind: 'poll';
      readonly name: string;
      /** JSON text, already validated and size-checked. */
      readonly args: string;
      readonly everyMs: number;
    };

export interface DeferRequest extends AttemptRef {
  readonly wait: StoredWait;
  /** Epoch ms after which the try fails; null: no timeout. */
  readonly timeoutAt: number | null;
  readonly now: number;
}

/**
 * The running try defers: the TI becomes `deferred` and its wait is stored, in one transaction
 * (StaleAttemptError, and nothing written, unless it is the TI's current running try). A poll's
 * first check is one interval after the deferral (the task has just looked); a timer fires at its
 * instant. The try's staged asset writes stay: they apply when the resumed try succeeds.
 */
export async function deferTry(database: MetadataDatabase, request: DeferRequest): Promise<AttemptOutcome> {
  return inWriteTransaction(database, async (trx) => {
    const ti = await lockCurrentAttempt(trx, database.dialect, request);
    await deferAttempt(trx, ti.id, request.now);
    await trx.deleteFrom('task_deferral').where('ti_id', '=', ti.id).execute();
    const wait = request.wait;
    await trx
      .insertInto('task_deferral')
      .values({
        ti_id: ti.id,
        try_number: ti.try_number,
        kind: wait.kind,
        poll_name: wait.kind === 'poll' ? wait.name : null,
        args: wait.kind === 'poll' ? wait.args : null,
        every_ms: wait.kind === 'poll' ? wait.everyMs : null,
        next_check_at: wait.kind === 'poll' ? request.now + wait.everyMs : wait.fireAt,
        timeout_at: request.timeoutAt,
        created_at: request.now,
        updated_at: request.now,
      })
      .execute();
    return { state: 'deferred', nextRetryAt: null };
  });
}
