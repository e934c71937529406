import type { SupervisorRequester } from '../runner/supervisor-channel.ts';
import { createScopedStateAccessor, type TaskStateAccessor } from './task-state-accessor.ts';

/**
 * `ctx.dagState` (SPEC §17): state of the task's DAG, shared by every run and task of it — a cursor
 * or a registry that outlives runs, without a global Variable. The methods of `ctx.taskState`, with
 * versions, compare-and-set (`ifVersion`, `update`), monotonic `advance` and history. A key never
 * expires unless `set` gives it a `retention`. A task can reach only its own DAG's state.
 */
export type DagStateAccessor = TaskStateAccessor;

export function createDagStateAccessor(
  supervisor: Pick<SupervisorRequester, 'request'>,
  dagId: string,
  tryNumber: number,
): DagStateAccessor {
  return createScopedStateAccessor({
    target: { kind: 'dag', dagId },
    label: 'ctx.dagState',
    supervisor,
    tryNumber,
    declaredAssets: [],
  });
}
