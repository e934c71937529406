import { inSqliteTransactionNow, type SqliteStatementRunner } from '../dialect/sqlite-connection.ts';
import type { Db } from '../open-database.ts';
import { isCurrentAttempt } from './attempt-fence.ts';
import type { OwnTaskKeyRewrite } from './one-statement-set.ts';
import { trimsHistory } from './state-history-repository.ts';

// The fence and the key's row in one read: the TI at the attempt's try, and the row of its run.
const READ_FENCE_AND_ROW = `
  select ti.state, ti.try_number, ti.dag_run_id, s.id, s.version, s.expires_at
  from task_instance ti
  left join task_state s
    on s.dag_run_id = ti.dag_run_id and s.task_id = ? and s.map_index = ? and s.item_key is null and s.key = ?
  where ti.id = ? and ti.dag_id = ? and ti.run_id = ?`;
const UPDATE_ROW = `
  update task_state set value = ?, version = ?, updated_at = ?, expires_at = ?, updated_by = ? where id = ?`;
const RECORD_HISTORY = `
  insert into state_history (dag_run_id, task_id, map_index, key, version, operation, value, written_at, written_by)
  values (?, ?, ?, ?, ?, 'set', ?, ?, ?)`;
const TRIM_HISTORY = `
  delete from state_history
  where dag_run_id = ? and task_id = ? and map_index = ? and item_key is null and key = ? and version <= ?`;

interface FenceAndRow {
  readonly state: string | null;
  readonly try_number: number;
  readonly dag_run_id: number;
  readonly id: number | null;
  readonly version: number | null;
  readonly expires_at: number | null;
}

/**
 * The common `set` on SQLite — an attempt writing again a key of its own task state — for the
 * writes that arrived together (see TaskRewriteBatcher), in one write transaction run synchronously
 * on the connection (inSqliteTransactionNow): per write, the fence and the key's row in one read,
 * the update, the history record and the trim when due, each a fixed statement. The same effect as
 * the general path, without Kysely's transaction, its per-shape statement lookup and its separate
 * fence read.
 *
 * Returns each write's new version, in the order given, or undefined for a write it wrote nothing
 * for: a stale attempt, no row yet, a compare-and-set that does not match. The caller then runs the
 * general path for those, which decides them and says why. Throws when the transaction fails (the
 * database busy beyond its timeout, an I/O error), having written nothing.
 */
export function rewriteManyOnSqlite(db: Db, writes: readonly OwnTaskKeyRewrite[]): Promise<(number | undefined)[]> {
  return inSqliteTransactionNow(db, (run) => writes.map((write) => rewriteOne(run, write)));
}

function rewriteOne(run: SqliteStatementRunner, write: OwnTaskKeyRewrite): number | undefined {
  const { scope, fence, key } = write;
  const [found] = run<FenceAndRow>(READ_FENCE_AND_ROW, [
    scope.taskId,
    scope.mapIndex,
    key,
    fence.tiId,
    scope.dagId,
    scope.runId,
  ]);
  if (!found || !isCurrentAttempt(found, fence.tryNumber)) return undefined;
  if (found.id === null || found.version === null) return undefined;
  if (write.ifVersion !== undefined) {
    const live = found.expires_at === null || found.expires_at > write.now;
    if ((live ? found.version : 0) !== write.ifVersion) return undefined;
  }
  const version = found.version + 1;
  const at = [found.dag_run_id, scope.taskId, scope.mapIndex, key] as const;
  run(UPDATE_ROW, [write.value, version, write.now, write.expiresAt, write.updatedBy, found.id]);
  run(RECORD_HISTORY, [...at, version, write.value, write.now, write.updatedBy]);
  if (trimsHistory(version, write.historyDepth)) run(TRIM_HISTORY, [...at, version - write.historyDepth]);
  return version;
}
