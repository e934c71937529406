import { z } from 'zod';
import { DAG_RUN_STATES, DAG_RUN_TYPES } from '../task-instance/task-instance-state.ts';
import { paginationQuerySchema } from './pagination.ts';

/**
 * Public API contracts of DAGs and DAG import errors (`/api/v2/dags`, `/api/v2/importErrors`),
 * Airflow 3 shaped: snake_case, timestamps as ISO-8601 strings (or null), listings paginated with
 * `limit`/`offset` and answered with `total_entries`.
 */

/** A boolean query parameter: exactly `true` or `false` (Airflow's spelling). */
export const booleanQuerySchema = z
  .enum(['true', 'false'])
  .transform((value) => value === 'true')
  .meta({ description: '"true" or "false"' });

/**
 * `?order_by=` values: a field name, `-` in front for descending. Ties are broken by the listing's
 * key in the same direction; nulls sort last either way.
 */
export function orderBySchema<const Field extends string>(fields: readonly Field[], fallback: Field | `-${Field}`) {
  const values = fields.flatMap((field) => [field, `-${field}`] as const) as [Field | `-${Field}`];
  return (
    z
      .enum(values)
      // `fallback` is one of `values`; TypeScript cannot see that through the generic mapped type.
      .default(fallback as never)
      .meta({ description: `sort field; prefix "-" for descending (default ${fallback})` })
  );
}

/** Splits `a,b` and repeated parameters (`?x=a&x=b`) into one list of allowed values. */
export function listQuerySchema<const Value extends string>(values: readonly Value[]) {
  return z
    .union([z.string(), z.array(z.string())])
    .transform((input) =>
      (Array.isArray(input) ? input : [input])
        .flatMap((part) => part.split(','))
        .map((part) => part.trim())
        .filter((part) => part !== ''),
    )
    .pipe(z.array(z.enum(values as [Value, ...Value[]])))
    .meta({ description: `one or more of ${values.join(', ')}; repeat the parameter or separate with commas` });
}

/** An ISO-8601 date-time with a zone (`Z` or `+02:00`), read as epoch ms. */
export const isoDateTimeQuerySchema = z.iso
  .datetime({ offset: true })
  .transform((value) => Date.parse(value))
  .meta({ description: 'ISO-8601 date-time with a zone, e.g. 2026-01-01T00:00:00Z' });

export const DAG_ORDER_FIELDS = [
  'dag_id',
  'fileloc',
  'is_paused',
  'last_parsed_time',
  'next_dagrun_run_after',
] as const;
export type DagOrderField = (typeof DAG_ORDER_FIELDS)[number];

/** GET /api/v2/dags */
export const dagListQuerySchema = paginationQuerySchema.extend({
  order_by: orderBySchema(DAG_ORDER_FIELDS, 'dag_id'),
  paused: booleanQuerySchema.optional().describe('only paused (true) or only unpaused (false) DAGs; both when absent'),
  only_active: booleanQuerySchema.default(true).describe('leave out DAGs their files no longer define (default true)'),
  dag_id_pattern: z
    .string()
    .min(1)
    .max(250)
    .optional()
    .describe('case-insensitive substring of the DAG id (% and _ match themselves)'),
});
export type DagListQuery = z.infer<typeof dagListQuerySchema>;

export const dagIdParamsSchema = z.object({ dag_id: z.string().min(1).max(250) });

/** The DAG's most recently created run, in short. */
export const dagLatestRunSchema = z.object({
  dag_run_id: z.string(),
  state: z.enum(DAG_RUN_STATES),
  run_type: z.enum(DAG_RUN_TYPES),
  logical_date: z.string().nullable(),
  start_date: z.string().nullable(),
  end_date: z.string().nullable(),
});

export const dagResponseSchema = z.object({
  dag_id: z.string(),
  description: z.string().nullable(),
  /** The DAG file, relative to the DAGs folder. */
  fileloc: z.string(),
  is_paused: z.boolean(),
  /** False once the DAG's file no longer defines it (its runs stay). */
  is_active: z.boolean(),
  /** Cron expression or preset; null: no cron (see `asset_expression`). */
  schedule: z.string().nullable(),
  /**
   * The asset condition that makes runs (SPEC §15.1), e.g. `any(orders, all(customers, refunds))`;
   * null: not scheduled on assets.
   */
  asset_expression: z.string().nullable(),
  tags: z.array(z.string()),
  start_date: z.string().nullable(),
  catchup: z.boolean(),
  last_parsed_time: z.string().nullable(),
  /** When the scheduler next creates a scheduled run; null: not yet computed, or unscheduled. */
  next_dagrun_run_after: z.string().nullable(),
  /** Most recently created run, or null when the DAG never ran. */
  latest_dag_run: dagLatestRunSchema.nullable(),
});
export type DagResponse = z.infer<typeof dagResponseSchema>;

export const dagCollectionSchema = z.object({
  dags: z.array(dagResponseSchema),
  total_entries: z.number().int(),
});
export type DagCollection = z.infer<typeof dagCollectionSchema>;

export const assetReferenceResponseSchema = z.object({ name: z.string(), uri: z.string() });

export const dagTaskResponseSchema = z.object({
  task_id: z.string(),
  upstream_task_ids: z.array(z.string()),
  downstream_task_ids: z.array(z.string()),
  /** The upstream task whose returned list this task is mapped over, or null. */
  map_over: z.string().nullable(),
  retries: z.number().int(),
  retry_delay_ms: z.number().int(),
  retry_exponential_backoff: z.boolean(),
  max_retry_delay_ms: z.number().int().nullable(),
  execution_timeout_ms: z.number().int().nullable(),
  inlets: z.array(assetReferenceResponseSchema),
  outlets: z.array(assetReferenceResponseSchema),
});
export type DagTaskResponse = z.infer<typeof dagTaskResponseSchema>;

/** GET /api/v2/dags/{dag_id}: the DAG and its tasks in topological order. */
export const dagDetailsResponseSchema = dagResponseSchema.extend({ tasks: z.array(dagTaskResponseSchema) });
export type DagDetailsResponse = z.infer<typeof dagDetailsResponseSchema>;

/** PATCH /api/v2/dags/{dag_id} */
export const dagPatchBodySchema = z.strictObject({ is_paused: z.boolean() });
export type DagPatchBody = z.infer<typeof dagPatchBodySchema>;

/** GET /api/v2/importErrors: DAG files that failed to load, by file. */
export const importErrorListQuerySchema = paginationQuerySchema;

export const importErrorResponseSchema = z.object({
  import_error_id: z.number().int(),
  fileloc: z.string(),
  line: z.number().int().nullable(),
  message: z.string(),
  /** When the DAG processor recorded it. */
  timestamp: z.string(),
});
export type ImportErrorResponse = z.infer<typeof importErrorResponseSchema>;

export const importErrorCollectionSchema = z.object({
  import_errors: z.array(importErrorResponseSchema),
  total_entries: z.number().int(),
});
export type ImportErrorCollection = z.infer<typeof importErrorCollectionSchema>;
