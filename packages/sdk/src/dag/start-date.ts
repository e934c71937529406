import { DagDefinitionError } from '../errors.ts';

const ISO_DATE_TIME = /^\d{4}-\d{2}-\d{2}(?:T\d{2}:\d{2}(?::\d{2}(?:\.\d{1,3})?)?(Z|[+-]\d{2}:\d{2})?)?$/;

/**
 * An ISO-8601 date or date-time, read as UTC unless it carries an offset (JavaScript would read a
 * date-time without offset in the machine's zone, so one DAG would start at different instants on
 * different machines), or a valid Date.
 */
export function parseStartDate(value: unknown, where: string): Date {
  if (value instanceof Date && !Number.isNaN(value.getTime())) return new Date(value.getTime());
  if (typeof value === 'string') {
    const match = ISO_DATE_TIME.exec(value.trim());
    if (match) {
      const hasTime = value.includes('T');
      const text = hasTime && match[1] === undefined ? `${value.trim()}Z` : value.trim();
      const date = new Date(text);
      if (!Number.isNaN(date.getTime())) return date;
    }
  }
  const shown = typeof value === 'string' ? JSON.stringify(value) : String(value);
  throw new DagDefinitionError(
    `startDate ${shown} of ${where} is not a date: use an ISO-8601 date ("2026-01-01") or date-time ` +
      '("2026-01-01T06:00:00Z"), or a Date',
  );
}
