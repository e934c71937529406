import { Background, Controls, type Edge, MarkerType, ReactFlow } from '@xyflow/react';
import '@xyflow/react/dist/style.css';
import { useMemo } from 'react';
import type { DagTask, TaskInstance } from '../api/types.ts';
import { dagGraphOf, layOutDagGraph, type TaskGraph, type TaskGraphNode as TaskNodeModel } from '../graph/dag-graph.ts';
import { paths } from '../routes.ts';
import { type TaskFlowNode, TaskGraphNode } from './TaskGraphNode.tsx';

/** Outside the component: React Flow re-creates every node when this object changes. */
const NODE_TYPES = { task: TaskGraphNode };

/**
 * A DAG's tasks and dependencies, laid out left to right by dagre and drawn by React Flow; with a
 * run, each task is coloured by its task instances' state and links to its TI (a mapped task with
 * several, to the run's list of them).
 */
export function DagGraph({
  dagId,
  tasks,
  runId,
  taskInstances,
}: {
  dagId: string;
  tasks: readonly DagTask[];
  runId?: string | undefined;
  taskInstances?: readonly TaskInstance[] | undefined;
}) {
  const graph = useMemo(() => dagGraphOf(tasks, taskInstances), [tasks, taskInstances]);
  // The layout depends on the tasks alone: a state change only recolours.
  const positions = useMemo(() => layOutDagGraph(dagGraphOf(tasks)), [tasks]);
  const { nodes, edges } = useMemo(
    () => toFlow(graph, positions, (node) => linkOf(dagId, runId, node)),
    [graph, positions, dagId, runId],
  );
  if (tasks.length === 0) return <p className="muted">This DAG has no tasks.</p>;
  return (
    <div className="dag-graph" data-testid="dag-graph">
      <ReactFlow
        nodes={nodes}
        edges={edges}
        nodeTypes={NODE_TYPES}
        nodesDraggable={false}
        nodesConnectable={false}
        elementsSelectable={false}
        fitView
        minZoom={0.1}
        maxZoom={2}
      >
        <Background gap={16} />
        <Controls showInteractive={false} />
      </ReactFlow>
    </div>
  );
}

function linkOf(dagId: string, runId: string | undefined, node: TaskNodeModel): string | undefined {
  if (runId === undefined || node.instances === 0) return undefined;
  if (node.mapIndex !== undefined) return paths.task(dagId, runId, node.taskId, node.mapIndex);
  return paths.run(dagId, runId, undefined, { task: node.taskId });
}

function toFlow(
  graph: TaskGraph,
  positions: ReadonlyMap<string, { x: number; y: number }>,
  link: (node: TaskNodeModel) => string | undefined,
): { nodes: TaskFlowNode[]; edges: Edge[] } {
  const nodes = graph.nodes.map(
    (node): TaskFlowNode => ({
      id: node.id,
      type: 'task',
      position: positions.get(node.id) ?? { x: 0, y: 0 },
      data: { node, to: link(node) },
    }),
  );
  const edges = graph.edges.map(
    (edge): Edge => ({
      id: edge.id,
      source: edge.source,
      target: edge.target,
      className: 'graph-edge-task',
      markerEnd: { type: MarkerType.ArrowClosed },
      focusable: false,
    }),
  );
  return { nodes, edges };
}
