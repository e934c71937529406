import { describe, expect, it } from 'vitest';
import { routeOf } from './routes.ts';
import { titleOf } from './titles.ts';

const title = (path: string) => {
  const url = new URL(path, 'http://ui');
  return titleOf(routeOf(url.pathname, url.searchParams));
};

describe('page titles', () => {
  it('name the page first and Tidemark last', () => {
    expect(title('/')).toBe('DAGs · Tidemark');
    expect(title('/dags/etl')).toBe('etl · Tidemark');
    expect(title('/dags/etl/graph')).toBe('Graph of etl · Tidemark');
    expect(title('/dags/etl/runs/r1?tab=gantt')).toBe('Gantt of r1 · etl · Tidemark');
    expect(title('/dags/etl/runs/r1/tasks/load?map_index=2')).toBe('load [2] · r1 · etl · Tidemark');
    expect(title('/dags/%E0%A4')).toBe('Not found · Tidemark');
  });
});
