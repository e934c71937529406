import { Handle, type Node, type NodeProps, Position } from '@xyflow/react';
import type { AssetGraphNode as GraphNode } from '../graph/asset-graph.ts';
import { paths } from '../routes.ts';
import { Link } from './Link.tsx';

export type AssetGraphFlowNode = Node<{ readonly node: GraphNode }, 'dag' | 'asset'>;

/** A DAG or an asset in the asset graph: its kind, and its name linking to its page. */
export function AssetGraphNode({ data: { node } }: NodeProps<AssetGraphFlowNode>) {
  const [to, name, title] =
    node.kind === 'dag'
      ? [paths.dag(node.dagId), node.dagId, `DAG ${node.dagId}`]
      : [paths.asset(node.assetId), node.name, node.uri === node.name ? `asset ${node.name}` : `asset ${node.uri}`];
  return (
    <div className={`graph-node graph-node-${node.kind}`} data-tooltip={title}>
      <Handle type="target" position={Position.Left} isConnectable={false} />
      <span className="graph-node-kind">{node.kind === 'dag' ? 'DAG' : 'asset'}</span>
      <Link to={to} className="graph-node-name nodrag nopan">
        {name}
      </Link>
      <Handle type="source" position={Position.Right} isConnectable={false} />
    </div>
  );
}
