import type { FastifyInstance } from 'fastify';
import { registerAssetStateRoutes } from './asset-state-routes.ts';
import { registerDagStateRoutes } from './dag-state-routes.ts';
import type { StateStoreContext } from './state-store-route-support.ts';
import { registerTaskStateRoutes } from './task-state-routes.ts';

export type { StateStoreContext } from './state-store-route-support.ts';

/**
 * The execution API's state store (SPEC §11.1, core `STATE_STORE_ROUTES`), attempt token only.
 *
 * Task state — scope `(dag_id, run_id, task_id, map_index)` of the token's TI, or with
 * `?item_key=` (an item-keyed mapped TI, SPEC §17) `(dag_id, run_id, task_id, item key)`:
 *   GET    /execution/store/ti/{ti_id}/{key}          → 200 `{value, version, expires_at}` + ETag; 404 `state_not_found`
 *   PUT    /execution/store/ti/{ti_id}/{key}          → 204 + ETag (new version)
 *   DELETE /execution/store/ti/{ti_id}/{key}          → 204 (idempotent; If-Match honoured)
 *   DELETE /execution/store/ti/{ti_id}                → 204 (this TI's map index only)
 *   GET    /execution/store/ti/{ti_id}                → 200 `{keys: [{key, version, expires_at}]}`
 *   POST   /execution/store/ti/{ti_id}/{key}/advance  → 200 `{value, version, advanced}`
 * Asset state — `?name=` under by-name, `?uri=` under by-uri; the asset must be active (else 404
 * `asset_not_found`) and an inlet or outlet of the TI's task (else 403 `undeclared_asset`):
 *   GET|PUT|DELETE …/value?key=, DELETE …/clear, POST …/advance?key=, GET …/keys
 *   PUT and advance with `on_success: true` stage the write (SPEC §7) → 202 `{staged: true}`; it is
 *   applied when the attempt succeeds, dropped when it fails (metastore tables only).
 *
 * DAG state (SPEC §17) — `/execution/store/dag/{dag_id}…`, the token's own DAG only (see
 * registerDagStateRoutes).
 *
 * Other TI's token: 403. Writes (PUT, DELETE, clear, advance) from an attempt that is not the TI's
 * current running try: 409 `stale_attempt`; reads are allowed. `If-Match: "<v>"` (or `if_version`)
 * mismatch: 412 `state_conflict`. `null` / non-finite value: 422. Over `state.max_value_bytes`: 413.
 */
export function registerStateStoreRoutes(app: FastifyInstance, context: StateStoreContext): void {
  registerTaskStateRoutes(app, context);
  registerAssetStateRoutes(app, context);
  registerDagStateRoutes(app, context);
}
