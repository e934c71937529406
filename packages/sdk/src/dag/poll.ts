import type { JsonValue } from '@tidemark/core/task-process';
import type { TaskLogger } from '../context/task-logger.ts';

/**
 * A poll declared in a DAG file (SPEC §16): `dag.poll('spark_job', { every: '10s' }, fn)`. A task
 * defers to it with `ctx.defer(dag.waitFor('spark_job', args))`; a triggerer then calls `fn(args,
 * ctx)` every `every` until it returns something other than `undefined` (or null), and the task
 * runs again with `ctx.resumedWith` = that value (JSON). A throw fails the deferred try (its
 * retry policy applies).
 */
export interface PollOptions {
  /** How often the triggerer calls the poll: ms or a duration text ("10s"); at least 100 ms. */
  readonly every: number | string;
}

/** What a poll function receives besides its arguments; it runs on a triggerer, not in the task. */
export interface PollContext {
  readonly dagId: string;
  readonly runId: string;
  readonly taskId: string;
  readonly mapIndex: number;
  /** The deferred try (it resumes with this number). */
  readonly tryNumber: number;
  /** Aborted when the triggerer stops or gives the wait up; stop and return. */
  readonly signal: AbortSignal;
  /** Lines for the triggerer's log. */
  readonly log: TaskLogger;
}

export type PollFunction<TArgs = JsonValue, TResult = JsonValue> = (
  args: TArgs,
  ctx: PollContext,
) => Promise<TResult | undefined | null> | TResult | undefined | null;

export interface PollDefinition {
  readonly name: string;
  readonly everyMs: number;
  readonly fn: PollFunction<never, unknown>;
}
