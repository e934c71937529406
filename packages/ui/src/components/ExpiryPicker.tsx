import type { StateExpiry } from '../api/types.ts';
import { formatTime, localInputToIso } from '../format/time.ts';

/** How a task-state write sets the key's expiry. */
export type ExpiryChoice =
  | { readonly mode: 'keep' }
  | { readonly mode: 'default' }
  | { readonly mode: 'never' }
  | { readonly mode: 'date'; readonly local: string };

/** The API's `expires_at` for a choice: undefined keeps the current one (PATCH); null never expires. */
export function expiryOf(choice: ExpiryChoice): StateExpiry | undefined {
  switch (choice.mode) {
    case 'keep':
      return undefined;
    case 'default':
      return 'default';
    case 'never':
      return null;
    case 'date':
      return localInputToIso(choice.local);
  }
}

/** Why the choice cannot be saved, or null. */
export function expiryProblem(choice: ExpiryChoice, now = Date.now()): string | null {
  if (choice.mode !== 'date') return null;
  const iso = localInputToIso(choice.local);
  if (iso === '') return 'Pick a date and time for the expiry.';
  if (Date.parse(iso) <= now) return 'The expiry must be in the future (a past one would delete the key at once).';
  return null;
}

export function ExpiryPicker({
  choice,
  onChange,
  currentExpiry,
}: {
  choice: ExpiryChoice;
  onChange: (choice: ExpiryChoice) => void;
  /** The key's expiry now; absent for a new key (no "keep"). */
  currentExpiry?: string | null;
}) {
  const option = (mode: ExpiryChoice['mode'], label: string) => (
    <label className="inline">
      <input
        type="radio"
        name="expiry"
        value={mode}
        checked={choice.mode === mode}
        onChange={() =>
          onChange(mode === 'date' ? { mode, local: choice.mode === 'date' ? choice.local : '' } : { mode })
        }
      />{' '}
      {label}
    </label>
  );
  return (
    <fieldset className="expiry">
      <legend>Expires</legend>
      {currentExpiry !== undefined &&
        option('keep', `keep (${currentExpiry === null ? 'never' : formatTime(currentExpiry)})`)}
      {option('default', 'default retention')}
      {option('never', 'never')}
      {option('date', 'at')}
      {choice.mode === 'date' && (
        <input
          type="datetime-local"
          aria-label="Expiry date and time"
          value={choice.local}
          onChange={(event) => onChange({ mode: 'date', local: event.target.value })}
        />
      )}
    </fieldset>
  );
}
