import { dagRunQuery, taskInstancesQuery } from '../api/queries.ts';
import { elapsedSeconds, formatDuration, formatTime } from '../format/time.ts';
import { usePolling } from '../hooks/use-polling.ts';
import { paths } from '../routes.ts';
import { ErrorNotice } from './ErrorNotice.tsx';
import { JsonView } from './JsonView.tsx';
import { Link } from './Link.tsx';
import { RunActions } from './RunActions.tsx';
import { StateBadge } from './StateBadge.tsx';
import { TriggeringAssetEvents } from './TriggeringAssetEvents.tsx';

const LIVE_MS = 2_000;
const IDLE_MS = 15_000;

/** One DAG run: its state, times and conf, and its task instances. */
export function RunPage({ dagId, runId }: { dagId: string; runId: string }) {
  const run = usePolling(dagRunQuery(dagId, runId), LIVE_MS);
  const live = run.data === undefined || run.data.state === 'running' || run.data.state === 'queued';
  const tis = usePolling(taskInstancesQuery(dagId, runId), live ? LIVE_MS : IDLE_MS);

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
      <h2>Task instances</h2>
      {tis.data && (
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
              {tis.data.map((ti) => (
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
      )}
    </section>
  );
}
