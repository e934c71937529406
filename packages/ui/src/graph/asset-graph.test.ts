import { describe, expect, it } from 'vitest';
import type { Asset } from '../api/types.ts';
import { assetGraphOf, describeEdge } from './asset-graph.ts';
import { layOutAssetGraph, NODE_WIDTH } from './asset-graph-layout.ts';

function asset(id: number, name: string, links: Partial<Asset> = {}): Asset {
  return {
    id,
    name,
    uri: name,
    group: 'asset',
    active: true,
    consuming_tasks: [],
    producing_tasks: [],
    scheduled_dags: [],
    last_asset_event: null,
    extra: {},
    created_at: '2026-01-01T00:00:00Z',
    updated_at: '2026-01-01T00:00:00Z',
    ...links,
  };
}

describe('asset graph', () => {
  const assets = [
    asset(1, 'orders', {
      producing_tasks: [
        { dag_id: 'export', task_id: 'dump' },
        { dag_id: 'export', task_id: 'dump_again' },
      ],
      consuming_tasks: [
        { dag_id: 'report', task_id: 'build' },
        { dag_id: 'audit', task_id: 'check' },
      ],
      scheduled_dags: [{ dag_id: 'report' }],
    }),
    asset(2, 'customers', { scheduled_dags: [{ dag_id: 'report' }] }),
  ];

  it('links producer DAG → asset → scheduled or reading DAG, one edge per pair, and each DAG once', () => {
    const graph = assetGraphOf(assets);
    expect(graph.nodes.map((node) => node.id).sort()).toEqual(
      ['asset:1', 'asset:2', 'dag:audit', 'dag:export', 'dag:report'].sort(),
    );
    expect(graph.edges).toEqual([
      {
        id: 'dag:export->asset:1',
        source: 'dag:export',
        target: 'asset:1',
        kind: 'produces',
        taskIds: ['dump', 'dump_again'],
      },
      { id: 'asset:1->dag:report', source: 'asset:1', target: 'dag:report', kind: 'schedules', taskIds: ['build'] },
      { id: 'asset:1->dag:audit', source: 'asset:1', target: 'dag:audit', kind: 'inlet', taskIds: ['check'] },
      { id: 'asset:2->dag:report', source: 'asset:2', target: 'dag:report', kind: 'schedules', taskIds: [] },
    ]);
    expect(graph.edges.map((edge) => describeEdge(edge, graph))).toEqual([
      'export produces orders (dump, dump_again)',
      'orders schedules report (build)',
      'audit reads orders (check)',
      'customers schedules report',
    ]);
  });

  it('lays producers left of their assets, and assets left of their consumers', () => {
    const positions = layOutAssetGraph(assetGraphOf(assets));
    const x = (id: string) => positions.get(id)?.x ?? Number.NaN;
    expect(x('dag:export') + NODE_WIDTH).toBeLessThan(x('asset:1'));
    expect(x('asset:1') + NODE_WIDTH).toBeLessThan(x('dag:report'));
    expect(x('asset:1') + NODE_WIDTH).toBeLessThan(x('dag:audit'));
  });
});
