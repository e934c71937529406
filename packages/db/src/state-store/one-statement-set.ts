import type { AttemptFence, TaskScope } from '@tidemark/core';
import { sql } from 'kysely';
import { runPrepared } from '../dialect/prepared-query.ts';
import type { Db } from '../open-database.ts';
import { isRetryableWriteError } from '../write-transaction.ts';

/**
 * A `set` the fast paths take (this one on PostgreSQL, sqlite-task-rewrite.ts on SQLite): an attempt
 * rewriting a key of its own positional task state.
 */
export interface OwnTaskKeyRewrite {
  readonly scope: TaskScope;
  readonly key: string;
  readonly fence: AttemptFence;
  /** The sealed value, as stored. */
  readonly value: string;
  readonly expiresAt: number | null;
  readonly updatedBy: string | null;
  readonly ifVersion: number | undefined;
  readonly now: number;
  readonly historyDepth: number;
}

/**
 * The common `set` on PostgreSQL — an attempt writing again a key of its own task state — as one
 * statement, committed on its own: one round trip where the transaction takes five (BEGIN, fence,
 * row, write, COMMIT). It checks the fence (the TI running at the attempt's try, share-locked as in
 * assertAttemptFence), locks the key's row, updates it to the next version, records that version in
 * history and trims history to its depth.
 *
 * Returns the new version, or undefined when it changed nothing: no row yet (a first write takes
 * its version from history), a stale attempt, a compare-and-set that does not match, or a race the
 * statement lost (a deadlock, a unique violation). The caller then runs the full transaction, which
 * decides those cases, says why, and runs again after a race.
 */
export async function setInOneStatement(db: Db, write: OwnTaskKeyRewrite): Promise<number | undefined> {
  const { scope, fence } = write;
  const values = {
    tiId: fence.tiId,
    tryNumber: fence.tryNumber,
    dagId: scope.dagId,
    runId: scope.runId,
    taskId: scope.taskId,
    mapIndex: scope.mapIndex,
    key: write.key,
    value: write.value,
    now: write.now,
    expiresAt: write.expiresAt,
    updatedBy: write.updatedBy,
    ifVersion: write.ifVersion ?? null,
    depth: write.historyDepth,
  };
  const rows = runPrepared<{ version: number }>(db, 'postgres', 'one-statement-set', values, (db, param) => ({
    compile: () =>
      sql<{ version: number }>`
        with fence as (
          select dag_run_id, state, try_number, dag_id, run_id from task_instance where id = ${param('tiId')}
          for share
        ),
        current_row as (
          select s.id, s.version, s.dag_run_id from task_state s
          where s.dag_run_id = (
              select f.dag_run_id from fence f
              where f.state = 'running' and f.try_number = ${param('tryNumber')}
                and f.dag_id = ${param('dagId')} and f.run_id = ${param('runId')})
            and s.task_id = ${param('taskId')} and s.map_index = ${param('mapIndex')} and s.item_key is null
            and s.key = ${param('key')}
            and (${param('ifVersion')}::bigint is null
                 or (s.version = ${param('ifVersion')} and (s.expires_at is null or s.expires_at > ${param('now')})))
          for update of s
        ),
        updated as (
          update task_state s
          set value = ${param('value')}, version = c.version + 1, updated_at = ${param('now')},
              expires_at = ${param('expiresAt')}, updated_by = ${param('updatedBy')}
          from current_row c where s.id = c.id
          returning s.version, s.dag_run_id
        ),
        recorded as (
          insert into state_history (dag_run_id, task_id, map_index, asset_id, dag_id, item_key, key, version,
                                     operation, value, written_at, written_by)
          select u.dag_run_id, ${param('taskId')}, ${param('mapIndex')}, null, null, null, ${param('key')}, u.version,
                 'set', ${param('value')}, ${param('now')}, ${param('updatedBy')}
          from updated u
        ),
        trimmed as (
          delete from state_history h using updated u
          where h.dag_run_id = u.dag_run_id and h.task_id = ${param('taskId')} and h.map_index = ${param('mapIndex')}
            and h.item_key is null and h.key = ${param('key')} and h.version <= u.version - ${param('depth')}
        )
        select version from updated`.compile(db),
  }));
  try {
    const [row] = await rows;
    return row?.version;
  } catch (error) {
    if (isRetryableWriteError(error)) return undefined;
    throw error;
  }
}
