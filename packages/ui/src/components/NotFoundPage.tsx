import { paths } from '../routes.ts';
import { Link } from './Link.tsx';

/** A page for something that is not there: a path the UI does not know, or a DAG, run or TI the API does not. */
export function NotFoundPage({ what, detail }: { what: string; detail?: string | undefined }) {
  return (
    <section className="not-found" data-testid="not-found">
      <h1>Not found</h1>
      <p>
        {what} does not exist{detail ? `: ${detail}` : '.'}
      </p>
      <p>
        <Link to={paths.dags()}>Back to the DAGs</Link>
      </p>
    </section>
  );
}
