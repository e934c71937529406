import { errorBodySchema } from '@tidemark/core';
import type { SortOrder } from '@tidemark/db';

/**
 * What the DAG, DAG run, asset and monitor route modules share: the documented error responses
 * and the reading of `?order_by=`.
 */

const ERROR_DESCRIPTIONS = {
  400: 'Bad request',
  401: 'No bearer token, or an invalid or expired one (get one from POST /auth/token)',
  403: "The token's role is too low for this route",
  404: 'Not found',
  409: 'Conflict with the current state',
  413: 'A value is over its size limit (state.max_value_bytes)',
  422: 'The path, query or body does not match the contract; the message names the field',
} as const;

/** Error statuses a route documents, each with the `{detail: {reason, message}}` body. */
export function errorResponses<const Status extends keyof typeof ERROR_DESCRIPTIONS>(...statuses: Status[]) {
  return Object.fromEntries(
    statuses.map((status) => [status, errorBodySchema.describe(ERROR_DESCRIPTIONS[status])]),
  ) as Record<Status, typeof errorBodySchema>;
}

/** The statuses of every route behind a token: 401 without one, 422 for a bad request. */
export const VIEWER_ERRORS = errorResponses(401, 422);
/** …and 403 for a role below `op`. */
export const OP_ERRORS = errorResponses(401, 403, 422);

/**
 * `name` / `-name` → the column it sorts by and the direction. `columns` maps every API field name
 * the contract allows to its column.
 */
export function sortOrderOf<const Field extends string, Column extends string>(
  orderBy: Field | `-${Field}`,
  columns: Readonly<Record<Field, Column>>,
): SortOrder<Column> {
  const descending = orderBy.startsWith('-');
  const field = (descending ? orderBy.slice(1) : orderBy) as Field;
  return { column: columns[field], descending };
}

/** Epoch ms → ISO-8601 (non-null timestamps). */
export function iso(epochMs: number): string {
  return new Date(epochMs).toISOString();
}
