import type { Route } from './routes.ts';

/** The browser tab's title for a page: the thing shown first, then where it belongs. */
export function titleOf(route: Route): string {
  const parts = ((): string[] => {
    switch (route.page) {
      case 'dags':
        return ['DAGs'];
      case 'dag':
        return [route.dagId];
      case 'dag_graph':
        return [`Graph of ${route.dagId}`];
      case 'run':
        return [route.tab === 'gantt' ? `Gantt of ${route.runId}` : route.runId, route.dagId];
      case 'task':
        return [`${route.taskId}${route.mapIndex === -1 ? '' : ` [${route.mapIndex}]`}`, route.runId, route.dagId];
      case 'assets':
        return ['Assets'];
      case 'asset_graph':
        return ['Asset graph'];
      case 'asset':
        return [`Asset ${route.assetId}`];
      default:
        return ['Not found'];
    }
  })();
  return [...parts, 'Tidemark'].join(' · ');
}
