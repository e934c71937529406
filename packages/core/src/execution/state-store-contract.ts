import { z } from 'zod';
import { INT32_MAX } from '../public/int32-range.ts';
import type { JsonValue } from '../state-store/state-value-rules.ts';

/**
 * The execution API's state store (SPEC §11.1): Airflow 3.3's paths and bodies, plus key listing,
 * `advance`, `If-Match`/`ETag` and `retention`. The scope is derived on the server from the attempt
 * token's TI, never taken from the request. Versions travel as `ETag: "<version>"`; a write or
 * delete may send `If-Match: "<version>"` (or `if_version` in the body; `0` = only if absent) and
 * gets 412 `state_conflict` on a mismatch.
 *
 * SPEC §17: the task routes take `?item_key=` for an item-keyed mapped task (its state is then the
 * item's, whatever the map index); the DAG routes address the state of the token's own DAG, named
 * in the path (another DAG: 403).
 */
export const STATE_STORE_ROUTES = {
  taskKey: '/execution/store/ti/:ti_id/:key',
  taskKeys: '/execution/store/ti/:ti_id',
  taskAdvance: '/execution/store/ti/:ti_id/:key/advance',
  assetByNameValue: '/execution/store/asset/by-name/value',
  assetByNameClear: '/execution/store/asset/by-name/clear',
  assetByNameAdvance: '/execution/store/asset/by-name/advance',
  assetByNameKeys: '/execution/store/asset/by-name/keys',
  assetByUriValue: '/execution/store/asset/by-uri/value',
  assetByUriClear: '/execution/store/asset/by-uri/clear',
  assetByUriAdvance: '/execution/store/asset/by-uri/advance',
  assetByUriKeys: '/execution/store/asset/by-uri/keys',
  dagKey: '/execution/store/dag/:dag_id/:key',
  dagKeys: '/execution/store/dag/:dag_id',
  dagAdvance: '/execution/store/dag/:dag_id/:key/advance',
} as const;

/** `NEVER_EXPIRE`, or a duration text such as "30d", "2h", "500ms" (the server computes expires_at). */
export const NEVER_EXPIRE = 'NEVER_EXPIRE';

/** GET → 200 (and `ETag`). A missing or expired key: 404 `state_not_found`. */
export const stateEntryResponseSchema = z.strictObject({
  value: z.json(),
  version: z.number().int().min(1),
  /** ISO-8601, or null: never expires (always null for asset state). */
  expires_at: z.string().nullable(),
});

/**
 * A JSON value a worker sends (state, XCom, return value). Not checked here: core's value rules
 * (`encodeStateValue`) check it where it is stored and name the problem (`must be finite JSON:
 * Infinity at $.a[1]`), where z.json() said only "Invalid input".
 */
export const workerJsonValueSchema = z.custom<JsonValue>((value) => value !== undefined, 'a JSON value is required');

/**
 * PUT body → 204 with `ETag: "<new version>"`. Task and DAG state: `expires_at` / `retention` (task
 * state without them: `state.default_retention`; DAG state: never).
 */
export const stateSetRequestSchema = z.strictObject({
  value: workerJsonValueSchema,
  /** Absolute expiry (Airflow compatibility); ISO-8601 or null (never). */
  expires_at: z.string().nullable().optional(),
  /** Relative expiry, computed on the server; wins over expires_at when both are sent. */
  retention: z.string().optional(),
  if_version: z.number().int().min(0).max(INT32_MAX).optional(),
  /** Asset state only: staged, applied when the attempt succeeds (SPEC §7). */
  on_success: z.boolean().optional(),
});

/** POST …/advance body → 200 `{value, version, advanced}`. */
export const stateAdvanceRequestSchema = z.strictObject({
  value: z.union([z.number(), z.string()]),
  /** Asset state only: staged, applied when the attempt succeeds. Answers `{staged: true}`. */
  on_success: z.boolean().optional(),
});
export const stateAdvanceResponseSchema = z.strictObject({
  value: z.json(),
  version: z.number().int(),
  advanced: z.boolean(),
});

/** GET keys → `{keys: [{key, version, expires_at}]}` (Airflow has no listing). */
export const stateKeysResponseSchema = z.strictObject({
  keys: z.array(z.strictObject({ key: z.string(), version: z.number().int(), expires_at: z.string().nullable() })),
});

/** The asset routes' query: `?name=` (by-name) or `?uri=` (by-uri), plus `key` where one applies. */
export const assetStateQuerySchema = z.object({
  name: z.string().min(1).optional(),
  uri: z.string().min(1).optional(),
  key: z.string().optional(),
});

/** The task-state routes' query: `?item_key=` for an item-keyed mapped task (SPEC §17). */
export const taskStateQuerySchema = z.object({
  item_key: z.string().optional(),
});
