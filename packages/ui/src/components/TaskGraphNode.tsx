import { Handle, type Node, type NodeProps, Position } from '@xyflow/react';
import type { TaskGraphNode as GraphNode } from '../graph/dag-graph.ts';
import { Link } from './Link.tsx';

export type TaskFlowNode = Node<{ readonly node: GraphNode; readonly to: string | undefined }, 'task'>;

/** A task in the DAG graph: its id (linking to its task instance in the chosen run) and that TI's state. */
export function TaskGraphNode({ data: { node, to } }: NodeProps<TaskFlowNode>) {
  const state = node.state;
  const kind = node.mapped ? `mapped${node.instances > 0 ? ` ×${node.instances}` : ''}` : 'task';
  return (
    <div
      className={`graph-node task-node${state ? ` task-node-${state}` : ''}`}
      data-testid={`task-node-${node.taskId}`}
      data-state={state ?? ''}
      data-tooltip={`${node.taskId}${state ? `: ${state.replaceAll('_', ' ')}` : ''}${node.retried ? ', needed more than one try' : ''}`}
    >
      <Handle type="target" position={Position.Left} isConnectable={false} />
      <span className="graph-node-kind">
        {kind}
        {state && <span className={`task-node-state state-${state}`}>{state.replaceAll('_', ' ')}</span>}
        {node.retried && (
          <span className="task-node-retried" role="img" aria-label="retried">
            ↻
          </span>
        )}
      </span>
      {to ? (
        <Link to={to} className="graph-node-name nodrag nopan">
          {node.taskId}
        </Link>
      ) : (
        <span className="graph-node-name">{node.taskId}</span>
      )}
      <Handle type="source" position={Position.Right} isConnectable={false} />
    </div>
  );
}
