import dagre from '@dagrejs/dagre';

export interface Position {
  readonly x: number;
  readonly y: number;
}

/**
 * Left-to-right layers by dagre: each node's top-left corner (React Flow places nodes by it; dagre
 * gives centres). Every node has the same size.
 */
export function layOutLeftToRight(
  nodeIds: readonly string[],
  edges: readonly { readonly source: string; readonly target: string }[],
  size: { readonly width: number; readonly height: number },
  spacing: { readonly nodesep: number; readonly ranksep: number } = { nodesep: 24, ranksep: 90 },
): Map<string, Position> {
  const layout = new dagre.graphlib.Graph();
  layout.setGraph({ rankdir: 'LR', ...spacing, marginx: 16, marginy: 16 });
  layout.setDefaultEdgeLabel(() => ({}));
  for (const id of nodeIds) layout.setNode(id, { width: size.width, height: size.height });
  for (const edge of edges) layout.setEdge(edge.source, edge.target);
  dagre.layout(layout);
  const positions = new Map<string, Position>();
  for (const id of nodeIds) {
    const placed = layout.node(id);
    positions.set(id, { x: placed.x - size.width / 2, y: placed.y - size.height / 2 });
  }
  return positions;
}
