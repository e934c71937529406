import { errorBodySchema, isoOrNull, type TaskInstanceResponse, type TaskInstanceState } from '@tidemark/core';
import type { TaskInstanceRow } from '@tidemark/db';
import type { FastifyRequest } from 'fastify';

/** A TI row as the public API shows it (Airflow's field names, ISO-8601 times). */
export function toTaskInstanceResponse(row: TaskInstanceRow): TaskInstanceResponse {
  return {
    id: row.id,
    task_id: row.task_id,
    dag_id: row.dag_id,
    dag_run_id: row.run_id,
    map_index: row.map_index,
    state: row.state as TaskInstanceState | null,
    try_number: row.try_number,
    max_tries: row.max_tries,
    start_date: isoOrNull(row.start_date),
    end_date: isoOrNull(row.end_date),
    duration: row.start_date !== null && row.end_date !== null ? (row.end_date - row.start_date) / 1000 : null,
    queued_when: isoOrNull(row.queued_at),
    hostname: row.worker,
    next_retry_at: isoOrNull(row.next_retry_at),
  };
}

const ERROR_DESCRIPTIONS = {
  401: 'no token, or an expired or forged one',
  403: 'the token’s role is too low',
  404: 'not found',
  422: 'the request does not match the contract',
} as const;

/** The error responses a route documents: each is `{detail: {reason, message}}`. */
export function errorResponses(...statuses: (keyof typeof ERROR_DESCRIPTIONS)[]) {
  return Object.fromEntries(
    statuses.map((status) => [status, errorBodySchema.describe(ERROR_DESCRIPTIONS[status])]),
  ) as Record<number, typeof errorBodySchema>;
}

/** The user `requireRole` authenticated. */
export function userOf(request: FastifyRequest): string {
  if (!request.user) throw new Error('userOf() on a route without requireRole');
  return request.user.sub;
}
