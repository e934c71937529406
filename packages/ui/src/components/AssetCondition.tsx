import { queuedAssetEventsQuery } from '../api/queries.ts';
import { usePolling } from '../hooks/use-polling.ts';
import { ErrorNotice } from './ErrorNotice.tsx';

const REFRESH_MS = 5_000;

/**
 * What an asset-scheduled DAG waits for: its condition, the events queued since its last
 * asset-triggered run, and the assets of the condition with no event yet.
 */
export function AssetCondition({ dagId, expression }: { dagId: string; expression: string }) {
  const queued = usePolling(queuedAssetEventsQuery(dagId), REFRESH_MS);
  const waitingFor = queued.data?.waiting_for ?? [];
  return (
    <>
      <dt>Asset condition</dt>
      <dd data-testid="asset-condition">
        <code>{expression}</code>
        <ErrorNotice error={queued.error} onRetry={queued.reload} />
        {queued.data && (
          <div className="small" data-testid="asset-queue">
            <span>
              {queued.data.total_entries} queued {queued.data.total_entries === 1 ? 'event' : 'events'}
            </span>
            {' · '}
            {waitingFor.length === 0 ? (
              <span>waiting for no asset</span>
            ) : (
              <span>
                waiting for{' '}
                {waitingFor.map((asset, index) => (
                  <span key={`${asset.name}\u0000${asset.uri}`}>
                    {index > 0 && ', '}
                    <code title={asset.uri}>{asset.name}</code>
                  </span>
                ))}
              </span>
            )}
          </div>
        )}
      </dd>
    </>
  );
}
