import { assetsQuery } from '../api/queries.ts';
import { formatTime } from '../format/time.ts';
import { usePolling } from '../hooks/use-polling.ts';
import { paths } from '../routes.ts';
import { ErrorNotice } from './ErrorNotice.tsx';
import { Link } from './Link.tsx';
import { TaskReferences } from './TaskReferences.tsx';

/** The assets active DAGs declare, with who produces and consumes them. */
export function AssetListPage() {
  const assets = usePolling(assetsQuery(), 10_000);
  return (
    <section>
      <div className="page-head">
        <h1>Assets</h1>
        <Link to={paths.assetGraph()}>Show as a graph</Link>
      </div>
      <ErrorNotice error={assets.error} onRetry={assets.reload} />
      {assets.data && assets.data.length === 0 && <p className="muted">No DAG declares an asset yet.</p>}
      {assets.data && assets.data.length > 0 && (
        <div className="table-wrap">
          <table className="table" data-testid="asset-list">
            <thead>
              <tr>
                <th>Asset</th>
                <th>URI</th>
                <th>Produced by</th>
                <th>Consumed by</th>
                <th>Last event</th>
              </tr>
            </thead>
            <tbody>
              {assets.data.map((asset) => (
                <tr key={asset.id}>
                  <td data-label="Asset">
                    <Link to={paths.asset(asset.id)} className="strong">
                      {asset.name}
                    </Link>
                  </td>
                  <td data-label="URI">
                    <code>{asset.uri}</code>
                  </td>
                  <td data-label="Produced by">
                    <TaskReferences tasks={asset.producing_tasks} />
                  </td>
                  <td data-label="Consumed by">
                    <TaskReferences tasks={asset.consuming_tasks} />
                  </td>
                  <td data-label="Last event">{formatTime(asset.last_asset_event?.timestamp)}</td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}
    </section>
  );
}
