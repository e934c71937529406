/** Times as people read them: local date and time with the time zone, and short durations. */

export function formatTime(iso: string | null | undefined): string {
  if (!iso) return '—';
  const date = new Date(iso);
  return Number.isNaN(date.getTime()) ? iso : date.toLocaleString(undefined, { hour12: false, timeZoneName: 'short' });
}

/** Seconds → `850ms`, `12.3s`, `4m 05s`, `2h 03m`. */
export function formatDuration(seconds: number | null | undefined): string {
  if (seconds === null || seconds === undefined) return '—';
  if (seconds < 1) return `${Math.round(seconds * 1000)}ms`;
  if (seconds < 60) return `${seconds.toFixed(1)}s`;
  const minutes = Math.floor(seconds / 60);
  if (minutes < 60) return `${minutes}m ${String(Math.floor(seconds % 60)).padStart(2, '0')}s`;
  return `${Math.floor(minutes / 60)}h ${String(minutes % 60).padStart(2, '0')}m`;
}

/** The seconds between two ISO times, or from `start` until now while it runs. */
export function elapsedSeconds(start: string | null, end: string | null): number | null {
  if (!start) return null;
  const until = end ? Date.parse(end) : Date.now();
  return Math.max(0, (until - Date.parse(start)) / 1000);
}

/** `datetime-local` input value (local time, minutes) → ISO-8601 with zone; '' for an invalid one. */
export function localInputToIso(value: string): string {
  const date = new Date(value);
  return Number.isNaN(date.getTime()) ? '' : date.toISOString();
}

/** ISO-8601 → a `datetime-local` input value in local time. */
export function isoToLocalInput(iso: string): string {
  const date = new Date(iso);
  const pad = (part: number) => String(part).padStart(2, '0');
  return `${date.getFullYear()}-${pad(date.getMonth() + 1)}-${pad(date.getDate())}T${pad(date.getHours())}:${pad(date.getMinutes())}`;
}
