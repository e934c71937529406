import { paths } from '../routes.ts';
import { Link } from './Link.tsx';

/** Tasks that produce or consume an asset, each linking to its DAG. */
export function TaskReferences({ tasks }: { tasks: readonly { readonly dag_id: string; readonly task_id: string }[] }) {
  if (tasks.length === 0) return <span className="muted">—</span>;
  return (
    <span className="task-refs">
      {tasks.map((task) => (
        <Link key={`${task.dag_id}.${task.task_id}`} to={paths.dag(task.dag_id)}>
          {task.dag_id}.{task.task_id}
        </Link>
      ))}
    </span>
  );
}
