import type { AssetReference, JsonValue } from '@tidemark/core/task-process';
import type { TaskContext } from '../context/task-context.ts';
import type { Asset } from './asset.ts';
import type { TaskPolicy, TaskPolicyOptions } from './task-policy.ts';
import type { AnyTaskRef } from './task-ref.ts';

export type TaskFunction<TResult> = (context: TaskContext) => TResult;
export type MappedTaskFunction<TItem, TResult> = (context: TaskContext, item: TItem) => TResult;

export interface TaskOptions extends TaskPolicyOptions {
  /** Assets the task reads; it may read and write their asset state. */
  readonly inlets?: readonly Asset[];
  /** Assets the task produces: its success emits an asset event for each. */
  readonly outlets?: readonly Asset[];
}

/** What `dag.map` takes besides the options of every task. */
export interface MappedTaskOptions<TItem> extends TaskOptions {
  /**
   * SPEC §17: keys each mapped TI's task state by its item instead of its map index — scope
   * `(dag_id, run_id, task_id, stateKey(item))` — so that when the upstream list changes and the
   * task runs again, each item finds its own state (its job id, its checkpoint). Must return a
   * string of 1–512 characters, the same for the same item, different for different items.
   */
  readonly stateKey?: (item: TItem) => string;
}

export const TASK_OPTION_NAMES = [
  'retries',
  'retryDelay',
  'retryExponentialBackoff',
  'maxRetryDelay',
  'executionTimeout',
  'inlets',
  'outlets',
] as const;

/** A task as the task process runs it: its function, and everything `serialize` says about it. */
export interface TaskDefinition {
  readonly dagId: string;
  readonly taskId: string;
  readonly ref: AnyTaskRef;
  /** The upstream task whose returned array this task is mapped over, or null. */
  readonly mapOver: string | null;
  /** Direct upstream task ids, in the order the tasks were defined. */
  readonly upstreamTaskIds: readonly string[];
  readonly policy: TaskPolicy;
  readonly inlets: readonly AssetReference[];
  readonly outlets: readonly AssetReference[];
  /** For a task mapped with `stateKey`: the item key of an element (SPEC §17); else null. */
  readonly stateKey: ((mapItem: JsonValue) => string) | null;
  /** For a mapped task, called with the element of the upstream array as `mapItem`. */
  readonly fn: (context: TaskContext, mapItem?: JsonValue) => unknown;
}
