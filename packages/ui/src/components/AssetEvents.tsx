import { assetEventsQuery } from '../api/queries.ts';
import { usePolling } from '../hooks/use-polling.ts';
import { AssetEventTable } from './AssetEventTable.tsx';
import { ErrorNotice } from './ErrorNotice.tsx';

/** An asset's events, newest first: the task instance, API user or watcher each came from. */
export function AssetEvents({ assetId }: { assetId: number }) {
  const events = usePolling(assetEventsQuery(assetId), 10_000);
  return (
    <div>
      <ErrorNotice error={events.error} onRetry={events.reload} />
      {events.data && events.data.length === 0 && <p className="muted">No events yet.</p>}
      {events.data && events.data.length > 0 && (
        <AssetEventTable events={events.data} withAsset={false} testId="asset-events" />
      )}
    </div>
  );
}
