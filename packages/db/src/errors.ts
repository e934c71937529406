import { TidemarkError } from '@tidemark/core';

/** The database package's errors; the shared ones (dag_not_found, stale_attempt…) come from core. */

/** More TIs match a clear than one call may touch. */
export class TooManyTaskInstancesError extends TidemarkError {
  constructor(matched: number, limit: number) {
    super(
      'validation_error',
      `this clear matches ${matched} task instances, over the limit of ${limit} per call; ` +
        'narrow it with dag_run_id, task_ids, map_indexes or only_failed',
      { matched, limit },
    );
  }
}

/** A watcher id no row has (the triggerer's list is out of date, or the id is made up). */
export class WatcherNotFoundError extends TidemarkError {
  constructor(watcherId: number) {
    super(
      'watcher_not_found',
      `no watcher with id ${watcherId}; watchers come from the DAG files ("tidemark watchers list" shows them)`,
      { watcher_id: watcherId },
    );
  }
}

/**
 * A triggerer acting on a watcher whose lease it no longer holds: another triggerer took it over,
 * the lease expired, or the watcher stopped being leasable (its DAG was paused or dropped it).
 * Nothing was written; the triggerer stops running the watcher.
 */
export class WatcherLeaseLostError extends TidemarkError {
  constructor(watcher: { readonly id: number; readonly name: string }, owner: string, why: string) {
    super(
      'watcher_lease_lost',
      `triggerer "${owner}" no longer holds the lease of watcher "${watcher.name}" (id ${watcher.id}): ${why}; ` +
        'nothing was committed: stop running it (the next lease request says which watchers it holds)',
      { watcher_id: watcher.id },
    );
  }
}

/** A triggerer reported on a deferral that no longer waits: it fired and resumed, timed out, or was cancelled. */
export class DeferralNotFoundError extends TidemarkError {
  constructor(deferralId: number) {
    super(
      'deferral_not_found',
      `no waiting deferral with id ${deferralId}: it fired and its task resumed, it timed out, or an operator ` +
        'cleared or marked its task instance; stop running this wait',
      { deferral_id: deferralId },
    );
  }
}

/**
 * A triggerer reporting on a deferral whose lease it no longer holds (another triggerer took it
 * over, or the lease expired). Nothing was written; the triggerer stops running that wait.
 */
export class DeferralLeaseLostError extends TidemarkError {
  constructor(deferralId: number, owner: string, why: string) {
    super(
      'deferral_lease_lost',
      `triggerer "${owner}" no longer holds the lease of deferral ${deferralId}: ${why}; nothing was written: ` +
        'stop running this wait (the next deferral lease request says which deferrals it holds)',
      { deferral_id: deferralId },
    );
  }
}
