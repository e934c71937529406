import { Background, Controls, type Edge, MarkerType, ReactFlow } from '@xyflow/react';
import '@xyflow/react/dist/style.css';
import { useMemo } from 'react';
import { listAssets } from '../api/assets-api.ts';
import { type AssetGraph, type AssetGraphEdge, assetGraphOf, describeEdge } from '../graph/asset-graph.ts';
import { layOutAssetGraph } from '../graph/asset-graph-layout.ts';
import { navigate } from '../hooks/use-location.ts';
import { usePolling } from '../hooks/use-polling.ts';
import { paths } from '../routes.ts';
import { type AssetGraphFlowNode, AssetGraphNode } from './AssetGraphNode.tsx';
import { ErrorNotice } from './ErrorNotice.tsx';
import { Link } from './Link.tsx';

/** Outside the component: React Flow re-creates every node when this object changes. */
const NODE_TYPES = { dag: AssetGraphNode, asset: AssetGraphNode };

/** Every asset with the DAGs that produce it, are scheduled on it, or read it; pan, zoom, click through. */
export function AssetGraphPage() {
  const assets = usePolling(listAssets, 'assets', 30_000);
  const graph = useMemo(() => (assets.data ? assetGraphOf(assets.data) : undefined), [assets.data]);
  return (
    <section>
      <nav className="breadcrumbs">
        <Link to={paths.assets()}>Assets</Link> / <span>Graph</span>
      </nav>
      <div className="page-head">
        <h1>Asset graph</h1>
      </div>
      <ErrorNotice error={assets.error} onRetry={assets.reload} />
      {graph && graph.nodes.length === 0 && <p className="muted">No DAG declares an asset yet.</p>}
      {graph && graph.nodes.length > 0 && <AssetGraphView graph={graph} />}
      <GraphLegend />
    </section>
  );
}

function AssetGraphView({ graph }: { graph: AssetGraph }) {
  const { nodes, edges } = useMemo(() => toFlow(graph), [graph]);
  const byId = useMemo(() => new Map(graph.edges.map((edge) => [edge.id, edge])), [graph]);
  // Following an edge opens the page of the node it points at.
  const follow = (_: unknown, flowEdge: Edge) => {
    const edge = byId.get(flowEdge.id);
    const target = graph.nodes.find((node) => node.id === edge?.target);
    if (target) navigate(target.kind === 'dag' ? paths.dag(target.dagId) : paths.asset(target.assetId));
  };
  return (
    <div className="asset-graph" data-testid="asset-graph">
      <ReactFlow
        nodes={nodes}
        edges={edges}
        nodeTypes={NODE_TYPES}
        onEdgeClick={follow}
        nodesDraggable={false}
        nodesConnectable={false}
        elementsSelectable={false}
        fitView
        minZoom={0.2}
        maxZoom={2}
      >
        <Background gap={16} />
        <Controls showInteractive={false} />
      </ReactFlow>
    </div>
  );
}

function toFlow(graph: AssetGraph): { nodes: AssetGraphFlowNode[]; edges: Edge[] } {
  const positions = layOutAssetGraph(graph);
  const nodes = graph.nodes.map((node) => ({
    id: node.id,
    type: node.kind,
    position: positions.get(node.id) ?? { x: 0, y: 0 },
    data: { node },
  }));
  const edges = graph.edges.map((edge) => flowEdge(edge, describeEdge(edge, graph)));
  return { nodes, edges };
}

function flowEdge(edge: AssetGraphEdge, description: string): Edge {
  return {
    id: edge.id,
    source: edge.source,
    target: edge.target,
    className: `graph-edge graph-edge-${edge.kind}`,
    markerEnd: { type: MarkerType.ArrowClosed },
    animated: edge.kind === 'schedules',
    focusable: true,
    ariaRole: 'link',
    ariaLabel: description,
    ...(edge.kind === 'produces' ? {} : { label: edge.kind === 'schedules' ? 'schedules' : 'inlet' }),
  };
}

function GraphLegend() {
  return (
    <div className="legend">
      <span className="legend-item">
        <span className="legend-line legend-line-produces" /> produces (task outlet)
      </span>
      <span className="legend-item">
        <span className="legend-line legend-line-schedules" /> schedules the DAG (its events make runs)
      </span>
      <span className="legend-item">
        <span className="legend-line legend-line-inlet" /> read by a task (inlet), no schedule
      </span>
    </div>
  );
}
