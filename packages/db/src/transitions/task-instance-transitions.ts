import type { Selectable, Transaction } from 'kysely';
import type { Db } from '../open-database.ts';
import type { DatabaseSchema, TaskInstanceTable } from '../schema/database-schema.ts';
import { recordEndedTries } from './task-instance-try-record.ts';
import { tiStateAllows } from './transition-guards.ts';

/**
 * Every write of a task instance's state, one named function per transition of core's
 * `TASK_INSTANCE_TRANSITIONS`, each guarded by it: a TI that is not in one of the transition's
 * from-states is left as it is. Nothing outside this folder writes `task_instance.state`
 * (`test/check-state-writes.mjs` fails the lint if something does). The callers (the scheduler,
 * `attempt-repository.ts`, `task-instance-operator-repository.ts`) hold the transaction and the locks.
 */

type Trx = Transaction<DatabaseSchema>;

// ── scheduler ────────────────────────────────────────────────────────────────────────────────

/** Ready to run (dependencies met, or a retry's delay passed): a worker may claim it now. */
export async function queueTaskInstances(db: Db, ids: readonly string[], now: number): Promise<void> {
  if (ids.length === 0) return;
  await db
    .updateTable('task_instance')
    .set({ state: 'queued', queued_at: now, next_retry_at: null, updated_at: now })
    .where('id', 'in', [...ids])
    .where(tiStateAllows('queued', 'scheduler'))
    .execute();
}

/** An upstream failed: these TIs will not run in this run. */
export async function markUpstreamFailed(db: Db, ids: readonly string[], now: number): Promise<void> {
  await finishWithoutRunning(db, ids, 'upstream_failed', now);
}

/** An upstream was skipped (or a mapped task got an empty list): these TIs are skipped too. */
export async function markSkipped(db: Db, ids: readonly string[], now: number): Promise<void> {
  await finishWithoutRunning(db, ids, 'skipped', now);
}

/** A TI that cannot run at all (a mapped task whose upstream did not return a list). */
export async function markFailedWithoutAttempt(db: Db, ids: readonly string[], now: number): Promise<void> {
  await finishWithoutRunning(db, ids, 'failed', now);
}

/** Tasks no longer in the DAG: their unfinished TIs will never run. */
export async function markRemoved(db: Db, ids: readonly string[], now: number): Promise<void> {
  if (ids.length === 0) return;
  await db
    .updateTable('task_instance')
    .set({ state: 'removed', end_date: now, updated_at: now })
    .where('id', 'in', [...ids])
    .where(tiStateAllows('removed', 'scheduler'))
    .execute();
}

async function finishWithoutRunning(
  db: Db,
  ids: readonly string[],
  state: 'upstream_failed' | 'skipped' | 'failed',
  now: number,
): Promise<void> {
  if (ids.length === 0) return;
  await db
    .updateTable('task_instance')
    .set({ state, end_date: now, updated_at: now })
    .where('id', 'in', [...ids])
    .where(tiStateAllows(state, 'scheduler'))
    .execute();
}

// ── attempt ──────────────────────────────────────────────────────────────────────────────────

/**
 * A worker claimed these queued TIs in one batch: each becomes `running` with the next try number,
 * in one UPDATE. Returns the TIs that moved; a TI no longer queued is left as it is and not returned.
 */
export async function startAttempts(
  trx: Trx,
  claim: { readonly tiIds: readonly string[]; readonly worker: string; readonly now: number },
): Promise<Selectable<TaskInstanceTable>[]> {
  if (claim.tiIds.length === 0) return [];
  return trx
    .updateTable('task_instance')
    .set((eb) => ({
      state: 'running',
      try_number: eb('try_number', '+', 1),
      start_date: claim.now,
      heartbeat_at: claim.now,
      end_date: null,
      next_retry_at: null,
      worker: claim.worker,
      updated_at: claim.now,
    }))
    .where('id', 'in', [...claim.tiIds])
    .where(tiStateAllows('running', 'attempt'))
    .returningAll()
    .execute();
}

/** The running attempt ended for good: `success`, `skipped` or `failed` (a deferred try whose wait failed: `failed`); a running try is recorded. */
export async function finishAttempt(
  trx: Trx,
  tiId: string,
  state: 'success' | 'skipped' | 'failed',
  now: number,
): Promise<void> {
  await recordEndedTries(trx, [tiId], { state, now });
  await trx
    .updateTable('task_instance')
    .set({ state, end_date: now, next_retry_at: null, updated_at: now })
    .where('id', '=', tiId)
    .where(tiStateAllows(state, 'attempt'))
    .execute();
}

/** The running (or deferred) attempt failed with tries left: a running try is recorded and the TI waits for `nextRetryAt`. */
export async function scheduleRetry(trx: Trx, tiId: string, nextRetryAt: number, now: number): Promise<void> {
  await recordEndedTries(trx, [tiId], { state: 'up_for_retry', now, nextRetryAt });
  await trx
    .updateTable('task_instance')
    .set({ state: 'up_for_retry', end_date: now, next_retry_at: nextRetryAt, updated_at: now })
    .where('id', '=', tiId)
    .where(tiStateAllows('up_for_retry', 'attempt'))
    .execute();
}

/**
 * Deferred tries resume (SPEC §16): these queued TIs become `running` again at the same try number
 * (a deferral does not use a try), in one UPDATE. Returns the TIs that moved.
 */
export async function resumeAttempts(
  trx: Trx,
  claim: { readonly tiIds: readonly string[]; readonly worker: string; readonly now: number },
): Promise<Selectable<TaskInstanceTable>[]> {
  if (claim.tiIds.length === 0) return [];
  return trx
    .updateTable('task_instance')
    .set({
      state: 'running',
      heartbeat_at: claim.now,
      end_date: null,
      next_retry_at: null,
      worker: claim.worker,
      updated_at: claim.now,
    })
    .where('id', 'in', [...claim.tiIds])
    .where(tiStateAllows('running', 'attempt'))
    .returningAll()
    .execute();
}

/** The running try deferred: its process ends and a triggerer runs its wait; it holds no worker slot. */
export async function deferAttempt(trx: Trx, tiId: string, now: number): Promise<void> {
  await trx
    .updateTable('task_instance')
    .set({ state: 'deferred', heartbeat_at: null, next_retry_at: null, updated_at: now })
    .where('id', '=', tiId)
    .where(tiStateAllows('deferred', 'attempt'))
    .execute();
}

/**
 * The deferred try's wait fired: the TI is `scheduled`, and the scheduler queues it to resume.
 * Only a TI still deferred at `tryNumber` moves, so a wait that fires twice resumes it once.
 * Returns whether it moved.
 */
export async function scheduleDeferredAttempt(
  trx: Trx,
  tiId: string,
  tryNumber: number,
  now: number,
): Promise<boolean> {
  const result = await trx
    .updateTable('task_instance')
    .set({ state: 'scheduled', updated_at: now })
    .where('id', '=', tiId)
    .where('try_number', '=', tryNumber)
    .where(tiStateAllows('scheduled', 'attempt'))
    .executeTakeFirst();
  return Number(result.numUpdatedRows) > 0;
}

// ── operator ─────────────────────────────────────────────────────────────────────────────────

/**
 * Cleared: the TIs go back to none with their dates and heartbeat reset, and `extraTries` more
 * tries (`max_tries = try_number + extraTries`). A running attempt is stopped by this (its next
 * heartbeat is refused): its try is recorded as `failed` first.
 */
export async function clearTaskInstanceStates(
  trx: Trx,
  ids: readonly string[],
  extraTries: number,
  now: number,
): Promise<void> {
  if (ids.length === 0) return;
  await recordEndedTries(trx, ids, { state: 'failed', now });
  await trx
    .updateTable('task_instance')
    .set((eb) => ({
      state: null,
      max_tries: eb('try_number', '+', extraTries),
      queued_at: null,
      start_date: null,
      end_date: null,
      heartbeat_at: null,
      next_retry_at: null,
      updated_at: now,
    }))
    .where('id', 'in', [...ids])
    .where(tiStateAllows('none', 'operator'))
    .execute();
}

/**
 * Marked `success` or `failed` by an operator. A running attempt is stopped by this: its try is
 * recorded, in the marked state.
 */
export async function markTaskInstanceState(
  trx: Trx,
  tiId: string,
  state: 'success' | 'failed',
  now: number,
): Promise<void> {
  await recordEndedTries(trx, [tiId], { state, now });
  await trx
    .updateTable('task_instance')
    .set({ state, end_date: now, next_retry_at: null, updated_at: now })
    .where('id', '=', tiId)
    .where(tiStateAllows(state, 'operator'))
    .execute();
}

/**
 * A TI was marked success: the run's `upstream_failed` TIs of `taskIds` (its downstream tasks)
 * go back to none, so that the scheduler decides them again.
 */
export async function clearUpstreamFailed(
  trx: Trx,
  dagRunId: number,
  taskIds: readonly string[],
  now: number,
): Promise<void> {
  if (taskIds.length === 0) return;
  await trx
    .updateTable('task_instance')
    .set({ state: null, end_date: null, updated_at: now })
    .where('dag_run_id', '=', dagRunId)
    .where('task_id', 'in', [...taskIds])
    .where('state', '=', 'upstream_failed')
    .where(tiStateAllows('none', 'operator'))
    .execute();
}
