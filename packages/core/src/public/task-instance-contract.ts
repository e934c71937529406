import { z } from 'zod';
import { DEFERRAL_KINDS } from '../deferral/deferral-wait.ts';
import { TASK_INSTANCE_STATES } from '../task-instance/task-instance-state.ts';
import { INT32_MAX } from './int32-range.ts';
import { paginationQuerySchema } from './pagination.ts';
import { plainText } from './plain-text.ts';

/**
 * Public API (SPEC §11.2), task instances, Airflow 3 shapes:
 *
 * * `GET /api/v2/dags/{dag_id}/dagRuns/{dag_run_id}/taskInstances` → `{task_instances, total_entries}`
 * * `GET|PATCH …/taskInstances/{task_id}?map_index=` → one task instance
 * * `POST /api/v2/dags/{dag_id}/clearTaskInstances` → `{task_instances, total_entries}`
 *
 * Timestamps are ISO-8601 strings; a TI in state "none" (not scheduled yet) has `state: null`.
 */

/** At most this many task instances per `clearTaskInstances` call; more is a 422 asking to narrow it. */
export const MAX_CLEARED_TASK_INSTANCES = 1_000;

/**
 * A whole number in a query string (`?map_index=3`); an empty value is an error, not 0. At most
 * INT32_MAX unless `max` says otherwise (a byte offset).
 */
export function wholeNumberQueryParam(min: number, max: number = INT32_MAX) {
  return z
    .union([z.number(), z.string().regex(/^-?\d+$/, 'expected a whole number')])
    .transform(Number)
    .pipe(
      z
        .number()
        .int('expected a whole number')
        .min(min, `expected a whole number ≥ ${min}`)
        .max(max, `expected a whole number ≤ ${max}`),
    );
}

export const taskInstanceStateSchema = z.enum(TASK_INSTANCE_STATES);

/**
 * The wait of a deferred try (SPEC §16): while the TI is `deferred` (`status: waiting`), and after
 * the wait fired until the resumed try starts (`status: fired`, TI `scheduled` or `queued`).
 */
export const taskInstanceDeferralSchema = z.strictObject({
  kind: z.enum(DEFERRAL_KINDS),
  /** The poll's name (`dag.poll(name, …)`); null for a timer. */
  wait: z.string().nullable(),
  status: z.enum(['waiting', 'fired']),
  /** The deferred try: it resumes with this try number. */
  try_number: z.number().int(),
  deferred_at: z.string(),
  /** When a timer fires, or a poll is next called; null once fired. */
  next_check_at: z.string().nullable(),
  /** A poll's interval in ms; null for a timer. */
  every_ms: z.number().int().nullable(),
  /** A poll's last call that returned nothing, and how many such calls so far. */
  last_check_at: z.string().nullable(),
  checks: z.number().int(),
  /** When the try fails if the wait has not fired; null: no timeout. */
  timeout_at: z.string().nullable(),
  /** The triggerer (hostname:pid) running the wait now; null when none holds it. */
  triggerer: z.string().nullable(),
  fired_at: z.string().nullable(),
});
export type TaskInstanceDeferral = z.infer<typeof taskInstanceDeferralSchema>;

export const taskInstanceSchema = z.strictObject({
  /** The TI's UUID (the same across its tries). */
  id: z.string(),
  task_id: z.string(),
  dag_id: z.string(),
  dag_run_id: z.string(),
  /** `-1` when the task is not mapped. */
  map_index: z.number().int(),
  /** `null`: "none", created but not scheduled yet (or cleared). */
  state: taskInstanceStateSchema.nullable(),
  /** Tries started so far (0 before the first). */
  try_number: z.number().int(),
  /** Tries allowed (the task's retries + 1, raised again by every clear). */
  max_tries: z.number().int(),
  start_date: z.string().nullable(),
  end_date: z.string().nullable(),
  /** Seconds from start_date to end_date; null while either is missing. */
  duration: z.number().nullable(),
  queued_when: z.string().nullable(),
  /** The worker running (or that last ran) it, `host:pid`. */
  hostname: z.string().nullable(),
  /** When an `up_for_retry` TI is due again. */
  next_retry_at: z.string().nullable(),
  /** The wait of a deferred try, until the resumed try starts; null otherwise. */
  deferral: taskInstanceDeferralSchema.nullable(),
});
export type TaskInstanceResponse = z.infer<typeof taskInstanceSchema>;

export const taskInstanceCollectionSchema = z.strictObject({
  task_instances: z.array(taskInstanceSchema),
  total_entries: z.number().int(),
});
export type TaskInstanceCollection = z.infer<typeof taskInstanceCollectionSchema>;

/**
 * One try of a task instance (`GET …/taskInstances/{task_id}/tries`), Airflow 3's task-instance
 * history shape: the times and state of that try alone. The live try is `running`; the next try
 * waiting for a worker is `queued` with no start.
 */
export const taskInstanceTrySchema = z.strictObject({
  task_id: z.string(),
  dag_id: z.string(),
  dag_run_id: z.string(),
  map_index: z.number().int(),
  try_number: z.number().int(),
  max_tries: z.number().int(),
  /** The state the try ended in (`up_for_retry` when a retry followed), or `running` / `queued`. */
  state: taskInstanceStateSchema,
  queued_when: z.string().nullable(),
  start_date: z.string().nullable(),
  end_date: z.string().nullable(),
  /** Seconds from start_date to end_date; null while either is missing. */
  duration: z.number().nullable(),
  hostname: z.string().nullable(),
  /** For a try that ended `up_for_retry`: when the next try was due. */
  next_retry_at: z.string().nullable(),
});
export type TaskInstanceTryResponse = z.infer<typeof taskInstanceTrySchema>;

export const taskInstanceTryCollectionSchema = z.strictObject({
  task_instances: z.array(taskInstanceTrySchema),
  total_entries: z.number().int(),
});
export type TaskInstanceTryCollection = z.infer<typeof taskInstanceTryCollectionSchema>;

/** `/dags/{dag_id}/dagRuns/{dag_run_id}/taskInstances` */
export const runTaskInstancesPathSchema = z.strictObject({ dag_id: z.string().min(1), dag_run_id: z.string().min(1) });
/** `…/taskInstances/{task_id}` */
export const taskInstancePathSchema = runTaskInstancesPathSchema.extend({ task_id: z.string().min(1) });
/** `/dags/{dag_id}/clearTaskInstances` */
export const clearTaskInstancesPathSchema = z.strictObject({ dag_id: z.string().min(1) });

/** `?map_index=`: omitted means `-1`, or, for a mapped task, an error asking for it. */
export const taskInstanceMapIndexQuerySchema = z.object({ map_index: wholeNumberQueryParam(-1).optional() });

/** `state=failed,up_for_retry` or `state=failed&state=up_for_retry`; `none` selects TIs not scheduled yet. */
export const TASK_INSTANCE_STATE_FILTERS = [...TASK_INSTANCE_STATES, 'none'] as const;
export type TaskInstanceStateFilter = (typeof TASK_INSTANCE_STATE_FILTERS)[number];

const stateFilterSchema = z
  .union([z.string(), z.array(z.string())])
  .transform((value) =>
    (Array.isArray(value) ? value : [value])
      .flatMap((item) => item.split(','))
      .map((item) => item.trim())
      .filter((item) => item !== ''),
  )
  .pipe(z.array(z.enum(TASK_INSTANCE_STATE_FILTERS)))
  .describe(`states, comma-separated or repeated: ${TASK_INSTANCE_STATE_FILTERS.join(', ')}`);

export const taskInstanceListQuerySchema = paginationQuerySchema.extend({
  state: stateFilterSchema.optional(),
  task_id: z.string().min(1).optional(),
  map_index: wholeNumberQueryParam(-1).optional(),
});
export type TaskInstanceListQuery = z.infer<typeof taskInstanceListQuerySchema>;

/** PATCH body: an operator marks the TI; its running attempt (if any) is stopped at its next heartbeat. */
export const patchTaskInstanceBodySchema = z.strictObject({
  new_state: z.enum(['success', 'failed']),
});
export type PatchTaskInstanceBody = z.infer<typeof patchTaskInstanceBodySchema>;

/**
 * POST clearTaskInstances body. Defaults differ from Airflow's on purpose: `only_failed` and
 * `dry_run` are false (Airflow: true), so a plain `{"dag_run_id": "…"}` clears that whole run, as
 * the CLI's `tasks clear` does. `keep_task_state` (SPEC §3): task state is discarded unless true.
 */
export const clearTaskInstancesBodySchema = z.strictObject({
  /** Omitted: every run of the DAG (at most MAX_CLEARED_TASK_INSTANCES TIs in all). */
  dag_run_id: plainText().min(1).optional(),
  /** Omitted: every task. */
  task_ids: z.array(plainText().min(1)).min(1).optional(),
  /** Only these map indices (`-1` for unmapped TIs). */
  map_indexes: z.array(z.number().int().min(-1).max(INT32_MAX)).min(1).optional(),
  /** Only TIs in `failed` or `upstream_failed`. */
  only_failed: z.boolean().default(false),
  keep_task_state: z.boolean().default(false),
  /** List what would be cleared and change nothing. */
  dry_run: z.boolean().default(false),
});
export type ClearTaskInstancesBody = z.infer<typeof clearTaskInstancesBodySchema>;
