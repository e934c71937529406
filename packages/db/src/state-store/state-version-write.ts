import type { DialectName } from '../dialect/database-url.ts';
import { runPreparedInOrder } from '../dialect/prepared-query.ts';
import type { Db } from '../open-database.ts';
import { historyStatements } from './state-history-repository.ts';
import { insertStateRowStatement, type StateRowWrite, updateStateRowStatement } from './state-rows.ts';
import type { StateTarget } from './state-target.ts';

/**
 * Stores a key's next version — its row updated (`rowId`) or inserted — and records it in history
 * as a `set`, trimming history to `depth`: one round trip on PostgreSQL. The caller holds the lock.
 */
export function storeStateVersion(
  db: Db,
  dialect: DialectName,
  target: StateTarget,
  key: string,
  rowId: number | undefined,
  stored: StateRowWrite,
  depth: number,
): Promise<void> {
  const row =
    rowId === undefined ? insertStateRowStatement(target, key, stored) : updateStateRowStatement(target, rowId, stored);
  const history = historyStatements(
    target,
    {
      key,
      version: stored.version,
      operation: 'set',
      value: stored.value,
      writtenAt: stored.updated_at,
      writtenBy: stored.updated_by,
    },
    depth,
  );
  return runPreparedInOrder(db, dialect, [row, ...history]);
}
