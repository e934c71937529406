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
