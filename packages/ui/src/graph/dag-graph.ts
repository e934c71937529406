import type { DagTask, TaskInstance } from '../api/types.ts';
import { mostUrgentState } from '../format/task-state.ts';
import { layOutLeftToRight, type Position } from './left-to-right-layout.ts';
import { tasksInDependencyOrder } from './task-order.ts';

export const TASK_NODE_WIDTH = 200;
export const TASK_NODE_HEIGHT = 52;

/**
 * A DAG's tasks as a graph (an edge from each upstream task to its downstream task), coloured by
 * the task instances of one run when a run is chosen.
 */
export interface TaskGraphNode {
  readonly id: string;
  readonly taskId: string;
  /** The task is mapped (`map_over`): one TI per item. */
  readonly mapped: boolean;
  /** Of the chosen run: the most urgent state of its TIs; undefined without a run. */
  readonly state: string | undefined;
  /** How many TIs the task has in the run (a mapped task: one per item). */
  readonly instances: number;
  /** Some TI needed more than one try. */
  readonly retried: boolean;
  /** The single TI's map index, when there is exactly one. */
  readonly mapIndex: number | undefined;
}

export interface TaskGraphEdge {
  readonly id: string;
  readonly source: string;
  readonly target: string;
}

export interface TaskGraph {
  readonly nodes: readonly TaskGraphNode[];
  readonly edges: readonly TaskGraphEdge[];
}

export function dagGraphOf(tasks: readonly DagTask[], taskInstances?: readonly TaskInstance[]): TaskGraph {
  const known = new Set(tasks.map((task) => task.task_id));
  const nodes = tasksInDependencyOrder(tasks).map((task): TaskGraphNode => {
    const tis = taskInstances?.filter((ti) => ti.task_id === task.task_id) ?? [];
    const only = tis.length === 1 ? tis[0] : undefined;
    return {
      id: task.task_id,
      taskId: task.task_id,
      mapped: task.map_over !== null,
      state: taskInstances ? mostUrgentState(tis.length === 0 ? [null] : tis.map((ti) => ti.state)) : undefined,
      instances: tis.length,
      retried: tis.some((ti) => ti.try_number > 1),
      mapIndex: only?.map_index,
    };
  });
  const edges = tasks.flatMap((task) =>
    task.upstream_task_ids
      .filter((upstream) => known.has(upstream))
      .map((upstream) => ({ id: `${upstream}->${task.task_id}`, source: upstream, target: task.task_id })),
  );
  return { nodes, edges };
}

export function layOutDagGraph(graph: TaskGraph): Map<string, Position> {
  return layOutLeftToRight(
    graph.nodes.map((node) => node.id),
    graph.edges,
    { width: TASK_NODE_WIDTH, height: TASK_NODE_HEIGHT },
    { nodesep: 18, ranksep: 60 },
  );
}
