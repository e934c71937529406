import { assetWatchersQuery } from '../api/queries.ts';
import type { Watcher } from '../api/types.ts';
import { formatDuration, formatTime } from '../format/time.ts';
import { usePolling } from '../hooks/use-polling.ts';
import { paths } from '../routes.ts';
import { ErrorNotice } from './ErrorNotice.tsx';
import { Link } from './Link.tsx';

const STATUS_BADGE: Record<Watcher['status'], string> = {
  running: 'state-running',
  backing_off: 'state-up_for_retry',
  waiting: 'state-queued',
  inactive: 'state-none',
};

/** The watchers of an asset (SPEC §15.3): where each runs, its last poll and event, its last error. */
export function AssetWatchers({ assetId }: { assetId: number }) {
  const watchers = usePolling(assetWatchersQuery(assetId), 5_000);
  if (!watchers.data && !watchers.error) return null;
  if (watchers.data && watchers.data.length === 0) return null;
  return (
    <div className="watchers">
      <h2>Watchers</h2>
      <ErrorNotice error={watchers.error} onRetry={watchers.reload} />
      {watchers.data && (
        <div className="table-wrap">
          <table className="table" data-testid="asset-watchers">
            <thead>
              <tr>
                <th>Watcher</th>
                <th>Status</th>
                <th>Triggerer</th>
                <th>Last poll</th>
                <th>Last event</th>
                <th>Events</th>
                <th>Last error</th>
              </tr>
            </thead>
            <tbody>
              {watchers.data.map((watcher) => (
                <tr key={watcher.id} data-watcher={watcher.name}>
                  <td data-label="Watcher">
                    <span className="strong">{watcher.name}</span>{' '}
                    <span className="muted small">
                      every {formatDuration(watcher.every_ms / 1000)} ·{' '}
                      <Link to={paths.dag(watcher.dag_id)}>{watcher.dag_id}</Link>
                    </span>
                  </td>
                  <td data-label="Status">
                    <span className={`badge ${STATUS_BADGE[watcher.status]}`}>{watcher.status.replace('_', ' ')}</span>
                    {watcher.status === 'backing_off' && watcher.next_poll_at && (
                      <span className="muted small"> next try {formatTime(watcher.next_poll_at)}</span>
                    )}
                  </td>
                  <td data-label="Triggerer">{watcher.triggerer ?? <span className="muted">—</span>}</td>
                  <td data-label="Last poll">{formatTime(watcher.last_poll_at)}</td>
                  <td data-label="Last event">{formatTime(watcher.last_event_at)}</td>
                  <td data-label="Events">{watcher.event_count}</td>
                  <td data-label="Last error">
                    {watcher.last_error ? (
                      <span title={watcher.last_error_at ? `at ${formatTime(watcher.last_error_at)}` : undefined}>
                        {watcher.last_error}
                        {watcher.failure_count > 0 && (
                          <span className="muted small"> ({watcher.failure_count} failed in a row)</span>
                        )}
                      </span>
                    ) : (
                      <span className="muted">—</span>
                    )}
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}
    </div>
  );
}
