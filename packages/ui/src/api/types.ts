import type { paths } from './public-api.generated.ts';

/**
 * The public API's response shapes, taken from the types generated from its OpenAPI document
 * (public-api.generated.ts; `npm run generate:ui-api-types`), so that a contract change on the
 * server shows up here as a type error instead of a silently wrong page.
 */

type Method = 'get' | 'post' | 'put' | 'patch' | 'delete';

/** The JSON body of a path's 200 answer to `method`. */
export type ApiResponse<P extends keyof paths, M extends Method = 'get'> = paths[P][M] extends {
  readonly responses: { readonly 200: { content: { readonly 'application/json': infer Body } } };
}
  ? Body
  : never;

/** The query parameters a path takes for `method`. */
export type ApiQuery<P extends keyof paths, M extends Method = 'get'> = paths[P][M] extends {
  readonly parameters: { readonly query?: infer Query };
}
  ? NonNullable<Query>
  : never;

type Item<List> = List extends readonly (infer Element)[] ? Element : never;

const DAG = '/api/v2/dags/{dag_id}';
const RUN = '/api/v2/dags/{dag_id}/dagRuns/{dag_run_id}';
const TI = '/api/v2/dags/{dag_id}/dagRuns/{dag_run_id}/taskInstances/{task_id}';
const TASK_STATE = `${TI}/state-store`;
const ASSET_STATE = '/api/v2/assets/{asset_id}/state-store';
type DagPath = typeof DAG;
type RunPath = typeof RUN;
type TiPath = typeof TI;

export type Dag = Item<ApiResponse<'/api/v2/dags'>['dags']>;
export type DagLatestRun = NonNullable<Dag['latest_dag_run']>;
export type DagDetails = ApiResponse<DagPath>;
export type DagTask = Item<DagDetails['tasks']>;
export type AssetReference = Item<DagTask['inlets']>;
export type ImportError = Item<ApiResponse<'/api/v2/importErrors'>['import_errors']>;
export type DagRun = ApiResponse<RunPath>;
export type DagRunState = DagRun['state'];
export type TaskInstance = ApiResponse<TiPath>;
/** `null`: not scheduled yet ("none"). */
export type TaskInstanceState = NonNullable<TaskInstance['state']>;
/** One try of a task instance (`…/tries`): its own times and the state it ended in. */
export type TaskInstanceTry = Item<ApiResponse<`${TiPath}/tries`>['task_instances']>;
export type TaskLogChunk = ApiResponse<`${TiPath}/logs/{try_number}`>;
export type XcomEntry = ApiResponse<`${TiPath}/xcomEntries/{xcom_key}`>;
export type TaskStateEntry = Item<ApiResponse<typeof TASK_STATE>['task_state_store']>;
export type AssetStateEntry = Item<ApiResponse<typeof ASSET_STATE>['asset_state_store']>;
/** A task-state or asset-state entry; task state has `expires_at`, asset state `last_updated_by`. */
export type StateEntry = Omit<TaskStateEntry, 'expires_at'> & {
  readonly expires_at?: TaskStateEntry['expires_at'];
  readonly last_updated_by?: AssetStateEntry['last_updated_by'];
};
export type StateHistoryEntry = Item<ApiResponse<`${typeof TASK_STATE}/{key}/history`>['history']>;
/** Who wrote a state value: a task attempt, a watcher, an API user or the system. */
export type StateWriter = StateHistoryEntry['written_by'];
export type Asset = ApiResponse<'/api/v2/assets/{asset_id}'>;
export type AssetEvent = Item<ApiResponse<'/api/v2/assets/events'>['asset_events']>;
/** What an asset-scheduled DAG waits for: its condition, the events queued for it, and the assets still missing. */
export type QueuedAssetEvents = ApiResponse<`${DagPath}/assets/queuedEvents`>;

export type JsonValue = string | number | boolean | null | JsonValue[] | { [key: string]: JsonValue };

/** The expiry of a task-state write: the configured default, never, or a time (ISO-8601). */
export type StateExpiry = 'default' | null | string;

/** An asset watcher and how it is doing (`GET /api/v2/assets/{id}/watchers`). */
export type Watcher = Item<ApiResponse<'/api/v2/assets/{asset_id}/watchers'>['watchers']>;
