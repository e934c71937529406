import type { TaskInstanceAddress } from '../api/task-instances-api.ts';
import type { StateWriter } from '../api/types.ts';
import { paths } from '../routes.ts';
import { Link } from './Link.tsx';

/**
 * Who wrote a state value: a link to the task instance's attempt, or the user's or system's name.
 * `self` is the task instance whose state this is: its own writes read "this task instance".
 */
export function WriterLabel({ writer, self }: { writer: StateWriter | undefined; self?: TaskInstanceAddress }) {
  if (!writer) return <span className="muted">—</span>;
  switch (writer.kind) {
    case 'api':
      return <span title="written through the API">user {writer.user}</span>;
    case 'system':
      return <span className="muted">system ({writer.reason})</span>;
    case 'watcher':
      return (
        <span title={`written by a poll of watcher "${writer.watcher}", declared in DAG ${writer.dag_id}`}>
          watcher {writer.watcher}
        </span>
      );
    default: {
      const to = paths.task(writer.dag_id, writer.run_id, writer.task_id, writer.map_index, 'storage');
      const isSelf =
        self !== undefined &&
        self.dagId === writer.dag_id &&
        self.runId === writer.run_id &&
        self.taskId === writer.task_id &&
        self.mapIndex === writer.map_index;
      if (isSelf) return <span>this task instance, try {writer.try_number}</span>;
      const mapped = writer.map_index === -1 ? '' : `[${writer.map_index}]`;
      return (
        <span className="writer">
          <Link to={to}>
            {writer.dag_id}.{writer.task_id}
            {mapped} try {writer.try_number}
          </Link>
          <span className="muted small">run {writer.run_id}</span>
        </span>
      );
    }
  }
}
