import type { Db } from '../open-database.ts';
import type { TaskInstanceRow } from './task-instance-queries.ts';

/** One try of a task instance, as `GET …/taskInstances/{task_id}/tries` shows it. */
export interface TaskInstanceTryRow {
  readonly try_number: number;
  /** The state the try ended in; `running` for the live try, `queued` for the next one waiting. */
  readonly state: string;
  readonly max_tries: number;
  readonly queued_at: number | null;
  readonly start_date: number | null;
  /** Null while the try runs or waits. */
  readonly end_date: number | null;
  readonly next_retry_at: number | null;
  readonly worker: string | null;
}

/**
 * Every try of the TI, oldest first: those that ended (`task_instance_try`, written when each
 * attempt ended), then the live one from the TI row: its running try, or the next try waiting in
 * the queue. A finished TI whose last try has no record (it ended before tries were recorded) gets
 * that try from its row, so no TI that ran has an empty history. A TI that never ran has none.
 */
export async function listTaskInstanceTries(db: Db, ti: TaskInstanceRow): Promise<TaskInstanceTryRow[]> {
  const recorded = await db
    .selectFrom('task_instance_try')
    .select(['try_number', 'state', 'max_tries', 'queued_at', 'start_date', 'end_date', 'next_retry_at', 'worker'])
    .where('ti_id', '=', ti.id)
    .orderBy('try_number')
    .execute();
  const live = liveTry(ti);
  if (!live || recorded.some((row) => row.try_number === live.try_number)) return recorded;
  return [...recorded, live];
}

/** The try the TI row itself describes and no record holds yet; undefined when there is none. */
function liveTry(ti: TaskInstanceRow): TaskInstanceTryRow | undefined {
  const fromRow = {
    max_tries: ti.max_tries,
    queued_at: ti.queued_at,
    next_retry_at: null,
    worker: ti.worker,
  };
  if (ti.state === 'queued') {
    return {
      ...fromRow,
      try_number: ti.try_number + 1,
      state: 'queued',
      start_date: null,
      end_date: null,
      worker: null,
    };
  }
  if (ti.state === null || ti.try_number < 1 || ti.start_date === null) return undefined;
  return {
    ...fromRow,
    try_number: ti.try_number,
    state: ti.state,
    start_date: ti.start_date,
    end_date: ti.state === 'running' ? null : ti.end_date,
    next_retry_at: ti.next_retry_at,
  };
}
