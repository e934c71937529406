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
  /** For a mapped task, called with the element of the upstream array as `mapItem`. */
  readonly fn: (context: TaskContext, mapItem?: JsonValue) => unknown;
}
