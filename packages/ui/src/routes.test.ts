import { describe, expect, it } from 'vitest';
import { paths, routeOf } from './routes.ts';

function route(path: string) {
  const url = new URL(path, 'http://ui');
  return routeOf(url.pathname, url.searchParams);
}

describe('routes', () => {
  it('reads back every path it builds, ids with slashes, dots and pluses included', () => {
    expect(route(paths.dags())).toEqual({ page: 'dags' });
    expect(route(paths.dag('etl/v2'))).toEqual({ page: 'dag', dagId: 'etl/v2', tab: null });
    expect(route(paths.dag('etl', 'state'))).toEqual({ page: 'dag', dagId: 'etl', tab: 'state' });
    const runId = 'manual__2026-11-24T00:00:00.123+00:00';
    expect(route(paths.run('etl', runId))).toEqual({ page: 'run', dagId: 'etl', runId, tab: null });
    expect(route(paths.run('etl', runId, 'gantt'))).toEqual({ page: 'run', dagId: 'etl', runId, tab: 'gantt' });
    expect(route(paths.dagGraph('etl/v2'))).toEqual({ page: 'dag_graph', dagId: 'etl/v2', runId: null });
    expect(route(paths.dagGraph('etl', runId))).toEqual({ page: 'dag_graph', dagId: 'etl', runId });
    expect(route(paths.task('etl', runId, 'load', 3, 'storage'))).toEqual({
      page: 'task',
      dagId: 'etl',
      runId,
      taskId: 'load',
      mapIndex: 3,
      tab: 'storage',
    });
    expect(route(paths.task('etl', runId, 'load'))).toMatchObject({ mapIndex: -1, tab: null });
    expect(route(paths.assets())).toEqual({ page: 'assets' });
    expect(route(paths.assetGraph())).toEqual({ page: 'asset_graph' });
    expect(route(paths.asset(7, 'state'))).toEqual({ page: 'asset', assetId: 7, tab: 'state' });
  });

  it('names an unknown path not_found', () => {
    expect(route('/nope')).toEqual({ page: 'not_found' });
    expect(route('/assets/x')).toEqual({ page: 'not_found' });
    expect(route('/dags/etl/runs')).toEqual({ page: 'not_found' });
    // Not valid percent-encoding: a page that says so, not an exception that blanks the app.
    expect(route('/dags/%E0%A4')).toEqual({ page: 'not_found' });
  });
});
