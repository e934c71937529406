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
