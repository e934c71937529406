import type { AssetEvent } from '../api/types.ts';
import { formatTime } from '../format/time.ts';
import { paths } from '../routes.ts';
import { AssetEventSource } from './AssetEventSource.tsx';
import { JsonView } from './JsonView.tsx';
import { Link } from './Link.tsx';

/** Asset events: when, (which asset,) where each came from, and its extra. */
export function AssetEventTable({
  events,
  withAsset,
  testId,
}: {
  events: readonly AssetEvent[];
  withAsset: boolean;
  testId: string;
}) {
  return (
    <div className="table-wrap">
      <table className="table" data-testid={testId}>
        <thead>
          <tr>
            <th>When</th>
            {withAsset && <th>Asset</th>}
            <th>Source</th>
            <th>Extra</th>
          </tr>
        </thead>
        <tbody>
          {events.map((event) => (
            <tr key={event.id} data-event-id={event.id}>
              <td data-label="When">{formatTime(event.timestamp)}</td>
              {withAsset && (
                <td data-label="Asset">
                  <Link to={paths.asset(event.asset_id)} className="strong">
                    {event.asset_name}
                  </Link>
                </td>
              )}
              <td data-label="Source">
                <AssetEventSource event={event} />
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
  );
}
