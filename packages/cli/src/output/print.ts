import { type Cell, type Column, formatFields, formatTable } from './table.ts';

/** Everything the API commands print goes through here, to stdout. */

export function printJson(value: unknown): void {
  process.stdout.write(`${JSON.stringify(value, null, 2)}\n`);
}

export function printLine(text: string): void {
  process.stdout.write(`${text}\n`);
}

/** A table, or `empty` when there are no rows; a footer when the page is not the whole listing. */
export function printTable<Row>(
  columns: readonly Column<Row>[],
  rows: readonly Row[],
  options: { empty: string; total?: number; offset?: number; more?: string },
): void {
  if (rows.length === 0) {
    printLine(options.empty);
  } else {
    process.stdout.write(formatTable(columns, rows));
  }
  const offset = options.offset ?? 0;
  if (options.total !== undefined && (offset > 0 || rows.length < options.total) && options.total > 0) {
    const last = offset + rows.length;
    printLine(
      `(${rows.length === 0 ? 'none' : `${offset + 1}-${last}`} of ${options.total}; ${options.more ?? 'see --limit and --offset'})`,
    );
  }
}

export function printFields(fields: readonly (readonly [string, Cell])[]): void {
  process.stdout.write(formatFields(fields));
}

/** `2025-01-02T03:04:05.678Z` → `2025-01-02 03:04:05` (UTC, as the API sends it). */
export function formatTime(iso: string | null | undefined): string | null {
  if (!iso) return null;
  const match = /^(\d{4}-\d{2}-\d{2})T(\d{2}:\d{2}:\d{2})/.exec(iso);
  return match ? `${match[1]} ${match[2]}` : iso;
}

/** Seconds between two ISO times (end defaults to now for something still running), e.g. `1.4s`, `3m12s`. */
export function formatDuration(start: string | null | undefined, end: string | null | undefined): string | null {
  if (!start) return null;
  const ms = (end ? Date.parse(end) : Date.now()) - Date.parse(start);
  if (!Number.isFinite(ms) || ms < 0) return null;
  return formatMs(ms);
}

export function formatMs(ms: number): string {
  if (ms < 60_000) return `${(ms / 1000).toFixed(1)}s`;
  const totalSeconds = Math.round(ms / 1000);
  const hours = Math.floor(totalSeconds / 3600);
  const minutes = Math.floor((totalSeconds % 3600) / 60);
  const seconds = totalSeconds % 60;
  return hours > 0
    ? `${hours}h${String(minutes).padStart(2, '0')}m`
    : `${minutes}m${String(seconds).padStart(2, '0')}s`;
}
