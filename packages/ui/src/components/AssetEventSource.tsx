import type { AssetEvent } from '../api/types.ts';
import { paths } from '../routes.ts';
import { Link } from './Link.tsx';

/** Where an asset event came from: a task attempt (linked), an API user, or a watcher. */
export function AssetEventSource({ event }: { event: AssetEvent }) {
  switch (event.source_kind) {
    case 'api':
      return <span title="posted through the API">user {event.source_user ?? '?'}</span>;
    case 'watcher':
      return <span title="emitted by a watcher">watcher {event.source_watcher ?? '?'}</span>;
    case 'task': {
      const { source_dag_id: dagId, source_run_id: runId, source_task_id: taskId } = event;
      if (!dagId || !runId || !taskId) return <span className="muted">task (run deleted)</span>;
      const mapIndex = event.source_map_index ?? -1;
      return (
        <span className="writer">
          <Link to={paths.task(dagId, runId, taskId, mapIndex)}>
            {dagId} / {runId} / {taskId}
            {mapIndex === -1 ? '' : ` [${mapIndex}]`}
          </Link>
          {event.source_try_number !== null && <span className="muted small">try {event.source_try_number}</span>}
        </span>
      );
    }
  }
}
