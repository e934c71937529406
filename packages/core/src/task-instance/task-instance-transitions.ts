import { TASK_INSTANCE_STATES, type TaskInstanceState } from './task-instance-state.ts';

/**
 * Every change of a task instance's state that Tidemark makes, and who makes it. The database
 * writes no TI state but through guards built from this table (`packages/db/src/transitions/`):
 * an UPDATE only touches a TI whose current state is one of the transition's `from` states.
 *
 * `none` is a TI that exists but is not scheduled yet (the column holds NULL). Creating a TI is
 * not a transition: a new run's TIs start in `none`, and an expanded mapped task's TIs start
 * `queued`.
 */

/** A TI state, with `none` for "not scheduled yet" (NULL in the database). */
export type TiStateName = TaskInstanceState | 'none';

export const TI_STATE_NAMES: readonly TiStateName[] = ['none', ...TASK_INSTANCE_STATES];

/**
 * Who moves a TI:
 * * `scheduler`: the scheduling pass, from the TIs' dependencies and the DAG.
 * * `attempt`: one try's life: claimed by a worker, finished or deferred by it, resumed when its
 *   wait fired (SPEC §16), or failed by the scheduler when its worker stopped heartbeating (a
 *   zombie) or its wait timed out. Always the TI's current attempt.
 * * `operator`: a person, through the public API, the UI or the CLI (clear, mark).
 */
export type TransitionActor = 'scheduler' | 'attempt' | 'operator';

export interface TiTransition {
  readonly to: TiStateName;
  readonly from: readonly TiStateName[];
  readonly by: TransitionActor;
  readonly why: string;
}

const ANY_STATE_BUT = (...excluded: TiStateName[]) => TI_STATE_NAMES.filter((state) => !excluded.includes(state));

// biome-ignore format: one row per transition, read as a table
export const TASK_INSTANCE_TRANSITIONS: readonly TiTransition[] = [
  { to: 'queued',          from: ['none', 'scheduled', 'up_for_retry'],                       by: 'scheduler', why: "dependencies met, a retry's delay passed, or a deferred try's wait fired" },
  { to: 'upstream_failed', from: ['none'],                                                    by: 'scheduler', why: 'an upstream TI failed' },
  { to: 'skipped',         from: ['none'],                                                    by: 'scheduler', why: 'an upstream was skipped, or a mapped task got an empty list' },
  { to: 'failed',          from: ['none'],                                                    by: 'scheduler', why: 'a mapped task whose upstream did not return a list' },
  { to: 'removed',         from: ['none', 'scheduled', 'queued', 'up_for_retry', 'deferred'], by: 'scheduler', why: 'the task is no longer in the DAG' },
  { to: 'running',         from: ['queued'],                                                  by: 'attempt',   why: 'a worker claimed the TI: a new try starts, or a deferred try resumes (same try number)' },
  { to: 'success',         from: ['running'],                                                 by: 'attempt',   why: 'the try succeeded' },
  { to: 'skipped',         from: ['running'],                                                 by: 'attempt',   why: 'the try skipped itself' },
  { to: 'deferred',        from: ['running'],                                                 by: 'attempt',   why: 'the try deferred: its process ended, a triggerer runs its wait; no worker slot is held' },
  { to: 'scheduled',       from: ['deferred'],                                                by: 'attempt',   why: "the try's wait fired: the scheduler queues it to resume (once, however often the wait fired)" },
  { to: 'up_for_retry',    from: ['running', 'deferred'],                                     by: 'attempt',   why: 'the try failed (or its worker died, or its wait failed or timed out) with tries left' },
  { to: 'failed',          from: ['running', 'deferred'],                                     by: 'attempt',   why: 'the try failed (or its worker died, or its wait failed or timed out) with no tries left' },
  { to: 'none',            from: ANY_STATE_BUT('none'),                                       by: 'operator',  why: "cleared: run it again (also: upstream_failed TIs downstream of a TI marked success); a deferred TI's wait is cancelled" },
  { to: 'success',         from: ANY_STATE_BUT('success'),                                    by: 'operator',  why: "marked success (a deferred TI's wait is cancelled)" },
  { to: 'failed',          from: ANY_STATE_BUT('failed'),                                     by: 'operator',  why: "marked failed (a deferred TI's wait is cancelled)" },
];

/** The states `actor` may move a TI from into `to`; empty when `actor` never moves a TI into `to`. */
export function allowedFromStates(to: TiStateName, actor: TransitionActor): readonly TiStateName[] {
  return TASK_INSTANCE_TRANSITIONS.find((transition) => transition.to === to && transition.by === actor)?.from ?? [];
}

export function isAllowedTiTransition(from: TiStateName, to: TiStateName, actor: TransitionActor): boolean {
  return allowedFromStates(to, actor).includes(from);
}
