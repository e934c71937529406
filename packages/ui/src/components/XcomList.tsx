import { xcomsQuery } from '../api/queries.ts';
import type { TaskInstanceAddress } from '../api/task-instances-api.ts';
import { usePolling } from '../hooks/use-polling.ts';
import { ErrorNotice } from './ErrorNotice.tsx';
import { JsonView } from './JsonView.tsx';

/** The task instance's XComs (read only): they belong to the latest try. */
export function XcomList({ address, running }: { address: TaskInstanceAddress; running: boolean }) {
  const xcoms = usePolling(xcomsQuery(address), running ? 3_000 : null);
  return (
    <div>
      <ErrorNotice error={xcoms.error} onRetry={xcoms.reload} />
      {xcoms.data && xcoms.data.length === 0 && <p className="muted">No XComs.</p>}
      {xcoms.data && xcoms.data.length > 0 && (
        <div className="table-wrap">
          <table className="table" data-testid="xcoms">
            <thead>
              <tr>
                <th>Key</th>
                <th>Value</th>
              </tr>
            </thead>
            <tbody>
              {xcoms.data.map((entry) => (
                <tr key={entry.key}>
                  <td data-label="Key">
                    <code>{entry.key}</code>
                  </td>
                  <td data-label="Value">
                    <JsonView value={entry.value} />
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}
    </div>
  );
}
