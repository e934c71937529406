import { type FormEvent, type KeyboardEvent, useEffect, useRef, useState } from 'react';
import { triggerDagRun } from '../api/dags-api.ts';
import { parseConf } from '../format/json.ts';
import { navigate } from '../hooks/use-location.ts';
import { paths } from '../routes.ts';

/** Trigger a run with a conf (a JSON object), then open it. */
export function TriggerForm({ dagId, onClose }: { dagId: string; onClose: () => void }) {
  const [text, setText] = useState('{}');
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  const parsed = parseConf(text);
  const conf = useRef<HTMLTextAreaElement>(null);
  // Opened from the keyboard: typing goes to the conf at once.
  useEffect(() => conf.current?.focus(), []);
  const onKeyDown = (event: KeyboardEvent) => {
    if (event.key === 'Escape') onClose();
  };

  const submit = async (event: FormEvent) => {
    event.preventDefault();
    if (!parsed.ok) return;
    setBusy(true);
    setError(null);
    try {
      const run = await triggerDagRun(dagId, parsed.value);
      navigate(paths.run(dagId, run.dag_run_id));
    } catch (caught) {
      setError((caught as Error).message);
      setBusy(false);
    }
  };

  return (
    <form className="card trigger-form" onSubmit={submit} onKeyDown={onKeyDown} aria-label="Trigger a run">
      <h2>Trigger {dagId}</h2>
      <label>
        Conf (JSON object)
        <textarea
          ref={conf}
          name="conf"
          className={parsed.ok ? 'code-input' : 'code-input invalid'}
          rows={6}
          spellCheck={false}
          value={text}
          onChange={(event) => setText(event.target.value)}
        />
      </label>
      {!parsed.ok && <p className="error-text">{parsed.message}</p>}
      {error && (
        <p className="notice notice-error" role="alert">
          {error}
        </p>
      )}
      <div className="actions">
        <button type="submit" className="primary" disabled={!parsed.ok || busy}>
          {busy ? 'Triggering…' : 'Trigger'}
        </button>
        <button type="button" onClick={onClose}>
          Cancel
        </button>
      </div>
    </form>
  );
}
