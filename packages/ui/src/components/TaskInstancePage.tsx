import { useEffect, useState } from 'react';
import { isNotFound } from '../api/http.ts';
import { taskInstanceQuery } from '../api/queries.ts';
import type { TaskInstanceAddress } from '../api/task-instances-api.ts';
import type { TaskInstance } from '../api/types.ts';
import { elapsedSeconds, formatDuration, formatTime } from '../format/time.ts';
import { navigate } from '../hooks/use-location.ts';
import { usePolling } from '../hooks/use-polling.ts';
import { paths } from '../routes.ts';
import { ErrorNotice } from './ErrorNotice.tsx';
import { Link } from './Link.tsx';
import { LogsTab } from './LogsTab.tsx';
import { NotFoundPage } from './NotFoundPage.tsx';
import { StateBadge } from './StateBadge.tsx';
import { StorageTab } from './StorageTab.tsx';
import { Tabs } from './Tabs.tsx';
import { TaskInstanceActions } from './TaskInstanceActions.tsx';
import { TriesTab } from './TriesTab.tsx';

const TABS = [
  { id: 'logs', label: 'Logs' },
  { id: 'storage', label: 'Storage' },
  { id: 'tries', label: 'Tries' },
] as const;

const LIVE_MS = 2_000;
const IDLE_MS = 10_000;
const FINISHED = new Set(['success', 'failed', 'upstream_failed', 'skipped', 'removed']);

/** One task instance: its state and tries, with its logs and its storage (XCom and task state). */
export function TaskInstancePage({ address, tab }: { address: TaskInstanceAddress; tab: string | null }) {
  const { dagId, runId, taskId, mapIndex } = address;
  const [finished, setFinished] = useState(false);
  const ti = usePolling(taskInstanceQuery(address), finished ? IDLE_MS : LIVE_MS);
  const active = TABS.some((known) => known.id === tab) ? (tab as string) : 'logs';
  const running = ti.data !== undefined && !FINISHED.has(ti.data.state ?? 'none');
  // A finished TI changes only when someone clears or marks it: refresh it less often.
  useEffect(() => setFinished(ti.data !== undefined && !running), [ti.data, running]);
  const title = `${taskId}${mapIndex === -1 ? '' : ` [${mapIndex}]`}`;

  if (isNotFound(ti.error)) {
    return <NotFoundPage what={`The task instance ${title} of ${dagId} / ${runId}`} detail={ti.error?.message} />;
  }
  return (
    <section>
      <nav className="breadcrumbs">
        <Link to={paths.dags()}>DAGs</Link> / <Link to={paths.dag(dagId)}>{dagId}</Link> /{' '}
        <Link to={paths.run(dagId, runId)}>{runId}</Link> / <span>{title}</span>
      </nav>
      <div className="page-head">
        <h1>{title}</h1>
        {ti.data && <StateBadge state={ti.data.state} />}
      </div>
      <ErrorNotice error={ti.error} onRetry={ti.reload} />
      {ti.data && (
        <>
          <dl className="facts">
            <dt>Try</dt>
            <dd>
              {ti.data.try_number} of {ti.data.max_tries}
            </dd>
            <dt>Started</dt>
            <dd>{formatTime(ti.data.start_date)}</dd>
            <dt>Duration</dt>
            <dd>{formatDuration(ti.data.duration ?? elapsedSeconds(ti.data.start_date, ti.data.end_date))}</dd>
            <dt>Worker</dt>
            <dd>{ti.data.hostname ?? '—'}</dd>
            {ti.data.next_retry_at && (
              <>
                <dt>Next retry</dt>
                <dd>{formatTime(ti.data.next_retry_at)}</dd>
              </>
            )}
            {ti.data.deferral && <DeferralFacts deferral={ti.data.deferral} />}
          </dl>
          <TaskInstanceActions address={address} onDone={ti.reload} />
        </>
      )}
      <Tabs tabs={TABS} active={active} onSelect={(id) => navigate(paths.task(dagId, runId, taskId, mapIndex, id))}>
        {active === 'logs' && ti.data && <LogsTab address={address} taskInstance={ti.data} />}
        {active === 'storage' && <StorageTab address={address} running={running} />}
        {active === 'tries' && <TriesTab address={address} running={running} />}
      </Tabs>
    </section>
  );
}

/** The wait of a deferred try (SPEC §16): what it waits for, its next check, its timeout. */
function DeferralFacts({ deferral }: { deferral: NonNullable<TaskInstance['deferral']> }) {
  const wait =
    deferral.kind === 'timer'
      ? 'timer'
      : `poll "${deferral.wait}" every ${formatDuration((deferral.every_ms ?? 0) / 1000)}`;
  return (
    <>
      <dt>Waiting for</dt>
      <dd>
        {wait}
        {deferral.status === 'fired' ? ` — fired ${formatTime(deferral.fired_at)}, resuming` : ''}
      </dd>
      {deferral.next_check_at && (
        <>
          <dt>{deferral.kind === 'timer' ? 'Fires' : 'Next check'}</dt>
          <dd>{formatTime(deferral.next_check_at)}</dd>
        </>
      )}
      <dt>Wait timeout</dt>
      <dd>{deferral.timeout_at ? formatTime(deferral.timeout_at) : 'none'}</dd>
      <dt>Triggerer</dt>
      <dd>{deferral.triggerer ?? '—'}</dd>
    </>
  );
}
