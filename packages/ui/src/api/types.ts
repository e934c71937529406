/** The public API's response shapes (`/api/v2/openapi.json`), as far as the UI reads them. */

export type TaskInstanceState =
  | 'scheduled'
  | 'queued'
  | 'running'
  | 'success'
  | 'failed'
  | 'up_for_retry'
  | 'upstream_failed'
  | 'skipped'
  | 'removed';

export type DagRunState = 'queued' | 'running' | 'success' | 'failed';

export type JsonValue = string | number | boolean | null | JsonValue[] | { [key: string]: JsonValue };

export interface DagLatestRun {
  readonly dag_run_id: string;
  readonly state: DagRunState;
  readonly run_type: string;
  readonly logical_date: string | null;
  readonly start_date: string | null;
  readonly end_date: string | null;
}

export interface Dag {
  readonly dag_id: string;
  readonly description: string | null;
  readonly fileloc: string;
  readonly is_paused: boolean;
  readonly is_active: boolean;
  readonly schedule: string | null;
  /** The asset condition that makes runs, e.g. `all(orders, customers)`; null: not scheduled on assets. */
  readonly asset_expression: string | null;
  readonly tags: readonly string[];
  readonly next_dagrun_run_after: string | null;
  readonly latest_dag_run: DagLatestRun | null;
}

export interface ImportError {
  readonly import_error_id: number;
  readonly fileloc: string;
  readonly line: number | null;
  readonly message: string;
  readonly timestamp: string;
}

export interface AssetReference {
  readonly name: string;
  readonly uri: string;
}

export interface DagTask {
  readonly task_id: string;
  readonly upstream_task_ids: readonly string[];
  readonly downstream_task_ids: readonly string[];
  readonly map_over: string | null;
  readonly retries: number;
  readonly inlets: readonly AssetReference[];
  readonly outlets: readonly AssetReference[];
}

export interface DagDetails extends Dag {
  readonly tasks: readonly DagTask[];
}

export interface DagRun {
  readonly dag_run_id: string;
  readonly dag_id: string;
  readonly state: DagRunState;
  readonly run_type: string;
  readonly logical_date: string | null;
  readonly queued_at: string | null;
  readonly start_date: string | null;
  readonly end_date: string | null;
  readonly conf: Record<string, JsonValue>;
  /** Count of the run's task instances per state; `none`: not scheduled yet. */
  readonly task_instance_states: Readonly<Record<TaskInstanceState | 'none', number>>;
}

export interface TaskInstance {
  readonly id: string;
  readonly task_id: string;
  readonly dag_id: string;
  readonly dag_run_id: string;
  readonly map_index: number;
  readonly state: TaskInstanceState | null;
  readonly try_number: number;
  readonly max_tries: number;
  readonly start_date: string | null;
  readonly end_date: string | null;
  readonly duration: number | null;
  readonly hostname: string | null;
  readonly next_retry_at: string | null;
}

export interface TaskLogChunk {
  readonly content: string;
  readonly continuation_token: string | null;
  readonly complete: boolean;
}

export interface XcomEntry {
  readonly key: string;
  readonly timestamp: string;
  readonly map_index: number;
  readonly value?: JsonValue;
}

/** Who wrote a state value: a task attempt, a watcher, an API user or the system. */
export type StateWriter =
  | {
      readonly kind: 'task';
      readonly dag_id: string;
      readonly run_id: string;
      readonly task_id: string;
      readonly map_index: number;
      readonly try_number: number;
    }
  | { readonly kind: 'watcher'; readonly watcher: string; readonly dag_id: string }
  | { readonly kind: 'api'; readonly user: string }
  | { readonly kind: 'system'; readonly reason: string }
  | null;

/** A task-state or asset-state entry; task state has `expires_at`, asset state `last_updated_by`. */
export interface StateEntry {
  readonly key: string;
  readonly value: JsonValue;
  readonly version: number;
  readonly updated_at: string;
  readonly expires_at?: string | null;
  readonly last_updated_by?: StateWriter;
}

export interface StateHistoryEntry {
  readonly version: number;
  readonly operation: 'set' | 'delete';
  /** null for a delete. */
  readonly value: JsonValue;
  readonly written_at: string;
  readonly written_by: StateWriter;
}

export interface Asset {
  readonly id: number;
  readonly name: string;
  readonly uri: string;
  readonly group: string;
  readonly active: boolean;
  readonly consuming_tasks: readonly { readonly dag_id: string; readonly task_id: string }[];
  readonly producing_tasks: readonly { readonly dag_id: string; readonly task_id: string }[];
  /** DAGs whose schedule names the asset: its events make their runs. */
  readonly scheduled_dags: readonly { readonly dag_id: string }[];
  readonly last_asset_event: { readonly id: number; readonly timestamp: string } | null;
}

export interface AssetEvent {
  readonly id: number;
  readonly asset_id: number;
  readonly asset_name: string;
  readonly asset_uri: string;
  /** `task`: a producing task succeeded; `api`: posted by `source_user`; `watcher`: `source_watcher`. */
  readonly source_kind: 'task' | 'api' | 'watcher';
  readonly source_dag_id: string | null;
  readonly source_run_id: string | null;
  readonly source_task_id: string | null;
  readonly source_map_index: number | null;
  readonly source_try_number: number | null;
  readonly source_user: string | null;
  readonly source_watcher: string | null;
  readonly extra: Record<string, JsonValue>;
  readonly timestamp: string;
}

/** What an asset-scheduled DAG waits for: its condition, the events queued for it, and the assets still missing. */
export interface QueuedAssetEvents {
  readonly asset_expression: string | null;
  readonly queued_events: readonly {
    readonly asset_id: number;
    readonly asset_name: string;
    readonly asset_uri: string;
    readonly asset_event_id: number;
    readonly created_at: string;
  }[];
  readonly waiting_for: readonly AssetReference[];
  readonly total_entries: number;
}

/** The expiry of a task-state write: the configured default, never, or a time (ISO-8601). */
export type StateExpiry = 'default' | null | string;

/** An asset watcher and how it is doing (`GET /api/v2/assets/{id}/watchers`). */
export interface Watcher {
  readonly id: number;
  readonly name: string;
  readonly asset_id: number;
  readonly asset_name: string;
  readonly asset_uri: string;
  readonly dag_id: string;
  readonly every_ms: number;
  readonly status: 'running' | 'backing_off' | 'waiting' | 'inactive';
  readonly triggerer: string | null;
  readonly lease_expires_at: string | null;
  readonly last_poll_at: string | null;
  readonly last_event_at: string | null;
  readonly event_count: number;
  readonly last_error: string | null;
  readonly last_error_at: string | null;
  readonly failure_count: number;
  readonly next_poll_at: string | null;
}
