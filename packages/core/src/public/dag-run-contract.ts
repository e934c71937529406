import { z } from 'zod';
import { DAG_RUN_STATES, DAG_RUN_TYPES, TASK_INSTANCE_STATES } from '../task-instance/task-instance-state.ts';
import { isoDateTimeQuerySchema, listQuerySchema, orderBySchema } from './dag-contract.ts';
import { paginationQuerySchema } from './pagination.ts';

/**
 * Public API contracts of DAG runs (`/api/v2/dags/{dag_id}/dagRuns…`), Airflow 3 shaped.
 * `dag_id` `~` in the list route means every DAG.
 */

/** Run ids appear in URL paths: letters, digits and `_ . ~ : + -` (Airflow's run id characters). */
export const DAG_RUN_ID_PATTERN = /^[A-Za-z0-9_.~:+-]+$/;

/**
 * POST /api/v2/dags/{dag_id}/dagRuns. Every field is optional and a missing body means `{}`:
 * `dag_run_id` defaults to `manual__<ISO now>`, `logical_date` to now, `conf` to `{}`.
 */
export const triggerDagRunBodySchema = z.strictObject({
  dag_run_id: z
    .string()
    .min(1)
    .max(250)
    .regex(DAG_RUN_ID_PATTERN, 'use letters, digits and _ . ~ : + - only')
    .nullable()
    .optional(),
  /** Run parameters, read by tasks as `context.conf`; must be a JSON object. */
  conf: z.record(z.string(), z.unknown()).nullable().optional(),
  logical_date: z.iso
    .datetime({ offset: true })
    .nullable()
    .optional()
    .meta({ description: 'ISO-8601 with a zone; default: now' }),
});
export type TriggerDagRunBody = z.infer<typeof triggerDagRunBodySchema>;

export const dagRunParamsSchema = z.object({
  dag_id: z.string().min(1).max(250),
  dag_run_id: z.string().min(1).max(250),
});

/** `~` lists the runs of every DAG. */
export const ALL_DAGS = '~';

export const DAG_RUN_ORDER_FIELDS = [
  'id',
  'dag_id',
  'dag_run_id',
  'state',
  'run_type',
  'logical_date',
  'queued_at',
  'start_date',
  'end_date',
] as const;
export type DagRunOrderField = (typeof DAG_RUN_ORDER_FIELDS)[number];

/** GET /api/v2/dags/{dag_id}/dagRuns */
export const dagRunListQuerySchema = paginationQuerySchema.extend({
  order_by: orderBySchema(DAG_RUN_ORDER_FIELDS, '-id'),
  state: listQuerySchema(DAG_RUN_STATES).optional(),
  run_type: listQuerySchema(DAG_RUN_TYPES).optional(),
  logical_date_gte: isoDateTimeQuerySchema.optional(),
  logical_date_lte: isoDateTimeQuerySchema.optional(),
  start_date_gte: isoDateTimeQuerySchema.optional(),
  start_date_lte: isoDateTimeQuerySchema.optional(),
});
export type DagRunListQuery = z.infer<typeof dagRunListQuerySchema>;

/** Keys of `task_instance_states`: every TI state, and `none` for TIs not scheduled yet. */
export const TASK_INSTANCE_STATE_KEYS = [...TASK_INSTANCE_STATES, 'none'] as const;
export type TaskInstanceStateKey = (typeof TASK_INSTANCE_STATE_KEYS)[number];

export const dagRunResponseSchema = z.object({
  dag_run_id: z.string(),
  dag_id: z.string(),
  state: z.enum(DAG_RUN_STATES),
  run_type: z.enum(DAG_RUN_TYPES),
  logical_date: z.string().nullable(),
  data_interval_start: z.string().nullable(),
  data_interval_end: z.string().nullable(),
  queued_at: z.string().nullable(),
  start_date: z.string().nullable(),
  end_date: z.string().nullable(),
  conf: z.record(z.string(), z.unknown()),
  /** Airflow's run note; Tidemark has none. */
  note: z.null(),
  /**
   * How many of the run's TIs are in each state (every key present, zeros included): what
   * `tidemark dags trigger --wait` shows as progress. Not in Airflow's DAGRunResponse.
   */
  task_instance_states: z.record(z.enum(TASK_INSTANCE_STATE_KEYS), z.number().int()),
});
export type DagRunResponse = z.infer<typeof dagRunResponseSchema>;

export const dagRunCollectionSchema = z.object({
  dag_runs: z.array(dagRunResponseSchema),
  total_entries: z.number().int(),
});
export type DagRunCollection = z.infer<typeof dagRunCollectionSchema>;
