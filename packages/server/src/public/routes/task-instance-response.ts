import {
  errorBodySchema,
  isoOrNull,
  type TaskInstanceDeferral,
  type TaskInstanceResponse,
  type TaskInstanceState,
} from '@tidemark/core';
import { type Db, type DeferralRow, findDeferralsOf, type TaskInstanceRow } from '@tidemark/db';
import type { FastifyRequest } from 'fastify';

/** A TI row (and its deferral, if it has one) as the public API shows it (Airflow's field names, ISO-8601 times). */
export function toTaskInstanceResponse(row: TaskInstanceRow, deferral?: DeferralRow): TaskInstanceResponse {
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
    deferral: deferral === undefined ? null : toDeferralResponse(deferral),
  };
}

/** The rows as the public API shows them, each with its deferral (one query for all of them). */
export async function toTaskInstanceResponses(
  db: Db,
  rows: readonly TaskInstanceRow[],
): Promise<TaskInstanceResponse[]> {
  const deferrals = await findDeferralsOf(
    db,
    rows.filter((row) => DEFERRAL_STATES.has(row.state)).map((row) => row.id),
  );
  return rows.map((row) => toTaskInstanceResponse(row, deferrals.get(row.id)));
}

/** The states in which a TI may have a deferral: waiting, or fired and not resumed yet. */
const DEFERRAL_STATES: ReadonlySet<string | null> = new Set(['deferred', 'scheduled', 'queued']);

function toDeferralResponse(row: DeferralRow): TaskInstanceDeferral {
  const fired = row.status === 'fired';
  return {
    kind: row.kind === 'poll' ? 'poll' : 'timer',
    wait: row.poll_name,
    status: fired ? 'fired' : 'waiting',
    try_number: row.try_number,
    deferred_at: new Date(row.created_at).toISOString(),
    next_check_at: fired ? null : isoOrNull(row.next_check_at),
    every_ms: row.every_ms === null ? null : Number(row.every_ms),
    last_check_at: isoOrNull(row.last_check_at),
    checks: Number(row.check_count),
    timeout_at: isoOrNull(row.timeout_at),
    triggerer: row.lease_owner === null ? null : row.lease_hostname,
    fired_at: isoOrNull(row.fired_at),
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
