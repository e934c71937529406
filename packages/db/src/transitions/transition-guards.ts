import {
  allowedDagRunFromStates,
  allowedFromStates,
  type DagRunState,
  type TiStateName,
  type TransitionActor,
} from '@tidemark/core';
import type { ExpressionBuilder } from 'kysely';
import type { DatabaseSchema } from '../schema/database-schema.ts';

/**
 * The WHERE clause of a guarded state write: the row's current state must be one the core table
 * (`TASK_INSTANCE_TRANSITIONS`, `DAG_RUN_TRANSITIONS`) lets `actor` move into `to`. A row in any
 * other state is left as it is.
 */

export function tiStateAllows(to: TiStateName, actor: TransitionActor) {
  const from = allowedFromStates(to, actor);
  if (from.length === 0) throw new Error(`no task-instance transition to "${to}" by ${actor} in core's table`);
  const states = from.filter((state) => state !== 'none');
  const fromNone = from.includes('none');
  return (eb: ExpressionBuilder<DatabaseSchema, 'task_instance'>) => {
    if (states.length === 0) return eb('state', 'is', null);
    if (!fromNone) return eb('state', 'in', states);
    return eb.or([eb('state', 'is', null), eb('state', 'in', states)]);
  };
}

export function dagRunStateAllows(to: DagRunState, actor: TransitionActor) {
  const from = allowedDagRunFromStates(to, actor);
  if (from.length === 0) throw new Error(`no DAG-run transition to "${to}" by ${actor} in core's table`);
  return (eb: ExpressionBuilder<DatabaseSchema, 'dag_run'>) => eb('state', 'in', [...from]);
}
