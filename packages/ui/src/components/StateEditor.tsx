import { useEffect, useRef, useState } from 'react';
import { ApiError } from '../api/http.ts';
import { type StateOwner, writeState } from '../api/state-api.ts';
import type { StateEntry } from '../api/types.ts';
import { parseStateValue, prettyJson } from '../format/json.ts';
import { ConflictNotice } from './ConflictNotice.tsx';
import { type ExpiryChoice, ExpiryPicker, expiryOf, expiryProblem } from './ExpiryPicker.tsx';

/**
 * Adds a key or edits one: a JSON editor that validates as you type, and for task state the
 * expiry. Every save is a compare-and-set on the version shown (0 for a new key), so a value that
 * changed meanwhile is never overwritten unseen.
 */
export function StateEditor({
  owner,
  entry,
  onSaved,
  onCancel,
  onReload,
}: {
  owner: StateOwner;
  /** The entry being edited, or null for a new key. */
  entry: StateEntry | null;
  onSaved: (entry: StateEntry) => void;
  onCancel: () => void;
  /** Fetch the key's current value after a lost compare-and-set, and edit that. */
  onReload: (key: string) => void;
}) {
  const [key, setKey] = useState(entry?.key ?? '');
  const [text, setText] = useState(entry ? prettyJson(entry.value) : '');
  const [expiry, setExpiry] = useState<ExpiryChoice>(entry ? { mode: 'keep' } : { mode: 'default' });
  const [busy, setBusy] = useState(false);
  const [conflict, setConflict] = useState(false);
  const [error, setError] = useState<string | null>(null);
  const firstField = useRef<HTMLInputElement & HTMLTextAreaElement>(null);
  // Opened from the keyboard (Add key, Edit): the first field takes the focus.
  useEffect(() => firstField.current?.focus(), []);
  const parsed = parseStateValue(text);
  const keyProblem = key.length === 0 ? 'Name the key.' : key.length > 512 ? 'A key is at most 512 characters.' : null;
  const problem =
    keyProblem ?? (parsed.ok ? null : parsed.message) ?? (owner.kind === 'task' ? expiryProblem(expiry) : null);

  const save = async () => {
    if (!parsed.ok || problem) return;
    setBusy(true);
    setError(null);
    setConflict(false);
    try {
      const saved = await writeState(owner, key, {
        value: parsed.value,
        ifVersion: entry?.version ?? 0,
        ...(owner.kind === 'task' ? { expiry: expiryOf(expiry) } : {}),
      });
      onSaved(saved);
    } catch (caught) {
      if (caught instanceof ApiError && caught.isConflict) setConflict(true);
      else setError((caught as Error).message);
    } finally {
      setBusy(false);
    }
  };

  return (
    <div className="card editor" data-testid="state-editor">
      <h3>{entry ? `Edit ${entry.key}` : 'Add a key'}</h3>
      {entry ? (
        <p className="muted small">
          Version {entry.version}; saving writes version {entry.version + 1} or later.
        </p>
      ) : (
        <label>
          Key
          <input ref={firstField} name="key" value={key} onChange={(event) => setKey(event.target.value)} />
        </label>
      )}
      <label>
        Value (JSON)
        <textarea
          ref={entry ? firstField : undefined}
          name="value"
          aria-invalid={!parsed.ok}
          className={parsed.ok ? 'code-input' : 'code-input invalid'}
          rows={Math.min(16, Math.max(4, text.split('\n').length + 1))}
          spellCheck={false}
          value={text}
          onChange={(event) => setText(event.target.value)}
        />
      </label>
      {owner.kind === 'task' && (
        <ExpiryPicker
          choice={expiry}
          onChange={setExpiry}
          {...(entry ? { currentExpiry: entry.expires_at ?? null } : {})}
        />
      )}
      {problem && <p className="error-text">{problem}</p>}
      {conflict && (
        <ConflictNotice
          what={entry ? `"${entry.key}"` : `a key named "${key}"`}
          onReload={() => {
            setConflict(false);
            onReload(key);
          }}
        />
      )}
      {error && (
        <p className="notice notice-error" role="alert">
          {error}
        </p>
      )}
      <div className="actions">
        <button type="button" className="primary" disabled={problem !== null || busy} onClick={save}>
          {busy ? 'Saving…' : 'Save'}
        </button>
        <button type="button" onClick={onCancel}>
          Cancel
        </button>
      </div>
    </div>
  );
}
