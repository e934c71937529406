import { useState } from 'react';
import { clearFailedTasks, deleteDagRun } from '../api/dags-api.ts';
import type { DagRun } from '../api/types.ts';
import { useCanOperate } from '../auth/session-context.ts';
import { navigate } from '../hooks/use-location.ts';
import { paths } from '../routes.ts';

/** Clear a run's failed tasks, or delete the run (its task state goes with it); op and admin only. */
export function RunActions({ run, onChanged }: { run: DagRun; onChanged: () => void }) {
  const canOperate = useCanOperate();
  const [error, setError] = useState<string | null>(null);
  if (!canOperate) return null;
  const failed = (run.task_instance_states.failed ?? 0) + (run.task_instance_states.upstream_failed ?? 0);

  const act = async (question: string, action: () => Promise<unknown>, after: () => void) => {
    if (!window.confirm(question)) return;
    setError(null);
    try {
      await action();
      after();
    } catch (caught) {
      setError((caught as Error).message);
    }
  };

  return (
    <div className="actions">
      <button
        type="button"
        disabled={failed === 0}
        onClick={() =>
          act(
            `Clear the ${failed} failed task instances of ${run.dag_run_id} for another try? Their task state is discarded.`,
            () => clearFailedTasks(run.dag_id, run.dag_run_id),
            onChanged,
          )
        }
      >
        Clear failed
      </button>
      <button
        type="button"
        className="danger"
        onClick={() =>
          act(
            `Delete run ${run.dag_run_id} with its task instances, XComs and task state?`,
            () => deleteDagRun(run.dag_id, run.dag_run_id),
            () => navigate(paths.dag(run.dag_id)),
          )
        }
      >
        Delete run
      </button>
      {error && (
        <span className="error-text" role="alert">
          {error}
        </span>
      )}
    </div>
  );
}
