import { z } from 'zod';
import { paginationQuerySchema } from './pagination.ts';
import { taskInstancePathSchema, wholeNumberQueryParam } from './task-instance-contract.ts';

/**
 * Public API (SPEC §11.2), XComs of a task instance, Airflow 3 shapes (read only):
 *
 * * `GET …/taskInstances/{task_id}/xcomEntries?map_index=&limit=&offset=` → `{xcom_entries, total_entries}`,
 *   ordered by map index then key; without `map_index`, every map index of the task.
 * * `GET …/taskInstances/{task_id}/xcomEntries/{xcom_key}?map_index=` → the entry with its `value`
 *   (the JSON the task returned or pushed), or 404 `xcom_not_found`.
 */
export const xcomEntrySchema = z.strictObject({
  key: z.string(),
  /** When the value was stored, ISO-8601. */
  timestamp: z.string(),
  map_index: z.number().int(),
  task_id: z.string(),
  dag_id: z.string(),
  run_id: z.string(),
});
export type XcomEntryResponse = z.infer<typeof xcomEntrySchema>;

export const xcomEntryWithValueSchema = xcomEntrySchema.extend({
  /** The stored JSON value, parsed. */
  value: z.unknown().meta({ description: 'any JSON value but null' }),
});
export type XcomEntryWithValueResponse = z.infer<typeof xcomEntryWithValueSchema>;

export const xcomEntryCollectionSchema = z.strictObject({
  xcom_entries: z.array(xcomEntrySchema),
  total_entries: z.number().int(),
});
export type XcomEntryCollection = z.infer<typeof xcomEntryCollectionSchema>;

export const xcomEntriesPathSchema = taskInstancePathSchema;
export const xcomEntryPathSchema = taskInstancePathSchema.extend({ xcom_key: z.string().min(1) });

export const xcomEntryListQuerySchema = paginationQuerySchema.extend({
  map_index: wholeNumberQueryParam(-1).optional(),
});
export type XcomEntryListQuery = z.infer<typeof xcomEntryListQuerySchema>;

export const xcomEntryQuerySchema = z.object({ map_index: wholeNumberQueryParam(-1).optional() });
