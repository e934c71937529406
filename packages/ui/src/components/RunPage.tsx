import { useQueries } from '@tanstack/react-query';
import { lazy, Suspense, useMemo, useState } from 'react';
import { isNotFound } from '../api/http.ts';
import { dagQuery, dagRunQuery, taskInstancesQuery, taskInstanceTriesQuery } from '../api/queries.ts';
import type { TaskInstance, TaskInstanceTry } from '../api/types.ts';
import { needsTryHistory } from '../format/gantt.ts';
import { elapsedSeconds, formatDuration, formatTime } from '../format/time.ts';
import { dependencyRank } from '../graph/task-order.ts';
import { navigate, useLocation } from '../hooks/use-location.ts';
import { usePolling } from '../hooks/use-polling.ts';
import { paths } from '../routes.ts';
import { ErrorNotice } from './ErrorNotice.tsx';
import { JsonView } from './JsonView.tsx';
import { Link } from './Link.tsx';
import { NotFoundPage } from './NotFoundPage.tsx';
import { RunActions } from './RunActions.tsx';
import { RunGantt } from './RunGantt.tsx';
import { StateBadge } from './StateBadge.tsx';
import { StateLegend } from './StateLegend.tsx';
import { Tabs } from './Tabs.tsx';
import { TriggeringAssetEvents } from './TriggeringAssetEvents.tsx';

/** The graph brings React Flow and dagre: loaded when first opened. */
const DagGraph = lazy(() => import('./DagGraph.tsx').then((module) => ({ default: module.DagGraph })));

const LIVE_MS = 2_000;
const IDLE_MS = 15_000;

const TABS = [
  { id: 'tis', label: 'Task instances' },
  { id: 'graph', label: 'Graph' },
  { id: 'gantt', label: 'Gantt' },
] as const;

/** One DAG run: its state, times and conf, and its task instances as a list, a graph or a Gantt. */
export function RunPage({ dagId, runId, tab }: { dagId: string; runId: string; tab: string | null }) {
  const run = usePolling(dagRunQuery(dagId, runId), LIVE_MS);
  const dag = usePolling(dagQuery(dagId), 30_000);
  const live = run.data === undefined || run.data.state === 'running' || run.data.state === 'queued';
  const tis = usePolling(taskInstancesQuery(dagId, runId), live ? LIVE_MS : IDLE_MS);
  const active = TABS.some((known) => known.id === tab) ? (tab as string) : 'tis';
  const rank = useMemo(() => dependencyRank(dag.data?.tasks ?? []), [dag.data]);
  const ordered = useMemo(
    () =>
      [...(tis.data ?? [])].sort(
        (a, b) => rank(a.task_id) - rank(b.task_id) || a.task_id.localeCompare(b.task_id) || a.map_index - b.map_index,
      ),
    [tis.data, rank],
  );

  if (isNotFound(run.error)) {
    return <NotFoundPage what={`The run ${runId} of ${dagId}`} detail={run.error?.message} />;
  }
  return (
    <section>
      <nav className="breadcrumbs">
        <Link to={paths.dags()}>DAGs</Link> / <Link to={paths.dag(dagId)}>{dagId}</Link> / <span>{runId}</span>
      </nav>
      <div className="page-head">
        <h1>{runId}</h1>
        {run.data && <StateBadge state={run.data.state} />}
      </div>
      <ErrorNotice error={run.error ?? tis.error} onRetry={run.reload} />
      {run.data && (
        <dl className="facts">
          <dt>Type</dt>
          <dd>{run.data.run_type}</dd>
          <dt>Logical date</dt>
          <dd>{formatTime(run.data.logical_date)}</dd>
          <dt>Started</dt>
          <dd>{formatTime(run.data.start_date)}</dd>
          <dt>Ended</dt>
          <dd>{formatTime(run.data.end_date)}</dd>
          <dt>Duration</dt>
          <dd>{formatDuration(elapsedSeconds(run.data.start_date, run.data.end_date))}</dd>
          <dt>Conf</dt>
          <dd>
            <JsonView value={run.data.conf} />
          </dd>
        </dl>
      )}
      {run.data && (
        <RunActions
          run={run.data}
          onChanged={() => {
            run.reload();
            tis.reload();
          }}
        />
      )}
      {run.data?.run_type === 'asset_triggered' && <TriggeringAssetEvents dagId={dagId} runId={runId} />}
      <Tabs tabs={TABS} active={active} onSelect={(id) => navigate(paths.run(dagId, runId, id))}>
        {active === 'tis' && tis.data && <TaskInstanceTable dagId={dagId} runId={runId} tis={ordered} />}
        {active === 'graph' && dag.data && (
          <Suspense fallback={<p className="muted">Loading the graph…</p>}>
            <DagGraph dagId={dagId} tasks={dag.data.tasks} runId={runId} taskInstances={tis.data} />
            <StateLegend />
          </Suspense>
        )}
        {active === 'gantt' && tis.data && <RunGanttWithTries dagId={dagId} runId={runId} tis={ordered} live={live} />}
      </Tabs>
    </section>
  );
}

/**
 * The Gantt, with the tries of the TIs whose row does not describe them all (retried, or waiting
 * again): one request for each of those only, refreshed while the run is live.
 */
function RunGanttWithTries({
  dagId,
  runId,
  tis,
  live,
}: {
  dagId: string;
  runId: string;
  tis: readonly TaskInstance[];
  live: boolean;
}) {
  const retried = tis.filter(needsTryHistory);
  const results = useQueries({
    queries: retried.map((ti) => ({
      ...taskInstanceTriesQuery({ dagId, runId, taskId: ti.task_id, mapIndex: ti.map_index }),
      refetchInterval: live ? LIVE_MS : (false as const),
    })),
  });
  const tries = new Map<string, readonly TaskInstanceTry[]>();
  retried.forEach((ti, index) => {
    const data = results[index]?.data;
    if (data) tries.set(ti.id, data);
  });
  const error = results.find((result) => result.error)?.error ?? undefined;
  return (
    <>
      <ErrorNotice error={error} />
      <RunGantt dagId={dagId} runId={runId} taskInstances={tis} tries={tries} now={Date.now()} />
    </>
  );
}

/** The run's task instances in dependency order, filtered by state and task (`?state=`, `?task=`). */
function TaskInstanceTable({ dagId, runId, tis }: { dagId: string; runId: string; tis: readonly TaskInstance[] }) {
  const { search } = useLocation();
  const [state, setState] = useState(search.get('state') ?? '');
  const [task, setTask] = useState(search.get('task') ?? '');
  const states = [...new Set(tis.map((ti) => ti.state ?? 'none'))].sort();
  const shown = tis.filter(
    (ti) => (state === '' || (ti.state ?? 'none') === state) && (task === '' || ti.task_id.includes(task)),
  );
  return (
    <>
      <search className="filters" aria-label="Filter task instances">
        <label className="inline">
          State
          <select value={state} onChange={(event) => setState(event.target.value)} aria-label="Task instance state">
            <option value="">any</option>
            {states.map((name) => (
              <option key={name} value={name}>
                {name.replaceAll('_', ' ')}
              </option>
            ))}
          </select>
        </label>
        <label className="inline">
          Task
          <input
            type="search"
            value={task}
            onChange={(event) => setTask(event.target.value)}
            placeholder="task id"
            aria-label="Task id contains"
          />
        </label>
        <span className="muted small">
          {shown.length} of {tis.length}
        </span>
      </search>
      <div className="table-wrap">
        <table className="table" data-testid="task-instances">
          <thead>
            <tr>
              <th>Task</th>
              <th>State</th>
              <th>Try</th>
              <th>Started</th>
              <th>Duration</th>
            </tr>
          </thead>
          <tbody>
            {shown.map((ti) => (
              <tr key={ti.id}>
                <td data-label="Task">
                  <Link to={paths.task(dagId, runId, ti.task_id, ti.map_index)} className="strong">
                    {ti.task_id}
                    {ti.map_index === -1 ? '' : ` [${ti.map_index}]`}
                  </Link>
                </td>
                <td data-label="State">
                  <StateBadge state={ti.state} />
                </td>
                <td data-label="Try">
                  {ti.try_number} / {ti.max_tries}
                </td>
                <td data-label="Started">{formatTime(ti.start_date)}</td>
                <td data-label="Duration">
                  {formatDuration(ti.duration ?? elapsedSeconds(ti.start_date, ti.end_date))}
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      </div>
    </>
  );
}
