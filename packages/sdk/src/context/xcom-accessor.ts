import { encodeStateValue, type JsonValue, TidemarkError, validateStateKey } from '@tidemark/core/task-process';
import { isTaskRef, type MappedTaskRef, type TaskRef } from '../dag/task-ref.ts';
import type { SupervisorRequester } from '../runner/supervisor-channel.ts';

export interface XComPullOptions {
  /** One map index of a mapped task; without it, all its map indices, in order. */
  readonly mapIndex: number;
}

/** Reads what upstream tasks of this DAG run returned. */
export interface XComAccessor {
  /** Every map index's return value, in map-index order. */
  pull<TItemReturn>(task: MappedTaskRef<TItemReturn>): Promise<TItemReturn[]>;
  pull<TItemReturn>(task: MappedTaskRef<TItemReturn>, options: XComPullOptions): Promise<TItemReturn>;
  pull<TReturn>(task: TaskRef<TReturn>): Promise<TReturn>;
  /**
   * Stores a value under `key` for downstream tasks, besides the return value (which is
   * `return_value`). Like the return value it belongs to this try: a retry starts without it.
   */
  push(key: string, value: JsonValue): Promise<void>;
}

export const RETURN_VALUE_KEY = 'return_value';

export function createXComAccessor(dagId: string, supervisor: Pick<SupervisorRequester, 'request'>): XComAccessor {
  return Object.freeze({
    async pull(task: unknown, options?: XComPullOptions): Promise<never> {
      if (!isTaskRef(task)) {
        throw new TidemarkError(
          'invalid_xcom_pull',
          'ctx.xcom.pull takes a task returned by dag.task() or dag.map() of this DAG',
        );
      }
      if (task.dagId !== dagId) {
        throw new TidemarkError(
          'invalid_xcom_pull',
          `ctx.xcom.pull: task "${task.taskId}" belongs to DAG "${task.dagId}", not to this DAG "${dagId}"`,
        );
      }
      const mapIndex = options?.mapIndex;
      if (mapIndex !== undefined && !(Number.isSafeInteger(mapIndex) && mapIndex >= 0)) {
        throw new TidemarkError(
          'invalid_xcom_pull',
          `ctx.xcom.pull: mapIndex must be a whole number ≥ 0, got ${String(mapIndex)}`,
        );
      }
      const params = mapIndex === undefined ? { taskId: task.taskId } : { taskId: task.taskId, mapIndex };
      return (await supervisor.request('xcom.pull', params)) as never;
    },
    async push(key: string, value: JsonValue): Promise<void> {
      validateStateKey(key);
      if (key === RETURN_VALUE_KEY) {
        throw new TidemarkError(
          'invalid_xcom_push',
          `ctx.xcom.push: "${RETURN_VALUE_KEY}" is the task's return value; return it instead`,
        );
      }
      encodeStateValue(value, 0);
      await supervisor.request('xcom.push', { key, value });
    },
  });
}
