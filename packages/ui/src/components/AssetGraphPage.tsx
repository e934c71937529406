import { Background, Controls, type Edge, MarkerType, ReactFlow } from '@xyflow/react';
import '@xyflow/react/dist/style.css';
import { useMemo } from 'react';
import { assetsQuery } from '../api/queries.ts';
import {
  type AssetGraph,
  type AssetGraphEdge,
  type AssetGraphNode as AssetGraphNodeModel,
  assetGraphOf,
  describeEdge,
} from '../graph/asset-graph.ts';
import { layOutAssetGraph } from '../graph/asset-graph-layout.ts';
import { navigate } from '../hooks/use-location.ts';
import { usePolling } from '../hooks/use-polling.ts';
import { paths } from '../routes.ts';
import { type AssetGraphFlowNode, AssetGraphNode } from './AssetGraphNode.tsx';
import { ErrorNotice } from './ErrorNotice.tsx';
import { Link } from './Link.tsx';

/** The arrowheads' colours (SVG markers take no class): those of styles.css's edge classes. */
const EDGE_COLOURS: Record<AssetGraphEdge['kind'], string> = {
  produces: '#0b6e99',
  schedules: '#2e9d4f',
  inlet: '#65717f',
};

/** Outside the component: React Flow re-creates every node when this object changes. */
const NODE_TYPES = { dag: AssetGraphNode, asset: AssetGraphNode };

/** Every asset with the DAGs that produce it, are scheduled on it, or read it; pan, zoom, click through. */
export function AssetGraphPage() {
  const assets = usePolling(assetsQuery(), 30_000);
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
  return (
    <div className="asset-graph" data-testid="asset-graph">
      <ReactFlow
        nodes={nodes}
        edges={edges}
        nodeTypes={NODE_TYPES}
        onEdgeClick={(_, edge) => edge.data && navigate(edge.data.to)}
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

/** An edge leads to the page of the node it points at (the asset, or the consuming DAG). */
type AssetGraphFlowEdge = Edge<{ readonly to: string }>;

function toFlow(graph: AssetGraph): { nodes: AssetGraphFlowNode[]; edges: AssetGraphFlowEdge[] } {
  const positions = layOutAssetGraph(graph);
  const pageOf = new Map(graph.nodes.map((node) => [node.id, pathOf(node)]));
  const nodes = graph.nodes.map((node) => ({
    id: node.id,
    type: node.kind,
    position: positions.get(node.id) ?? { x: 0, y: 0 },
    data: { node },
  }));
  const edges = graph.edges.map((edge) =>
    flowEdge(edge, describeEdge(edge, graph), pageOf.get(edge.target) ?? paths.assetGraph()),
  );
  return { nodes, edges };
}

function pathOf(node: AssetGraphNodeModel): string {
  return node.kind === 'dag' ? paths.dag(node.dagId) : paths.asset(node.assetId);
}

function flowEdge(edge: AssetGraphEdge, description: string, to: string): AssetGraphFlowEdge {
  return {
    id: edge.id,
    source: edge.source,
    target: edge.target,
    data: { to },
    className: `graph-edge graph-edge-${edge.kind}`,
    markerEnd: { type: MarkerType.ArrowClosed, color: EDGE_COLOURS[edge.kind] },
    focusable: true,
    ariaRole: 'link',
    ariaLabel: description,
    // Enter on a focused edge follows it, as a click does.
    domAttributes: {
      onKeyDown: (event) => {
        if (event.key === 'Enter') navigate(to);
      },
    },
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
