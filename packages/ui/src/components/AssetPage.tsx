import { isNotFound } from '../api/http.ts';
import { assetQuery } from '../api/queries.ts';
import { navigate } from '../hooks/use-location.ts';
import { usePolling } from '../hooks/use-polling.ts';
import { paths } from '../routes.ts';
import { AssetEvents } from './AssetEvents.tsx';
import { AssetWatchers } from './AssetWatchers.tsx';
import { ErrorNotice } from './ErrorNotice.tsx';
import { Link } from './Link.tsx';
import { NotFoundPage } from './NotFoundPage.tsx';
import { StatePanel } from './StatePanel.tsx';
import { Tabs } from './Tabs.tsx';
import { TaskReferences } from './TaskReferences.tsx';

const TABS = [
  { id: 'events', label: 'Events' },
  { id: 'state', label: 'Asset state' },
] as const;

/** One asset: who produces and consumes it, its events, and its asset state. */
export function AssetPage({ assetId, tab }: { assetId: number; tab: string | null }) {
  const asset = usePolling(assetQuery(assetId), 30_000);
  const active = TABS.some((known) => known.id === tab) ? (tab as string) : 'events';
  if (isNotFound(asset.error)) return <NotFoundPage what={`The asset ${assetId}`} detail={asset.error?.message} />;
  return (
    <section>
      <nav className="breadcrumbs">
        <Link to={paths.assets()}>Assets</Link> / <span>{asset.data?.name ?? assetId}</span>
      </nav>
      <div className="page-head">
        <h1>{asset.data?.name ?? `Asset ${assetId}`}</h1>
        {asset.data && !asset.data.active && <span className="pill pill-paused">inactive</span>}
      </div>
      <ErrorNotice error={asset.error} onRetry={asset.reload} />
      {asset.data && (
        <dl className="facts">
          <dt>URI</dt>
          <dd>
            <code>{asset.data.uri}</code>
          </dd>
          <dt>Produced by</dt>
          <dd>
            <TaskReferences tasks={asset.data.producing_tasks} />
          </dd>
          <dt>Consumed by</dt>
          <dd>
            <TaskReferences tasks={asset.data.consuming_tasks} />
          </dd>
        </dl>
      )}
      <Tabs tabs={TABS} active={active} onSelect={(id) => navigate(paths.asset(assetId, id))}>
        {active === 'events' && <AssetEvents assetId={assetId} />}
        {active === 'state' && (
          <>
            <AssetWatchers assetId={assetId} />
            <p className="muted small">
              Shared across runs by every task that declares this asset and by its watchers.
            </p>
            <StatePanel owner={{ kind: 'asset', assetId }} live={false} />
          </>
        )}
      </Tabs>
    </section>
  );
}
