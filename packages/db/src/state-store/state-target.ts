import {
  AssetNotFoundError,
  type AssetScope,
  DagNotFoundError,
  DagRunNotFoundError,
  type DagScope,
  type StateScope,
  type TaskScope,
  validateStateItemKey,
} from '@tidemark/core';
import type { DialectName } from '../dialect/database-url.ts';
import { runPrepared } from '../dialect/prepared-query.ts';
import type { Db } from '../open-database.ts';

/**
 * Where one scope's rows live: the table and the column values that select the scope. Task,
 * asset and DAG state differ only here, so the backend has one code path for all of them.
 */
/** The columns that select one scope, in a state table or in `state_history`. */
export interface ScopeColumns {
  readonly dag_run_id?: number;
  readonly task_id?: string;
  readonly map_index?: number;
  /** `null` selects positional task state (no item key); a text, one item of an item-keyed task. */
  readonly item_key?: string | null;
  readonly asset_id?: number;
  readonly dag_id?: string;
}

export interface StateTarget {
  readonly table: 'task_state' | 'asset_state' | 'dag_state';
  /** Column equalities selecting the scope's rows. */
  readonly filter: ScopeColumns;
  /** The same scope as `state_history` columns. */
  readonly historyFilter: ScopeColumns;
  /** Columns a new row needs besides key/value/version/timestamps. */
  readonly insertColumns: Readonly<Record<string, string | number>>;
  readonly expires: boolean;
}

/** The map index stored on item-keyed rows, which belong to an item, not to a position. */
const ITEM_KEYED_MAP_INDEX = -1;

/** Resolves a scope; `undefined` when its run, asset or DAG does not exist (reads then find nothing). */
export async function findStateTarget(
  db: Db,
  dialect: DialectName,
  scope: StateScope,
): Promise<StateTarget | undefined> {
  if (scope.kind === 'asset') {
    const asset = await db.selectFrom('asset').select('id').where('id', '=', scope.assetId).executeTakeFirst();
    return asset ? assetTarget(scope.assetId) : undefined;
  }
  if (scope.kind === 'dag') {
    const dag = await db.selectFrom('dag').select('dag_id').where('dag_id', '=', scope.dagId).executeTakeFirst();
    return dag ? dagTarget(scope.dagId) : undefined;
  }
  if (scope.itemKey !== undefined) validateStateItemKey(scope.itemKey);
  const values = { dagId: scope.dagId, runId: scope.runId };
  const [run] = await runPrepared(db, dialect, 'state-target-run', values, (db, param) =>
    db.selectFrom('dag_run').select('id').where('dag_id', '=', param('dagId')).where('run_id', '=', param('runId')),
  );
  return run ? taskTarget(run.id, scope) : undefined;
}

/**
 * The target of a write fenced by `ti` (the writing attempt's own TI row, just read): when the scope
 * is that TI's own task state, its run is known without another query.
 */
export function fencedTaskTarget(
  scope: StateScope,
  ti: { readonly dag_run_id: number; readonly dag_id: string; readonly run_id: string } | undefined,
): StateTarget | undefined {
  if (!ti || scope.kind !== 'task' || ti.dag_id !== scope.dagId || ti.run_id !== scope.runId) return undefined;
  if (scope.itemKey !== undefined) validateStateItemKey(scope.itemKey);
  return taskTarget(ti.dag_run_id, scope);
}

/** A task scope's target once its run's id is known. */
export function taskTarget(dagRunId: number, scope: TaskScope): StateTarget {
  if (scope.itemKey !== undefined) {
    const columns = {
      dag_run_id: dagRunId,
      task_id: scope.taskId,
      map_index: ITEM_KEYED_MAP_INDEX,
      item_key: scope.itemKey,
    };
    return {
      table: 'task_state',
      filter: columns,
      historyFilter: columns,
      insertColumns: { ...columns, dag_id: scope.dagId, run_id: scope.runId },
      expires: true,
    };
  }
  const columns = { dag_run_id: dagRunId, task_id: scope.taskId, map_index: scope.mapIndex, item_key: null };
  return {
    table: 'task_state',
    filter: columns,
    historyFilter: columns,
    insertColumns: {
      dag_run_id: dagRunId,
      dag_id: scope.dagId,
      run_id: scope.runId,
      task_id: scope.taskId,
      map_index: scope.mapIndex,
    },
    expires: true,
  };
}

/** For writes: a scope that does not exist is an error naming it. */
export async function requireStateTarget(db: Db, dialect: DialectName, scope: StateScope): Promise<StateTarget> {
  const target = await findStateTarget(db, dialect, scope);
  if (target) return target;
  if (scope.kind === 'asset') throw new AssetNotFoundError(`with id ${scope.assetId}`);
  if (scope.kind === 'dag') throw new DagNotFoundError(scope.dagId);
  throw new DagRunNotFoundError(scope.dagId, scope.runId);
}

/** The same task, every map index and every item key (an operator's clear). */
export function withoutMapIndex(target: StateTarget): StateTarget {
  const { map_index: _index, item_key: _item, ...filter } = target.filter;
  const { map_index: _historyIndex, item_key: _historyItem, ...historyFilter } = target.historyFilter;
  return { ...target, filter, historyFilter };
}

/**
 * Where a read of an asset or DAG scope looks, without a query: a read needs no existence check, as
 * no row outlives its asset or DAG (their foreign keys cascade).
 */
export function readTarget(scope: AssetScope | DagScope): StateTarget {
  return scope.kind === 'asset' ? assetTarget(scope.assetId) : dagTarget(scope.dagId);
}

function assetTarget(assetId: number): StateTarget {
  return {
    table: 'asset_state',
    filter: { asset_id: assetId },
    historyFilter: { asset_id: assetId },
    insertColumns: { asset_id: assetId },
    expires: false,
  };
}

function dagTarget(dagId: string): StateTarget {
  return {
    table: 'dag_state',
    filter: { dag_id: dagId },
    historyFilter: { dag_id: dagId },
    insertColumns: { dag_id: dagId },
    expires: true,
  };
}
