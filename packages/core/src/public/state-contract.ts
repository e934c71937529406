import { z } from 'zod';
import { integerIdSchema } from './asset-contract.ts';
import { INT32_MAX } from './int32-range.ts';
import { paginationQuerySchema } from './pagination.ts';
import { taskInstancePathSchema, wholeNumberQueryParam } from './task-instance-contract.ts';

/**
 * Public API (SPEC §11.2), task state and asset state:
 *
 * * `…/taskInstances/{task_id}/state-store?map_index=&limit=&offset=` → `{task_state_store, total_entries}`;
 *   GET/PUT/PATCH/DELETE `…/state-store/{key}`; DELETE `…/state-store?all_map_indices=` (clear);
 *   GET `…/state-store/{key}/history`.
 * * `/assets/{asset_id}/state-store` → `{asset_state_store, total_entries}`; GET/PUT/DELETE `/{key}`,
 *   DELETE (clear), `/{key}/history`.
 * * SPEC §17: `/dags/{dag_id}/state-store` → `{dag_state_store, total_entries}`; GET/PUT/DELETE
 *   `/{key}`, DELETE (clear), `/{key}/history`, restore. The task-state routes take `?item_key=`
 *   for the state of one item of an item-keyed mapped task.
 *
 * A key may contain `/`: URL-encoded (`%2F`) it works on every route; unencoded it works on the
 * `{key}` routes but not on `/history` (the rest of the path is the key there).
 */

const stateValueSchema = z.unknown().meta({ description: 'any JSON value but null' });

/** Who wrote a value: a task attempt, a watcher, an API user or the system. */
export const stateWriterSchema = z
  .union([
    z.object({
      kind: z.literal('task'),
      dag_id: z.string(),
      run_id: z.string(),
      task_id: z.string(),
      map_index: z.number().int(),
      try_number: z.number().int(),
    }),
    z.object({ kind: z.literal('watcher'), watcher: z.string(), dag_id: z.string() }),
    z.object({ kind: z.literal('api'), user: z.string() }),
    z.object({ kind: z.literal('system'), reason: z.string() }),
  ])
  .nullable();
export type StateWriterResponse = z.infer<typeof stateWriterSchema>;

export const taskStateEntrySchema = z.object({
  key: z.string(),
  value: stateValueSchema,
  version: z.number().int(),
  /** ISO-8601. */
  updated_at: z.string(),
  /** ISO-8601; `null`: never expires. */
  expires_at: z.string().nullable(),
});
export type TaskStateEntryResponse = z.infer<typeof taskStateEntrySchema>;

export const taskStateCollectionSchema = z.object({
  task_state_store: z.array(taskStateEntrySchema),
  total_entries: z.number().int(),
});
export type TaskStateCollection = z.infer<typeof taskStateCollectionSchema>;

export const assetStateEntrySchema = z.object({
  key: z.string(),
  value: stateValueSchema,
  version: z.number().int(),
  updated_at: z.string(),
  last_updated_by: stateWriterSchema,
});
export type AssetStateEntryResponse = z.infer<typeof assetStateEntrySchema>;

export const assetStateCollectionSchema = z.object({
  asset_state_store: z.array(assetStateEntrySchema),
  total_entries: z.number().int(),
});
export type AssetStateCollection = z.infer<typeof assetStateCollectionSchema>;

export const dagStateEntrySchema = z.object({
  key: z.string(),
  value: stateValueSchema,
  version: z.number().int(),
  updated_at: z.string(),
  /** ISO-8601; `null`: never expires (DAG state expires only when written with a retention). */
  expires_at: z.string().nullable(),
  last_updated_by: stateWriterSchema,
});
export type DagStateEntryResponse = z.infer<typeof dagStateEntrySchema>;

export const dagStateCollectionSchema = z.object({
  dag_state_store: z.array(dagStateEntrySchema),
  total_entries: z.number().int(),
});
export type DagStateCollection = z.infer<typeof dagStateCollectionSchema>;

export const stateHistoryEntrySchema = z.object({
  version: z.number().int(),
  operation: z.enum(['set', 'delete']),
  /** `null` for a delete. */
  value: stateValueSchema,
  written_at: z.string(),
  written_by: stateWriterSchema,
});
export type StateHistoryEntryResponse = z.infer<typeof stateHistoryEntrySchema>;

export const stateHistorySchema = z.object({ history: z.array(stateHistoryEntrySchema) });
export type StateHistoryResponse = z.infer<typeof stateHistorySchema>;

/** PUT body of a task-state key: `expires_at` is `"default"` (now + state.default_retention), `null` or ISO-8601. */
export const putTaskStateBodySchema = z.strictObject({
  value: stateValueSchema,
  expires_at: z.union([z.literal('default'), z.null(), z.iso.datetime({ offset: true })]).default('default'),
});
export type PutTaskStateBody = z.infer<typeof putTaskStateBodySchema>;

/** PATCH body of a task-state key: the value only; the expiry stays. */
export const patchStateBodySchema = z.strictObject({ value: stateValueSchema });
/** PUT body of an asset-state key: asset state never expires, so `expires_at` is refused. */
export const putAssetStateBodySchema = z.strictObject({ value: stateValueSchema });
/** PUT body of a DAG-state key: `expires_at` is `null` (never, the default) or ISO-8601. */
export const putDagStateBodySchema = z.strictObject({
  value: stateValueSchema,
  expires_at: z.union([z.null(), z.iso.datetime({ offset: true })]).default(null),
});
export type PutDagStateBody = z.infer<typeof putDagStateBodySchema>;

export const taskStatePathSchema = taskInstancePathSchema;
/** `{key}`: a key with `/` is URL-encoded, or the rest of the path (an undocumented wildcard twin). */
export const taskStateKeyPathSchema = taskInstancePathSchema.extend({ key: z.string() });
export const taskStateHistoryPathSchema = taskStateKeyPathSchema;

export const assetStatePathSchema = z.object({ asset_id: integerIdSchema });
export const assetStateKeyPathSchema = assetStatePathSchema.extend({ key: z.string() });
export const assetStateHistoryPathSchema = assetStateKeyPathSchema;

export const dagStatePathSchema = z.object({ dag_id: z.string().min(1).max(250) });
export const dagStateKeyPathSchema = dagStatePathSchema.extend({ key: z.string() });

/** `?item_key=`: the state of one item of an item-keyed mapped task (SPEC §17), instead of a map index. */
const itemKeyQueryParam = z
  .string()
  .min(1)
  .meta({ description: 'an item key of an item-keyed mapped task (what its stateKey(item) returned)' });

export const taskStateListQuerySchema = paginationQuerySchema.extend({
  map_index: wholeNumberQueryParam(-1).optional(),
  item_key: itemKeyQueryParam.optional(),
});
export const taskStateMapIndexQuerySchema = z.object({
  map_index: wholeNumberQueryParam(-1).optional(),
  item_key: itemKeyQueryParam.optional(),
});
export const taskStateClearQuerySchema = z.object({
  map_index: wholeNumberQueryParam(-1).optional(),
  item_key: itemKeyQueryParam.optional(),
  all_map_indices: z
    .enum(['true', 'false'])
    .default('false')
    .transform((text) => text === 'true'),
});
export const assetStateListQuerySchema = paginationQuerySchema;
export const dagStateListQuerySchema = paginationQuerySchema;

/** `If-Match: "<version>"` (quotes optional; `W/` refused). */
export const ifMatchHeadersSchema = z.object({
  'if-match': z
    .string()
    .regex(/^\s*"?\d{1,10}"?\s*$/, 'If-Match must be a version, e.g. "3"')
    .refine((text) => Number(text.replaceAll(/[\s"]/g, '')) <= INT32_MAX, `If-Match must be a version ≤ ${INT32_MAX}`)
    .optional(),
});
