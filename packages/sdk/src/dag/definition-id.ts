import { DagDefinitionError } from '../errors.ts';

const DEFINITION_ID_PATTERN = /^[A-Za-z0-9_.-]{1,250}$/;

/** DAG and task ids: 1–250 letters, digits, `_`, `-` or `.` (they appear in URLs, log paths and file names). */
export function validateDefinitionId(id: unknown, what: string): string {
  if (typeof id === 'string' && DEFINITION_ID_PATTERN.test(id)) return id;
  const shown = typeof id === 'string' ? JSON.stringify(id) : String(id);
  throw new DagDefinitionError(
    `${what} id ${shown} is invalid: use 1–250 characters among letters, digits, "_", "-" and "."`,
  );
}
