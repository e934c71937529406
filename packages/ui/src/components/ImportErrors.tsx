import { importErrorsQuery } from '../api/queries.ts';
import { usePolling } from '../hooks/use-polling.ts';

/** DAG files that failed to load: file, line and reason (the other files still load). */
export function ImportErrors() {
  const errors = usePolling(importErrorsQuery(), 10_000);
  const list = errors.data ?? [];
  if (list.length === 0) return null;
  return (
    <details className="notice notice-error" data-testid="import-errors">
      <summary>{list.length === 1 ? '1 DAG file failed to load' : `${list.length} DAG files failed to load`}</summary>
      <ul>
        {list.map((error) => (
          <li key={error.import_error_id}>
            <code>
              {error.fileloc}
              {error.line === null ? '' : `:${error.line}`}
            </code>{' '}
            {error.message}
          </li>
        ))}
      </ul>
    </details>
  );
}
