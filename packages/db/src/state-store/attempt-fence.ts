import { type AttemptFence, StaleAttemptError } from '@tidemark/core';
import type { Selectable } from 'kysely';
import type { DialectName } from '../dialect/database-url.ts';
import { runPrepared } from '../dialect/prepared-query.ts';
import type { Db } from '../open-database.ts';
import type { TaskInstanceTable } from '../schema/database-schema.ts';

/** What the fence reads of a task instance: whether it runs the attempt, and the run its state lives in. */
export type FencedTaskInstance = Pick<
  Selectable<TaskInstanceTable>,
  'state' | 'try_number' | 'dag_run_id' | 'dag_id' | 'run_id'
>;

/** True when `ti` is running at `tryNumber`. */
export function isCurrentAttempt(
  ti: Pick<FencedTaskInstance, 'state' | 'try_number'> | undefined,
  tryNumber: number,
): boolean {
  return ti !== undefined && ti.state === 'running' && ti.try_number === tryNumber;
}

/** The error for an attempt that may not write: its TI has moved on, or is gone (its run was deleted). */
export function notCurrentAttemptError(
  attempt: AttemptFence,
  ti: Pick<FencedTaskInstance, 'state' | 'try_number'> | undefined,
): StaleAttemptError {
  const current = ti
    ? `the task instance is ${ti.state ?? 'none'} at try ${ti.try_number}`
    : 'the task instance no longer exists';
  return new StaleAttemptError(attempt.tiId, attempt.tryNumber, current);
}

/**
 * SPEC §7 fencing inside a write transaction. On PostgreSQL the TI row is share-locked, so a
 * transition of the TI (zombie failure, a new try, an operator's mark) waits for this write to
 * commit, and a write that starts after the transition sees it. SQLite write transactions are
 * serialized, which gives the same guarantee. Returns the fenced TI (the writer's own row).
 */
export async function assertAttemptFence(
  trx: Db,
  dialect: DialectName,
  fence: AttemptFence | undefined,
): Promise<FencedTaskInstance | undefined> {
  if (fence === undefined) return undefined;
  const [ti] = await runPrepared(trx, dialect, 'attempt-fence', { id: fence.tiId }, (db, param) => {
    const query = db
      .selectFrom('task_instance')
      .select(['state', 'try_number', 'dag_run_id', 'dag_id', 'run_id'])
      .where('id', '=', param('id'));
    return dialect === 'postgres' ? query.forShare() : query;
  });
  if (!isCurrentAttempt(ti, fence.tryNumber)) throw notCurrentAttemptError(fence, ti);
  return ti;
}
