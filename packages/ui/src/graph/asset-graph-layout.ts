import dagre from '@dagrejs/dagre';
import type { AssetGraph } from './asset-graph.ts';

export const NODE_WIDTH = 220;
export const NODE_HEIGHT = 48;

export interface Position {
  readonly x: number;
  readonly y: number;
}

/** Left-to-right layers by dagre (producers, then assets, then consumers): each node's top-left corner. */
export function layOutAssetGraph(graph: AssetGraph): Map<string, Position> {
  const layout = new dagre.graphlib.Graph();
  layout.setGraph({ rankdir: 'LR', nodesep: 24, ranksep: 90, marginx: 16, marginy: 16 });
  layout.setDefaultEdgeLabel(() => ({}));
  for (const node of graph.nodes) layout.setNode(node.id, { width: NODE_WIDTH, height: NODE_HEIGHT });
  for (const edge of graph.edges) layout.setEdge(edge.source, edge.target);
  dagre.layout(layout);
  const positions = new Map<string, Position>();
  for (const node of graph.nodes) {
    const placed = layout.node(node.id);
    // dagre gives centres; React Flow places nodes by their top-left corner.
    positions.set(node.id, { x: placed.x - NODE_WIDTH / 2, y: placed.y - NODE_HEIGHT / 2 });
  }
  return positions;
}
