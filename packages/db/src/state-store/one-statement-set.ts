import type { AttemptFence, TaskScope } from '@tidemark/core';
import { sql } from 'kysely';
import { runPrepared } from '../dialect/prepared-query.ts';
import type { Db } from '../open-database.ts';

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
 * The common `set` on PostgreSQL — an attempt writing again a key of its own task state — for many
 * attempts at once (the writes that arrived together, see TaskRewriteBatcher), as one statement
 * committed on its own: one round trip, one plan and one commit for all of them, where a
 * transaction takes five round trips for each (BEGIN, fence, row, write, COMMIT). For each write it
 * checks the fence (the TI running at the attempt's try, share-locked as in assertAttemptFence),
 * locks the key's row, updates it to the next version, records that version in history and trims
 * history to its depth. No two writes may be of one key (the statement updates a row once).
 *
 * Returns each write's new version, in the order given, or undefined for a write it changed nothing
 * for: no row yet (a first write takes its version from history), a stale attempt, a
 * compare-and-set that does not match. The caller then runs the full transaction for those, which
 * decides each case and says why. Throws when the statement fails as a whole: a race it lost (a
 * deadlock, a unique violation) or any other database error.
 */
export async function setManyInOneStatement(
  db: Db,
  writes: readonly OwnTaskKeyRewrite[],
): Promise<(number | undefined)[]> {
  const column = <T>(pick: (write: OwnTaskKeyRewrite) => T) => writes.map(pick);
  const values = {
    tiIds: column((write) => write.fence.tiId),
    tryNumbers: column((write) => write.fence.tryNumber),
    dagIds: column((write) => write.scope.dagId),
    runIds: column((write) => write.scope.runId),
    taskIds: column((write) => write.scope.taskId),
    mapIndexes: column((write) => write.scope.mapIndex),
    keys: column((write) => write.key),
    values: column((write) => write.value),
    nows: column((write) => write.now),
    expiresAts: column((write) => write.expiresAt),
    updatedBys: column((write) => write.updatedBy),
    ifVersions: column((write) => write.ifVersion ?? null),
    depths: column((write) => write.historyDepth),
  };
  const rows = await runPrepared<{ ord: number; version: number }>(
    db,
    'postgres',
    'one-statement-sets',
    values,
    (db, param) => ({
      compile: () =>
        sql<{ ord: number; version: number }>`
          with input as (
            select * from unnest(
              ${param('tiIds')}::text[], ${param('tryNumbers')}::integer[], ${param('dagIds')}::text[],
              ${param('runIds')}::text[], ${param('taskIds')}::text[], ${param('mapIndexes')}::integer[],
              ${param('keys')}::text[], ${param('values')}::text[], ${param('nows')}::bigint[],
              ${param('expiresAts')}::bigint[], ${param('updatedBys')}::text[], ${param('ifVersions')}::bigint[],
              ${param('depths')}::integer[]
            ) with ordinality as i(ti_id, try_number, dag_id, run_id, task_id, map_index, key, value, now,
                                   expires_at, updated_by, if_version, depth, ord)
          ),
          fence as (
            select i.*, t.dag_run_id, t.state as ti_state, t.try_number as ti_try_number, t.dag_id as ti_dag_id,
                   t.run_id as ti_run_id
            from input i join task_instance t on t.id = i.ti_id
            for share of t
          ),
          current_row as (
            select s.id, s.version as current_version, f.* from fence f join task_state s
              on s.dag_run_id = f.dag_run_id and s.task_id = f.task_id and s.map_index = f.map_index
             and s.item_key is null and s.key = f.key
            where f.ti_state = 'running' and f.ti_try_number = f.try_number
              and f.ti_dag_id = f.dag_id and f.ti_run_id = f.run_id
              and (f.if_version is null
                   or (s.version = f.if_version and (s.expires_at is null or s.expires_at > f.now)))
            for update of s
          ),
          updated as (
            update task_state s
            set value = c.value, version = c.current_version + 1, updated_at = c.now,
                expires_at = c.expires_at, updated_by = c.updated_by
            from current_row c where s.id = c.id
            returning s.id, s.version
          ),
          recorded as (
            insert into state_history (dag_run_id, task_id, map_index, asset_id, dag_id, item_key, key, version,
                                       operation, value, written_at, written_by)
            select c.dag_run_id, c.task_id, c.map_index, null, null, null, c.key, u.version,
                   'set', c.value, c.now, c.updated_by
            from updated u join current_row c on c.id = u.id
          ),
          trimmed as (
            delete from state_history h using updated u join current_row c on c.id = u.id
            where h.dag_run_id = c.dag_run_id and h.task_id = c.task_id and h.map_index = c.map_index
              and h.item_key is null and h.key = c.key and h.version <= u.version - c.depth
          )
          select c.ord::integer as ord, u.version from updated u join current_row c on c.id = u.id`.compile(db),
    }),
  );
  const versions: (number | undefined)[] = writes.map(() => undefined);
  for (const row of rows) versions[row.ord - 1] = row.version;
  return versions;
}
