import { listAssetEvents } from '../api/assets-api.ts';
import { formatTime } from '../format/time.ts';
import { usePolling } from '../hooks/use-polling.ts';
import { paths } from '../routes.ts';
import { ErrorNotice } from './ErrorNotice.tsx';
import { JsonView } from './JsonView.tsx';
import { Link } from './Link.tsx';

/** An asset's events, newest first: which task instance produced each. */
export function AssetEvents({ assetId }: { assetId: number }) {
  const events = usePolling(() => listAssetEvents(assetId), String(assetId), 10_000);
  return (
    <div>
      <ErrorNotice error={events.error} onRetry={events.reload} />
      {events.data && events.data.length === 0 && <p className="muted">No events yet.</p>}
      {events.data && events.data.length > 0 && (
        <div className="table-wrap">
          <table className="table" data-testid="asset-events">
            <thead>
              <tr>
                <th>When</th>
                <th>Produced by</th>
                <th>Extra</th>
              </tr>
            </thead>
            <tbody>
              {events.data.map((event) => (
                <tr key={event.id}>
                  <td data-label="When">{formatTime(event.timestamp)}</td>
                  <td data-label="Produced by">
                    {event.source_dag_id && event.source_run_id && event.source_task_id ? (
                      <Link
                        to={paths.task(
                          event.source_dag_id,
                          event.source_run_id,
                          event.source_task_id,
                          event.source_map_index ?? -1,
                        )}
                      >
                        {event.source_dag_id} / {event.source_run_id} / {event.source_task_id}
                      </Link>
                    ) : (
                      <span className="muted">—</span>
                    )}
                  </td>
                  <td data-label="Extra">
                    {Object.keys(event.extra).length === 0 ? (
                      <span className="muted">—</span>
                    ) : (
                      <JsonView value={event.extra} />
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
