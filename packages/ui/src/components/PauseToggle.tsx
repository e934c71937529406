import { useState } from 'react';
import { setDagPaused } from '../api/dags-api.ts';
import type { Dag } from '../api/types.ts';
import { useCanOperate } from '../auth/session-context.ts';

/** A DAG's paused flag: a switch for op and admin, a label for viewers. */
export function PauseToggle({ dag, onChanged }: { dag: Dag; onChanged: () => void }) {
  const canOperate = useCanOperate();
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string | null>(null);
  if (!canOperate) {
    return (
      <span className={dag.is_paused ? 'pill pill-paused' : 'pill pill-active'}>
        {dag.is_paused ? 'paused' : 'active'}
      </span>
    );
  }
  const toggle = async () => {
    setBusy(true);
    setError(null);
    try {
      await setDagPaused(dag.dag_id, !dag.is_paused);
      onChanged();
    } catch (caught) {
      setError((caught as Error).message);
    } finally {
      setBusy(false);
    }
  };
  return (
    <span className="pause-toggle">
      <button
        type="button"
        role="switch"
        aria-checked={!dag.is_paused}
        aria-label={`${dag.dag_id} is ${dag.is_paused ? 'paused' : 'active'}; switch to ${dag.is_paused ? 'unpause' : 'pause'}`}
        className={dag.is_paused ? 'switch' : 'switch switch-on'}
        // aria-disabled, not disabled: a disabled button drops the keyboard focus.
        aria-disabled={busy}
        onClick={() => {
          if (!busy) void toggle();
        }}
      >
        <span className="switch-knob" />
      </button>
      <span className="muted">{dag.is_paused ? 'paused' : 'active'}</span>
      {error && (
        <span className="error-text" role="alert">
          {error}
        </span>
      )}
    </span>
  );
}
