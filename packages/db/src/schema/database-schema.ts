import type { ColumnType, Generated, Insertable, Selectable } from 'kysely';

/**
 * The metadata database, as Kysely sees it. Timestamps are UTC epoch milliseconds (`bigint`) on
 * both dialects so that comparisons such as `expires_at < now` behave identically. JSON is stored
 * as text. Flags are integers 0/1.
 */
export interface DatabaseSchema {
  dag: DagTable;
  dag_run: DagRunTable;
  task_instance: TaskInstanceTable;
  task_instance_try: TaskInstanceTryTable;
  asset: AssetTable;
  asset_active: AssetActiveTable;
  asset_event: AssetEventTable;
  dag_schedule_asset: DagScheduleAssetTable;
  asset_event_queue: AssetEventQueueTable;
  dag_run_asset_event: DagRunAssetEventTable;
  xcom: XcomTable;
  task_state: TaskStateTable;
  asset_state: AssetStateTable;
  dag_state: DagStateTable;
  state_history: StateHistoryTable;
  state_pending: StatePendingTable;
  user: UserTable;
  dag_import_error: DagImportErrorTable;
  state_gc_lease: StateGcLeaseTable;
  asset_watcher: AssetWatcherTable;
  task_deferral: TaskDeferralTable;
}

type AutoId = Generated<number>;
type EpochMs = number;
type WithDefault<T> = ColumnType<T, T | undefined, T>;

export interface DagTable {
  dag_id: string;
  fileloc: WithDefault<string>;
  schedule: string | null;
  is_paused: WithDefault<number>;
  is_active: WithDefault<number>;
  description: string | null;
  last_parsed_at: EpochMs | null;
  /** JSON of a SerializedDag (core). */
  serialized: string | null;
  /** serializedDagHash of `serialized`; null when unknown (a writer changed the text without it). */
  serialized_hash: string | null;
  /** When the scheduler creates the next scheduled run; null: not scheduled. */
  next_run_at: EpochMs | null;
  created_at: EpochMs;
  updated_at: EpochMs;
}

export interface DagRunTable {
  id: AutoId;
  dag_id: string;
  run_id: string;
  state: string;
  run_type: string;
  logical_date: EpochMs | null;
  data_interval_start: EpochMs | null;
  data_interval_end: EpochMs | null;
  conf: WithDefault<string>;
  queued_at: EpochMs | null;
  start_date: EpochMs | null;
  end_date: EpochMs | null;
  created_at: EpochMs;
  updated_at: EpochMs;
}

export interface TaskInstanceTable {
  /** UUIDv7 */
  id: string;
  dag_run_id: number;
  dag_id: string;
  run_id: string;
  task_id: string;
  map_index: WithDefault<number>;
  state: string | null;
  try_number: WithDefault<number>;
  max_tries: WithDefault<number>;
  queued_at: EpochMs | null;
  start_date: EpochMs | null;
  end_date: EpochMs | null;
  heartbeat_at: EpochMs | null;
  next_retry_at: EpochMs | null;
  worker: string | null;
  /** SPEC §17: the item key this TI's attempts last used for item-keyed task state; null: none. */
  state_item_key: ColumnType<string | null, string | null | undefined, string | null>;
  created_at: EpochMs;
  updated_at: EpochMs;
}

/**
 * One ended try (attempt) of a task instance, copied from its row when the attempt ended: the
 * times and worker of that try, and the state it ended in (`success`, `skipped`, `up_for_retry`,
 * `failed`; or the state an operator marked, or `failed` when a clear stopped it).
 */
export interface TaskInstanceTryTable {
  ti_id: string;
  try_number: number;
  state: string;
  max_tries: number;
  queued_at: EpochMs | null;
  start_date: EpochMs | null;
  end_date: EpochMs;
  /** For `up_for_retry`: when the next try was due. */
  next_retry_at: EpochMs | null;
  worker: string | null;
}

export interface AssetTable {
  id: AutoId;
  name: string;
  uri: string;
  group: WithDefault<string>;
  extra: WithDefault<string>;
  created_at: EpochMs;
  updated_at: EpochMs;
}

/** An asset is active while some DAG declares it; names and uris are unique among active assets. */
export interface AssetActiveTable {
  name: string;
  uri: string;
}

export interface AssetEventTable {
  id: AutoId;
  asset_id: number;
  source_dag_id: string | null;
  source_run_id: string | null;
  source_task_id: string | null;
  source_map_index: number | null;
  /** `task` (a producing task's success), `api` (a person or script), `watcher`. */
  source_kind: WithDefault<string>;
  source_try_number: number | null;
  /** The user who posted it (source `api`). */
  source_user: string | null;
  /** The watcher that emitted it (source `watcher`). */
  source_watcher: string | null;
  extra: WithDefault<string>;
  created_at: EpochMs;
}

/** DAG `dag_id` is scheduled on asset `asset_id` (its condition names it). */
export interface DagScheduleAssetTable {
  dag_id: string;
  asset_id: number;
}

/** An event not yet consumed by a run of DAG `dag_id`. */
export interface AssetEventQueueTable {
  dag_id: string;
  asset_event_id: number;
  created_at: EpochMs;
}

/** The events that triggered an asset-triggered run. */
export interface DagRunAssetEventTable {
  dag_run_id: number;
  asset_event_id: number;
}

export interface XcomTable {
  dag_run_id: number;
  dag_id: string;
  run_id: string;
  task_id: string;
  map_index: number;
  key: string;
  value: string;
  created_at: EpochMs;
}

export interface TaskStateTable {
  id: AutoId;
  dag_run_id: number;
  dag_id: string;
  run_id: string;
  task_id: string;
  map_index: number;
  key: string;
  value: string;
  version: number;
  updated_at: EpochMs;
  expires_at: EpochMs | null;
  /** JSON of a `StateWriter`. */
  updated_by: string | null;
  /**
   * SPEC §17: set, the row belongs to this item of an item-keyed mapped task (whatever the map
   * index, which is then -1); null, to the map index.
   */
  item_key: ColumnType<string | null, string | null | undefined, string | null>;
}

/** SPEC §17: state of one DAG, shared by its runs and tasks; expires only when written with a retention. */
export interface DagStateTable {
  id: AutoId;
  dag_id: string;
  key: string;
  value: string;
  version: number;
  updated_at: EpochMs;
  expires_at: EpochMs | null;
  updated_by: string | null;
}

export interface AssetStateTable {
  id: AutoId;
  asset_id: number;
  key: string;
  value: string;
  version: number;
  updated_at: EpochMs;
  updated_by: string | null;
}

/**
 * One row per write of a key: task-scoped (dag_run_id, task_id, map_index, or item_key for an
 * item-keyed mapped task), asset-scoped (asset_id) or DAG-scoped (dag_id).
 */
export interface StateHistoryTable {
  id: AutoId;
  dag_run_id: number | null;
  task_id: string | null;
  map_index: number | null;
  asset_id: number | null;
  dag_id: ColumnType<string | null, string | null | undefined, string | null>;
  item_key: ColumnType<string | null, string | null | undefined, string | null>;
  key: string;
  version: number;
  operation: string;
  value: string | null;
  written_at: EpochMs;
  written_by: string | null;
}

/** Asset writes staged by an attempt with `{onSuccess: true}`, applied when it succeeds. */
export interface StatePendingTable {
  id: AutoId;
  ti_id: string;
  try_number: number;
  asset_id: number;
  key: string;
  operation: string;
  value: string;
  written_by: string | null;
  created_at: EpochMs;
}

export interface UserTable {
  id: AutoId;
  username: string;
  password_hash: string;
  role: string;
  created_at: EpochMs;
  updated_at: EpochMs;
}

export type TaskStateRow = Selectable<TaskStateTable>;
export type AssetStateRow = Selectable<AssetStateTable>;
export type StateHistoryRow = Selectable<StateHistoryTable>;
export type NewStateHistoryRow = Insertable<StateHistoryTable>;

export interface DagImportErrorTable {
  id: AutoId;
  fileloc: string;
  line: number | null;
  message: string;
  created_at: EpochMs;
}

/** One row per garbage-collection job: who runs it now, until when, and when it is next due. */
export interface StateGcLeaseTable {
  name: string;
  holder: string | null;
  lease_until: EpochMs | null;
  next_due_at: EpochMs;
  last_started_at: EpochMs | null;
  last_finished_at: EpochMs | null;
}

/**
 * A watcher declared on an asset in a DAG file (SPEC §15.3), unique by (asset, name). The DAG
 * processor writes what the file declares; triggerers lease it; polls update its status.
 */
export interface AssetWatcherTable {
  id: AutoId;
  asset_id: number;
  name: string;
  /** The DAG (first by fileloc) that declares it, and its file. */
  dag_id: string;
  fileloc: string;
  every_ms: number;
  /** 0 once no active DAG declares it; the row and its status stay. */
  active: WithDefault<number>;
  /** The triggerer id holding the lease, its hostname:pid, and until when. */
  lease_owner: string | null;
  lease_hostname: string | null;
  /** Bumped each time a triggerer takes the watcher: a poll names it, so a superseded one commits nothing. */
  lease_generation: WithDefault<number>;
  lease_expires_at: EpochMs | null;
  last_poll_at: EpochMs | null;
  last_event_at: EpochMs | null;
  event_count: WithDefault<number>;
  last_error: string | null;
  last_error_at: EpochMs | null;
  /** Failed polls in a row; 0 after a success. */
  failure_count: WithDefault<number>;
  /** Not polled before this (its interval, or the backoff after a failure); null: at once. */
  next_poll_at: EpochMs | null;
  created_at: EpochMs;
  updated_at: EpochMs;
}

/**
 * A deferred try's wait (SPEC §16), from the deferral until the resumed try is claimed. Triggerers
 * lease it like a watcher; `status` is `waiting`, then `fired` with the `event` the try resumes with.
 */
export interface TaskDeferralTable {
  id: AutoId;
  ti_id: string;
  /** The deferred try: it resumes with this try number. */
  try_number: number;
  /** `timer` | `poll` */
  kind: string;
  poll_name: string | null;
  /** JSON of the poll's arguments. */
  args: string | null;
  every_ms: number | null;
  /** A timer's instant, or a poll's next call. */
  next_check_at: EpochMs;
  timeout_at: EpochMs | null;
  /** `waiting` | `fired` */
  status: WithDefault<string>;
  /** JSON of what the wait fired with (`ctx.resumedWith`). */
  event: string | null;
  fired_at: EpochMs | null;
  lease_owner: string | null;
  lease_hostname: string | null;
  lease_generation: WithDefault<number>;
  lease_expires_at: EpochMs | null;
  last_check_at: EpochMs | null;
  check_count: WithDefault<number>;
  created_at: EpochMs;
  updated_at: EpochMs;
}
