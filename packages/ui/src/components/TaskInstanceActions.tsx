import { useState } from 'react';
import { clearTaskInstance, markTaskInstance, type TaskInstanceAddress } from '../api/task-instances-api.ts';
import { useCanOperate } from '../auth/session-context.ts';

/** Mark success / failed and clear, for op and admin. */
export function TaskInstanceActions({ address, onDone }: { address: TaskInstanceAddress; onDone: () => void }) {
  const canOperate = useCanOperate();
  const [keepTaskState, setKeepTaskState] = useState(false);
  const [error, setError] = useState<string | null>(null);
  if (!canOperate) return null;

  const run = async (what: string, action: () => Promise<unknown>) => {
    if (!window.confirm(what)) return;
    setError(null);
    try {
      await action();
      onDone();
    } catch (caught) {
      setError((caught as Error).message);
    }
  };

  return (
    <div className="actions wrap">
      <button
        type="button"
        onClick={() => run('Mark this task instance success?', () => markTaskInstance(address, 'success'))}
      >
        Mark success
      </button>
      <button
        type="button"
        onClick={() => run('Mark this task instance failed?', () => markTaskInstance(address, 'failed'))}
      >
        Mark failed
      </button>
      <button
        type="button"
        onClick={() =>
          run(
            keepTaskState
              ? 'Clear this task instance for another try, keeping its task state?'
              : 'Clear this task instance for another try? Its task state is discarded too.',
            () => clearTaskInstance(address, keepTaskState),
          )
        }
      >
        Clear
      </button>
      <label className="inline">
        <input type="checkbox" checked={keepTaskState} onChange={(event) => setKeepTaskState(event.target.checked)} />{' '}
        keep task state
      </label>
      {error && (
        <span className="error-text" role="alert">
          {error}
        </span>
      )}
    </div>
  );
}
