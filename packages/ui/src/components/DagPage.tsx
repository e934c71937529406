import { useState } from 'react';
import { isNotFound } from '../api/http.ts';
import { dagQuery } from '../api/queries.ts';
import { useCanOperate } from '../auth/session-context.ts';
import { navigate } from '../hooks/use-location.ts';
import { usePolling } from '../hooks/use-polling.ts';
import { useRunGrid } from '../hooks/use-run-grid.ts';
import { paths } from '../routes.ts';
import { AssetCondition } from './AssetCondition.tsx';
import { DagViewLinks } from './DagViewLinks.tsx';
import { ErrorNotice } from './ErrorNotice.tsx';
import { Link } from './Link.tsx';
import { NotFoundPage } from './NotFoundPage.tsx';
import { PauseToggle } from './PauseToggle.tsx';
import { RunGrid } from './RunGrid.tsx';
import { StatePanel } from './StatePanel.tsx';
import { Tabs } from './Tabs.tsx';
import { TriggerForm } from './TriggerForm.tsx';

const GRID_RUNS = 25;
const REFRESH_MS = 3_000;

const TABS = [
  { id: 'runs', label: 'Runs' },
  { id: 'state', label: 'State' },
] as const;

/** One DAG: its details, pause switch, trigger, the grid of its latest runs, and its DAG state. */
export function DagPage({ dagId, tab = null }: { dagId: string; tab?: string | null }) {
  const active = TABS.some((known) => known.id === tab) ? (tab as string) : 'runs';
  const canOperate = useCanOperate();
  const dag = usePolling(dagQuery(dagId), 10_000);
  const grid = useRunGrid(dagId, GRID_RUNS, REFRESH_MS);
  const [triggering, setTriggering] = useState(false);
  if (isNotFound(dag.error)) return <NotFoundPage what={`The DAG ${dagId}`} detail={dag.error?.message} />;

  return (
    <section>
      <nav className="breadcrumbs">
        <Link to={paths.dags()}>DAGs</Link> / <span>{dagId}</span>
      </nav>
      <div className="page-head">
        <h1>{dagId}</h1>
        {dag.data && <PauseToggle dag={dag.data} onChanged={dag.reload} />}
        {canOperate && !triggering && dag.data && (
          <button type="button" className="primary" onClick={() => setTriggering(true)}>
            Trigger
          </button>
        )}
      </div>
      <ErrorNotice error={dag.error ?? grid.error} onRetry={dag.reload} />
      {dag.data && (
        <dl className="facts">
          <dt>Schedule</dt>
          <dd>
            <code>{dag.data.schedule ?? (dag.data.asset_expression ? 'on assets' : 'manual')}</code>
            {dag.data.schedule && dag.data.asset_expression && <span className="muted"> or on assets</span>}
          </dd>
          {dag.data.asset_expression && <AssetCondition dagId={dagId} expression={dag.data.asset_expression} />}
          <dt>File</dt>
          <dd>
            <code>{dag.data.fileloc}</code>
          </dd>
          {dag.data.description && (
            <>
              <dt>Description</dt>
              <dd>{dag.data.description}</dd>
            </>
          )}
          <dt>Tasks</dt>
          <dd>{dag.data.tasks.length}</dd>
        </dl>
      )}
      {triggering && <TriggerForm dagId={dagId} onClose={() => setTriggering(false)} />}
      <Tabs tabs={TABS} active={active} onSelect={(id) => navigate(paths.dag(dagId, id === 'runs' ? undefined : id))}>
        {active === 'runs' && (
          <>
            <DagViewLinks dagId={dagId} />
            {dag.data && grid.data && <RunGrid tasks={dag.data.tasks} grid={grid.data} />}
            <Legend />
          </>
        )}
        {active === 'state' && (
          <>
            <p className="muted small">
              Shared by every run and task of this DAG (<code>ctx.dagState</code>); kept until deleted, or until the
              expiry a task gave it.
            </p>
            <StatePanel owner={{ kind: 'dag', dagId }} live={false} />
          </>
        )}
      </Tabs>
    </section>
  );
}

function Legend() {
  const states = [
    'success',
    'running',
    'queued',
    'scheduled',
    'deferred',
    'up_for_retry',
    'failed',
    'upstream_failed',
    'skipped',
    'none',
  ];
  return (
    <div className="legend">
      {states.map((state) => (
        <span key={state} className="legend-item">
          <span className={`cell state-${state}`} /> {state.replaceAll('_', ' ')}
        </span>
      ))}
      <span className="legend-item">
        <span className="cell state-success cell-retried" /> needed more than one try
      </span>
    </div>
  );
}
