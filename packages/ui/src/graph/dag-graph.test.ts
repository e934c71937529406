import { describe, expect, it } from 'vitest';
import type { DagTask, TaskInstance } from '../api/types.ts';
import { dagGraphOf, layOutDagGraph, TASK_NODE_WIDTH } from './dag-graph.ts';

function task(task_id: string, upstream: string[] = [], map_over: string | null = null): DagTask {
  return {
    task_id,
    upstream_task_ids: upstream,
    downstream_task_ids: [],
    map_over,
    retries: 0,
    inlets: [],
    outlets: [],
  } as unknown as DagTask;
}

function ti(task_id: string, state: string | null, map_index = -1, try_number = 1): TaskInstance {
  return { task_id, state, map_index, try_number } as unknown as TaskInstance;
}

describe('the DAG graph', () => {
  const tasks = [task('load', ['split']), task('split', ['extract'], 'files'), task('extract')];

  it('has a node per task in dependency order and an edge per dependency, laid out left to right', () => {
    const graph = dagGraphOf(tasks);
    expect(graph.nodes.map((node) => node.id)).toEqual(['extract', 'split', 'load']);
    expect(graph.edges.map((edge) => edge.id)).toEqual(['split->load', 'extract->split']);
    expect(graph.nodes.map((node) => [node.mapped, node.state])).toEqual([
      [false, undefined],
      [true, undefined],
      [false, undefined],
    ]);
    const positions = layOutDagGraph(graph);
    const x = (id: string) => positions.get(id)?.x ?? Number.NaN;
    expect(x('extract') + TASK_NODE_WIDTH).toBeLessThan(x('split'));
    expect(x('split') + TASK_NODE_WIDTH).toBeLessThan(x('load'));
  });

  it("colours each task by its run's TIs: a mapped task by its most urgent one, with their count and retries", () => {
    const graph = dagGraphOf(tasks, [
      ti('extract', 'success'),
      ti('split', 'success', 0),
      ti('split', 'failed', 1, 2),
      ti('split', 'running', 2),
    ]);
    const byId = new Map(graph.nodes.map((node) => [node.id, node]));
    expect(byId.get('extract')).toMatchObject({ state: 'success', instances: 1, retried: false, mapIndex: -1 });
    expect(byId.get('split')).toMatchObject({ state: 'failed', instances: 3, retried: true, mapIndex: undefined });
    expect(byId.get('load')).toMatchObject({ state: 'none', instances: 0 });
  });
});
