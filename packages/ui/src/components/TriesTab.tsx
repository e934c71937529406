import { taskInstanceTriesQuery } from '../api/queries.ts';
import type { TaskInstanceAddress } from '../api/task-instances-api.ts';
import { elapsedSeconds, formatDuration, formatTime } from '../format/time.ts';
import { usePolling } from '../hooks/use-polling.ts';
import { ErrorNotice } from './ErrorNotice.tsx';
import { StateBadge } from './StateBadge.tsx';

/** Every try of a task instance, oldest first, with its own times, worker and the state it ended in. */
export function TriesTab({ address, running }: { address: TaskInstanceAddress; running: boolean }) {
  const tries = usePolling(taskInstanceTriesQuery(address), running ? 2_000 : null);
  if (tries.error) return <ErrorNotice error={tries.error} onRetry={tries.reload} />;
  if (!tries.data) return <p className="muted">Loading the tries…</p>;
  if (tries.data.length === 0) return <p className="muted">No try yet.</p>;
  return (
    <div className="table-wrap">
      <table className="table" data-testid="tries">
        <thead>
          <tr>
            <th>Try</th>
            <th>State</th>
            <th>Queued</th>
            <th>Started</th>
            <th>Ended</th>
            <th>Duration</th>
            <th>Worker</th>
          </tr>
        </thead>
        <tbody>
          {tries.data.map((attempt) => (
            <tr key={attempt.try_number}>
              <td data-label="Try">{attempt.try_number}</td>
              <td data-label="State">
                <StateBadge state={attempt.state} />
              </td>
              <td data-label="Queued">{formatTime(attempt.queued_when)}</td>
              <td data-label="Started">{formatTime(attempt.start_date)}</td>
              <td data-label="Ended">{formatTime(attempt.end_date)}</td>
              <td data-label="Duration">
                {formatDuration(attempt.duration ?? elapsedSeconds(attempt.start_date, attempt.end_date))}
              </td>
              <td data-label="Worker">{attempt.hostname ?? '—'}</td>
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  );
}
