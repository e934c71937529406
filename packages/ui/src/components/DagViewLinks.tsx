import { paths } from '../routes.ts';
import { Link } from './Link.tsx';

/** The other views of a DAG: its graph (the page shows the grid). */
export function DagViewLinks({ dagId }: { dagId: string }) {
  return (
    <p className="small view-links">
      <Link to={paths.dagGraph(dagId)}>Show as a graph</Link>
    </p>
  );
}
