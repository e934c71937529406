import { z } from 'zod';
import { booleanQuerySchema, isoDateTimeQuerySchema, orderBySchema } from './dag-contract.ts';
import { INT32_MAX } from './int32-range.ts';
import { paginationQuerySchema } from './pagination.ts';

/** Public API contracts of assets and asset events (`/api/v2/assets…`), Airflow 3 shaped. */

/** A positive integer id in a path or query (`/assets/abc` → 422). */
export const integerIdSchema = z.coerce.number().int().min(1).max(Number.MAX_SAFE_INTEGER);

export const ASSET_ORDER_FIELDS = ['id', 'name', 'uri', 'created_at', 'updated_at'] as const;
export type AssetOrderField = (typeof ASSET_ORDER_FIELDS)[number];

/** GET /api/v2/assets */
export const assetListQuerySchema = paginationQuerySchema.extend({
  order_by: orderBySchema(ASSET_ORDER_FIELDS, 'id'),
  name_pattern: z
    .string()
    .min(1)
    .max(1_500)
    .optional()
    .describe('case-insensitive substring of the name (% and _ match themselves)'),
  uri_pattern: z.string().min(1).max(1_500).optional().describe('case-insensitive substring of the URI'),
  only_active: booleanQuerySchema.default(true).describe('leave out assets no active DAG declares (default true)'),
});
export type AssetListQuery = z.infer<typeof assetListQuerySchema>;

export const assetIdParamsSchema = z.object({ asset_id: integerIdSchema });

/** A task that declares the asset (as an inlet: consuming; as an outlet: producing). */
export const assetTaskReferenceSchema = z.object({ dag_id: z.string(), task_id: z.string() });
export type AssetTaskReference = z.infer<typeof assetTaskReferenceSchema>;

export const assetResponseSchema = z.object({
  id: z.number().int(),
  name: z.string(),
  uri: z.string(),
  group: z.string(),
  extra: z.record(z.string(), z.unknown()),
  created_at: z.string(),
  updated_at: z.string(),
  /** Some active DAG declares it. */
  active: z.boolean(),
  /** Tasks of active DAGs with the asset among their inlets. */
  consuming_tasks: z.array(assetTaskReferenceSchema),
  /** Tasks of active DAGs with the asset among their outlets (their success emits an event). */
  producing_tasks: z.array(assetTaskReferenceSchema),
  /** Active DAGs whose schedule names the asset: its events are queued for them. */
  scheduled_dags: z.array(z.object({ dag_id: z.string() })),
  last_asset_event: z.object({ id: z.number().int(), timestamp: z.string() }).nullable(),
});
export type AssetResponse = z.infer<typeof assetResponseSchema>;

export const assetCollectionSchema = z.object({
  assets: z.array(assetResponseSchema),
  total_entries: z.number().int(),
});
export type AssetCollection = z.infer<typeof assetCollectionSchema>;

export const ASSET_EVENT_ORDER_FIELDS = ['id', 'timestamp', 'asset_id', 'source_dag_id'] as const;
export type AssetEventOrderField = (typeof ASSET_EVENT_ORDER_FIELDS)[number];

/** GET /api/v2/assets/events */
export const assetEventListQuerySchema = paginationQuerySchema.extend({
  order_by: orderBySchema(ASSET_EVENT_ORDER_FIELDS, '-timestamp'),
  asset_id: integerIdSchema.optional(),
  source_dag_id: z.string().min(1).optional(),
  source_run_id: z.string().min(1).optional(),
  source_task_id: z.string().min(1).optional(),
  source_map_index: z.coerce.number().int().min(-1).max(INT32_MAX).optional(),
  timestamp_gte: isoDateTimeQuerySchema.optional(),
  timestamp_lte: isoDateTimeQuerySchema.optional(),
});
export type AssetEventListQuery = z.infer<typeof assetEventListQuerySchema>;

export const assetEventResponseSchema = z.object({
  id: z.number().int(),
  asset_id: z.number().int(),
  asset_name: z.string(),
  asset_uri: z.string(),
  source_dag_id: z.string().nullable(),
  source_run_id: z.string().nullable(),
  source_task_id: z.string().nullable(),
  source_map_index: z.number().int().nullable(),
  /** `task` (a producing task succeeded), `api` (posted by `source_user`), `watcher` (`source_watcher`). */
  source_kind: z.enum(['task', 'api', 'watcher']),
  source_try_number: z.number().int().nullable(),
  source_user: z.string().nullable(),
  source_watcher: z.string().nullable(),
  extra: z.record(z.string(), z.unknown()),
  timestamp: z.string(),
});
export type AssetEventResponse = z.infer<typeof assetEventResponseSchema>;

export const assetEventCollectionSchema = z.object({
  asset_events: z.array(assetEventResponseSchema),
  total_entries: z.number().int(),
});
export type AssetEventCollection = z.infer<typeof assetEventCollectionSchema>;

/** POST /api/v2/assets/events: an event from outside (role op), queued for the DAGs scheduled on the asset. */
export const createAssetEventBodySchema = z.strictObject({
  asset_id: integerIdSchema,
  extra: z
    .record(z.string(), z.json())
    .optional()
    .describe("a JSON object the consuming runs see as the event's extra; at most state.max_value_bytes"),
});
export type CreateAssetEventBody = z.infer<typeof createAssetEventBodySchema>;

/** GET /api/v2/dags/{dag_id}/assets/queuedEvents: what an asset-scheduled DAG is waiting for. */
export const queuedEventCollectionSchema = z.object({
  /** The DAG's asset condition, or null when it is not scheduled on assets. */
  asset_expression: z.string().nullable(),
  queued_events: z.array(
    z.object({
      asset_id: z.number().int(),
      asset_name: z.string(),
      asset_uri: z.string(),
      asset_event_id: z.number().int(),
      created_at: z.string(),
    }),
  ),
  /** Assets of the condition with no queued event yet. */
  waiting_for: z.array(z.object({ name: z.string(), uri: z.string() })),
  total_entries: z.number().int(),
});
export type QueuedEventCollection = z.infer<typeof queuedEventCollectionSchema>;
