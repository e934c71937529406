import type { AssetGraph } from './asset-graph.ts';
import { layOutLeftToRight, type Position } from './left-to-right-layout.ts';

export type { Position } from './left-to-right-layout.ts';

export const NODE_WIDTH = 220;
export const NODE_HEIGHT = 48;

/** Left-to-right layers by dagre (producers, then assets, then consumers): each node's top-left corner. */
export function layOutAssetGraph(graph: AssetGraph): Map<string, Position> {
  return layOutLeftToRight(
    graph.nodes.map((node) => node.id),
    graph.edges,
    { width: NODE_WIDTH, height: NODE_HEIGHT },
  );
}
