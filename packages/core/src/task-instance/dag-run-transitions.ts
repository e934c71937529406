import type { DagRunState } from './task-instance-state.ts';
import type { TransitionActor } from './task-instance-transitions.ts';

/**
 * Every change of a DAG run's state, and who makes it (the actors of TI transitions). The database
 * writes no run state but through guards built from this table (`packages/db/src/transitions/`).
 * Creating a run is not a transition: a run starts `queued`.
 */

export interface DagRunTransition {
  readonly to: DagRunState;
  readonly from: readonly DagRunState[];
  readonly by: TransitionActor;
  readonly why: string;
}

// biome-ignore format: one row per transition, read as a table
export const DAG_RUN_TRANSITIONS: readonly DagRunTransition[] = [
  { to: 'running', from: ['queued'],            by: 'scheduler', why: 'its first scheduling pass' },
  { to: 'success', from: ['running'],           by: 'scheduler', why: 'every TI finished, none failed' },
  { to: 'failed',  from: ['running'],           by: 'scheduler', why: 'every TI finished, one failed or upstream_failed' },
  { to: 'queued',  from: ['success', 'failed'], by: 'operator',  why: 'a TI of the finished run was cleared or marked: settle it again' },
];

/** The states `actor` may move a run from into `to`; empty when `actor` never moves a run into `to`. */
export function allowedDagRunFromStates(to: DagRunState, actor: TransitionActor): readonly DagRunState[] {
  return DAG_RUN_TRANSITIONS.find((transition) => transition.to === to && transition.by === actor)?.from ?? [];
}

export function isAllowedDagRunTransition(from: DagRunState, to: DagRunState, actor: TransitionActor): boolean {
  return allowedDagRunFromStates(to, actor).includes(from);
}
