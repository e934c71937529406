import { useState } from 'react';
import { ApiError } from '../api/http.ts';
import { stateQuery } from '../api/queries.ts';
import { clearState, deleteState, listState, type StateOwner } from '../api/state-api.ts';
import type { StateEntry } from '../api/types.ts';
import { useCanOperate } from '../auth/session-context.ts';
import { progressOf } from '../format/progress.ts';
import { formatTime } from '../format/time.ts';
import { usePolling } from '../hooks/use-polling.ts';
import { ConflictNotice } from './ConflictNotice.tsx';
import { ErrorNotice } from './ErrorNotice.tsx';
import { JsonView } from './JsonView.tsx';
import { ProgressBar } from './ProgressBar.tsx';
import { StateEditor } from './StateEditor.tsx';
import { StateHistory } from './StateHistory.tsx';
import { WriterLabel } from './WriterLabel.tsx';

const LIVE_MS = 1_000;
const IDLE_MS = 10_000;

/** What opens below the table; an edit holds the entry as it was read, whose version the save expects. */
type Panel =
  | { readonly kind: 'add' }
  | { readonly kind: 'edit'; readonly entry: StateEntry }
  | { readonly kind: 'history'; readonly key: string }
  | null;

/**
 * Task state of a task instance, or asset state of an asset: every key with its value (a
 * `{done, total}` value as a progress bar), version and expiry or last writer; and for op, add,
 * edit, delete, clear and restore. While the task runs the values refresh every second.
 */
export function StatePanel({ owner, live }: { owner: StateOwner; live: boolean }) {
  const canOperate = useCanOperate();
  const entries = usePolling(stateQuery(owner), live ? LIVE_MS : IDLE_MS);
  const [panel, setPanel] = useState<Panel>(null);
  const [editorGeneration, setEditorGeneration] = useState(0);
  const [conflictKey, setConflictKey] = useState<string | null>(null);
  const [error, setError] = useState<Error | undefined>(undefined);
  const list = entries.data ?? [];
  const entryOf = (key: string) => list.find((entry) => entry.key === key);
  const what = `${owner.kind === 'dag' ? 'DAG' : owner.kind} state`;

  const remove = async (entry: StateEntry) => {
    if (!window.confirm(`Delete "${entry.key}" (version ${entry.version})?`)) return;
    setError(undefined);
    setConflictKey(null);
    try {
      await deleteState(owner, entry.key, entry.version);
      entries.reload();
    } catch (caught) {
      if (caught instanceof ApiError && caught.isConflict) setConflictKey(entry.key);
      else setError(caught as Error);
    }
  };

  const clearAll = async () => {
    if (!window.confirm(`Delete every key of this ${what}?`)) return;
    setError(undefined);
    try {
      await clearState(owner);
      setPanel(null);
      entries.reload();
    } catch (caught) {
      setError(caught as Error);
    }
  };

  /** After a lost compare-and-set: edit the value as it is now (or add it again if it is gone). */
  const reloadEditor = async (key: string) => {
    try {
      const fresh = (await listState(owner)).find((entry) => entry.key === key);
      setPanel(fresh ? { kind: 'edit', entry: fresh } : { kind: 'add' });
      setEditorGeneration((count) => count + 1);
      entries.reload();
    } catch (caught) {
      setError(caught as Error);
    }
  };

  return (
    <div className="state-panel" data-testid={`${owner.kind}-state`}>
      <ErrorNotice error={entries.error ?? error} onRetry={entries.reload} />
      {conflictKey && (
        <ConflictNotice
          what={`"${conflictKey}"`}
          onReload={() => {
            setConflictKey(null);
            entries.reload();
          }}
        />
      )}
      {canOperate && (
        <div className="actions">
          <button type="button" onClick={() => setPanel({ kind: 'add' })}>
            Add key
          </button>
          <button type="button" className="danger" disabled={list.length === 0} onClick={clearAll}>
            Clear all
          </button>
        </div>
      )}
      {entries.data && list.length === 0 && <p className="muted">No {what}.</p>}
      {list.length > 0 && (
        <div className="table-wrap">
          <table className="table state-table">
            <thead>
              <tr>
                <th>Key</th>
                <th>Value</th>
                <th>Version</th>
                <th>Updated</th>
                <th>{owner.kind === 'task' ? 'Expires' : 'Last written by'}</th>
                <th />
              </tr>
            </thead>
            <tbody>
              {list.map((entry) => (
                <tr key={entry.key} data-key={entry.key}>
                  <td data-label="Key">
                    <code>{entry.key}</code>
                  </td>
                  <td data-label="Value" className="value-cell">
                    <StateValue entry={entry} />
                  </td>
                  <td data-label="Version">v{entry.version}</td>
                  <td data-label="Updated">{formatTime(entry.updated_at)}</td>
                  <td data-label={owner.kind === 'task' ? 'Expires' : 'Last written by'}>
                    {owner.kind === 'task' ? (
                      entry.expires_at === null ? (
                        'never'
                      ) : (
                        formatTime(entry.expires_at)
                      )
                    ) : (
                      <WriterLabel writer={entry.last_updated_by} />
                    )}
                  </td>
                  <td className="row-actions">
                    <button type="button" onClick={() => setPanel({ kind: 'history', key: entry.key })}>
                      History
                    </button>
                    {canOperate && (
                      <>
                        <button type="button" onClick={() => setPanel({ kind: 'edit', entry })}>
                          Edit
                        </button>
                        <button type="button" className="danger" onClick={() => remove(entry)}>
                          Delete
                        </button>
                      </>
                    )}
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}
      {panel?.kind === 'add' && (
        <StateEditor
          key={`add-${editorGeneration}`}
          owner={owner}
          entry={null}
          onSaved={() => {
            setPanel(null);
            entries.reload();
          }}
          onCancel={() => setPanel(null)}
          onReload={reloadEditor}
        />
      )}
      {panel?.kind === 'edit' && (
        <StateEditor
          key={`edit-${panel.entry.key}-${editorGeneration}`}
          owner={owner}
          entry={panel.entry}
          onSaved={() => {
            setPanel(null);
            entries.reload();
          }}
          onCancel={() => setPanel(null)}
          onReload={reloadEditor}
        />
      )}
      {panel?.kind === 'history' && (
        <StateHistory
          owner={owner}
          stateKey={panel.key}
          current={entryOf(panel.key)}
          onRestored={entries.reload}
          onClose={() => setPanel(null)}
        />
      )}
    </div>
  );
}

function StateValue({ entry }: { entry: StateEntry }) {
  const progress = progressOf(entry.value);
  return (
    <>
      {progress && <ProgressBar progress={progress} label={`progress of ${entry.key}`} />}
      <JsonView value={entry.value} />
    </>
  );
}
