import { upstreamAssetEventsQuery } from '../api/queries.ts';
import { usePolling } from '../hooks/use-polling.ts';
import { AssetEventTable } from './AssetEventTable.tsx';
import { ErrorNotice } from './ErrorNotice.tsx';

/** The asset events an asset-triggered run consumed (they never change, so they load once). */
export function TriggeringAssetEvents({ dagId, runId }: { dagId: string; runId: string }) {
  const events = usePolling(upstreamAssetEventsQuery(dagId, runId), null);
  return (
    <>
      <h2>Triggered by asset events</h2>
      <ErrorNotice error={events.error} onRetry={events.reload} />
      {events.data && events.data.length === 0 && <p className="muted">No events recorded for this run.</p>}
      {events.data && events.data.length > 0 && (
        <AssetEventTable events={events.data} withAsset={true} testId="triggering-asset-events" />
      )}
    </>
  );
}
