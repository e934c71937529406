import { useEffect, useRef, useState } from 'react';
import { ApiError } from '../api/http.ts';
import { stateHistoryQuery } from '../api/queries.ts';
import { restoreState, type StateOwner } from '../api/state-api.ts';
import type { StateEntry, StateHistoryEntry } from '../api/types.ts';
import { useCanOperate } from '../auth/session-context.ts';
import { restoreQuestion } from '../format/restore-question.ts';
import { formatTime } from '../format/time.ts';
import { usePolling } from '../hooks/use-polling.ts';
import { ConflictNotice } from './ConflictNotice.tsx';
import { ErrorNotice } from './ErrorNotice.tsx';
import { JsonDiff } from './JsonDiff.tsx';
import { WriterLabel } from './WriterLabel.tsx';

const HISTORY_REFRESH_MS = 3_000;

/**
 * The versions of one key, newest first: who wrote each and when, a diff of any version against
 * the current value, and (for op) restoring an old value as a new version.
 */
export function StateHistory({
  owner,
  stateKey,
  current,
  onRestored,
  onClose,
}: {
  owner: StateOwner;
  stateKey: string;
  /** The live entry, or undefined when the key is deleted or expired. */
  current: StateEntry | undefined;
  onRestored: () => void;
  onClose: () => void;
}) {
  const canOperate = useCanOperate();
  const history = usePolling(stateHistoryQuery(owner, stateKey), HISTORY_REFRESH_MS);
  const [selected, setSelected] = useState<number | null>(null);
  const [conflict, setConflict] = useState(false);
  const [error, setError] = useState<Error | undefined>(undefined);
  const heading = useRef<HTMLHeadingElement>(null);
  // Opened from the keyboard (History): the panel takes the focus, its versions next in the tab order.
  // biome-ignore lint/correctness/useExhaustiveDependencies: focus again when another key's history opens
  useEffect(() => heading.current?.focus(), [stateKey]);
  const entries = history.data ?? [];
  const shown =
    entries.find((entry) => entry.version === selected) ?? entries.find((entry) => entry.version !== current?.version);

  const restore = async (entry: StateHistoryEntry) => {
    // The version the restore expects to replace: the live one, or the delete that ended it.
    const expected = current?.version ?? entries[0]?.version;
    if (expected === undefined) return;
    if (!window.confirm(restoreQuestion(stateKey, entry.version, entry.value, current?.value))) return;
    setConflict(false);
    setError(undefined);
    try {
      await restoreState(owner, stateKey, entry.version, expected);
      onRestored();
    } catch (caught) {
      if (caught instanceof ApiError && caught.isConflict) setConflict(true);
      else setError(caught as Error);
    }
  };

  return (
    <div className="card history" data-testid="state-history">
      <div className="card-head">
        <h3 ref={heading} tabIndex={-1}>
          History of {stateKey}
        </h3>
        <button type="button" className="link-button" onClick={onClose}>
          Close
        </button>
      </div>
      <ErrorNotice error={history.error ?? error} onRetry={history.reload} />
      {conflict && (
        <ConflictNotice
          what={`"${stateKey}"`}
          onReload={() => {
            setConflict(false);
            onRestored();
          }}
        />
      )}
      {history.data && entries.length === 0 && <p className="muted">No history kept for this key.</p>}
      <div className="history-body">
        {entries.length > 0 && (
          <div className="table-wrap">
            <table className="table compact">
              <thead>
                <tr>
                  <th>Version</th>
                  <th>Change</th>
                  <th>Written</th>
                  <th>By</th>
                  <th />
                </tr>
              </thead>
              <tbody>
                {entries.map((entry) => (
                  <tr key={entry.version} className={entry.version === shown?.version ? 'selected' : ''}>
                    <td data-label="Version">
                      v{entry.version}
                      {entry.version === current?.version && <span className="tag">current</span>}
                    </td>
                    <td data-label="Change">{entry.operation === 'delete' ? 'deleted' : 'set'}</td>
                    <td data-label="Written">{formatTime(entry.written_at)}</td>
                    <td data-label="By">
                      <WriterLabel writer={entry.written_by} {...(owner.kind === 'task' ? { self: owner } : {})} />
                    </td>
                    <td className="row-actions">
                      <button
                        type="button"
                        onClick={() => setSelected(entry.version)}
                        aria-label={`Diff version ${entry.version} with the current value`}
                      >
                        Diff
                      </button>
                      {canOperate && entry.operation === 'set' && entry.version !== current?.version && (
                        <button
                          type="button"
                          onClick={() => restore(entry)}
                          aria-label={`Restore version ${entry.version}`}
                        >
                          Restore
                        </button>
                      )}
                    </td>
                  </tr>
                ))}
              </tbody>
            </table>
          </div>
        )}
        {shown && (
          <div className="history-diff">
            <p className="muted small">
              From v{shown.version}
              {shown.operation === 'delete' ? ' (deleted)' : ''} to the current value
              {current ? ` (v${current.version})` : ' (none: deleted or expired)'}:
            </p>
            <JsonDiff before={shown.value} after={current?.value ?? null} />
          </div>
        )}
      </div>
    </div>
  );
}
