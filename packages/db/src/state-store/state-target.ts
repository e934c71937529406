import { AssetNotFoundError, DagRunNotFoundError, type StateScope } from '@tidemark/core';
import type { Db } from '../open-database.ts';

/**
 * Where one scope's rows live: the table and the column values that select the scope. Task state
 * and asset state differ only here, so the backend has one code path for both.
 */
/** The columns that select one scope, in a state table or in `state_history`. */
export interface ScopeColumns {
  readonly dag_run_id?: number;
  readonly task_id?: string;
  readonly map_index?: number;
  readonly asset_id?: number;
}

export interface StateTarget {
  readonly table: 'task_state' | 'asset_state';
  /** Column equalities selecting the scope's rows. */
  readonly filter: ScopeColumns;
  /** The same scope as `state_history` columns. */
  readonly historyFilter: ScopeColumns;
  /** Columns a new row needs besides key/value/version/timestamps. */
  readonly insertColumns: Readonly<Record<string, string | number>>;
  readonly expires: boolean;
}

/** Resolves a scope; `undefined` when its run or asset does not exist (reads then find nothing). */
export async function findStateTarget(db: Db, scope: StateScope): Promise<StateTarget | undefined> {
  if (scope.kind === 'asset') {
    const asset = await db.selectFrom('asset').select('id').where('id', '=', scope.assetId).executeTakeFirst();
    return asset ? assetTarget(scope.assetId) : undefined;
  }
  const run = await db
    .selectFrom('dag_run')
    .select('id')
    .where('dag_id', '=', scope.dagId)
    .where('run_id', '=', scope.runId)
    .executeTakeFirst();
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
  return taskTarget(ti.dag_run_id, scope);
}

function taskTarget(dagRunId: number, scope: Extract<StateScope, { kind: 'task' }>): StateTarget {
  return {
    table: 'task_state',
    filter: { dag_run_id: dagRunId, task_id: scope.taskId, map_index: scope.mapIndex },
    historyFilter: { dag_run_id: dagRunId, task_id: scope.taskId, map_index: scope.mapIndex },
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
export async function requireStateTarget(db: Db, scope: StateScope): Promise<StateTarget> {
  const target = await findStateTarget(db, scope);
  if (target) return target;
  throw scope.kind === 'asset'
    ? new AssetNotFoundError(`with id ${scope.assetId}`)
    : new DagRunNotFoundError(scope.dagId, scope.runId);
}

/** The same task, every map index (an operator's clear). */
export function withoutMapIndex(target: StateTarget): StateTarget {
  const { map_index: _ignored, ...filter } = target.filter;
  const { map_index: _alsoIgnored, ...historyFilter } = target.historyFilter;
  return { ...target, filter, historyFilter };
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
