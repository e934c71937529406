import type { Asset } from '../api/types.ts';

/**
 * The asset graph: DAGs and assets as nodes; a producer DAG points at the assets its tasks emit
 * (outlets), an asset points at the DAGs it schedules and at the DAGs whose tasks read it (inlets).
 * Only DAGs that touch an asset appear.
 */

export type AssetGraphNode =
  | { readonly id: string; readonly kind: 'dag'; readonly dagId: string }
  | {
      readonly id: string;
      readonly kind: 'asset';
      readonly assetId: number;
      readonly name: string;
      readonly uri: string;
    };

/**
 * `produces`: a task of the DAG has the asset as outlet. `schedules`: the DAG's schedule names the
 * asset (its events make runs). `inlet`: a task of the DAG reads the asset, but it does not schedule it.
 */
export type AssetGraphEdgeKind = 'produces' | 'schedules' | 'inlet';

export interface AssetGraphEdge {
  readonly id: string;
  readonly source: string;
  readonly target: string;
  readonly kind: AssetGraphEdgeKind;
  /** The tasks behind the edge (outlet or inlet tasks); none for a bare schedule. */
  readonly taskIds: readonly string[];
}

export interface AssetGraph {
  readonly nodes: readonly AssetGraphNode[];
  readonly edges: readonly AssetGraphEdge[];
}

export const dagNodeId = (dagId: string) => `dag:${dagId}`;
export const assetNodeId = (assetId: number) => `asset:${assetId}`;

export function assetGraphOf(assets: readonly Asset[]): AssetGraph {
  const nodes = new Map<string, AssetGraphNode>();
  const edges: AssetGraphEdge[] = [];
  const addDag = (dagId: string) => {
    const id = dagNodeId(dagId);
    if (!nodes.has(id)) nodes.set(id, { id, kind: 'dag', dagId });
    return id;
  };
  for (const asset of assets) {
    const assetId = assetNodeId(asset.id);
    nodes.set(assetId, { id: assetId, kind: 'asset', assetId: asset.id, name: asset.name, uri: asset.uri });
    for (const [dagId, taskIds] of tasksByDag(asset.producing_tasks)) {
      edges.push({
        id: `${addDag(dagId)}->${assetId}`,
        source: dagNodeId(dagId),
        target: assetId,
        kind: 'produces',
        taskIds,
      });
    }
    const readers = tasksByDag(asset.consuming_tasks);
    const scheduled = new Set(asset.scheduled_dags.map((dag) => dag.dag_id));
    for (const dagId of new Set([...scheduled, ...readers.keys()])) {
      const kind = scheduled.has(dagId) ? 'schedules' : 'inlet';
      const target = addDag(dagId);
      edges.push({ id: `${assetId}->${target}`, source: assetId, target, kind, taskIds: readers.get(dagId) ?? [] });
    }
  }
  return { nodes: [...nodes.values()], edges };
}

function tasksByDag(tasks: readonly { readonly dag_id: string; readonly task_id: string }[]): Map<string, string[]> {
  const byDag = new Map<string, string[]>();
  for (const task of tasks) byDag.set(task.dag_id, [...(byDag.get(task.dag_id) ?? []), task.task_id]);
  return byDag;
}

/** What an edge means, in words (its tooltip and accessible name). */
export function describeEdge(edge: AssetGraphEdge, graph: AssetGraph): string {
  const name = (id: string) => {
    const node = graph.nodes.find((candidate) => candidate.id === id);
    if (!node) return id;
    return node.kind === 'dag' ? node.dagId : node.name;
  };
  const tasks = edge.taskIds.length === 0 ? '' : ` (${edge.taskIds.join(', ')})`;
  switch (edge.kind) {
    case 'produces':
      return `${name(edge.source)} produces ${name(edge.target)}${tasks}`;
    case 'schedules':
      return `${name(edge.source)} schedules ${name(edge.target)}${tasks}`;
    case 'inlet':
      return `${name(edge.target)} reads ${name(edge.source)}${tasks}`;
  }
}
