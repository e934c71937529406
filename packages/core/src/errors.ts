/**
 * The HTTP status of every error code an API answers with (SPEC §11): the server's error handler
 * reads it, and a code that is not here (or in LOCAL_ERROR_CODES) does not compile.
 */
export const HTTP_STATUS_OF_ERROR = {
  bad_request: 400,
  bad_url: 400,
  invalid_utf8: 400,
  invalid_text: 400,
  invalid_token: 401,
  invalid_credentials: 401,
  forbidden: 403,
  undeclared_asset: 403,
  not_found: 404,
  task_instance_not_found: 404,
  dag_run_not_found: 404,
  asset_not_found: 404,
  xcom_not_found: 404,
  state_not_found: 404,
  dag_not_found: 404,
  user_not_found: 404,
  watcher_not_found: 404,
  /** A triggerer reported on a deferral that no longer waits (it fired and resumed, timed out, or was cancelled). */
  deferral_not_found: 404,
  dag_run_exists: 409,
  user_exists: 409,
  stale_attempt: 409,
  /** A triggerer committed a poll of a watcher whose lease another triggerer holds now. */
  watcher_lease_lost: 409,
  /** A triggerer reported on a deferral whose lease another triggerer holds now (or that expired). */
  deferral_lease_lost: 409,
  state_not_writable: 409,
  state_conflict: 412,
  value_too_large: 413,
  body_too_large: 413,
  path_parameter_too_long: 414,
  unsupported_media_type: 415,
  validation_error: 422,
  invalid_state_key: 422,
  invalid_state_value: 422,
  invalid_state_option: 422,
  advance_type_mismatch: 422,
  json_too_deep: 422,
  weak_password: 422,
  precondition_required: 428,
  internal_error: 500,
  /** A stored DAG this version cannot read: the caller cannot fix it; the message says who can. */
  serialized_dag_invalid: 500,
  /** A stored state value encrypted with a key the server was not given: the operator fixes the config. */
  state_encryption_key_unknown: 500,
  database_unavailable: 503,
} as const satisfies Record<string, number>;

export type ApiErrorCode = keyof typeof HTTP_STATUS_OF_ERROR;

/** Codes raised and handled inside one process (SDK, worker, CLI, start-up), never answered over HTTP. */
export const LOCAL_ERROR_CODES = [
  'task_failed',
  'task_skipped',
  'task_terminated',
  /** Not a failure: `ctx.defer()` ends the attempt so that a triggerer runs its wait (SPEC §16). */
  'task_deferred',
  'invalid_wait',
  'dag_definition_error',
  'dag_file_import_failed',
  'dag_not_in_file',
  'invalid_pattern_option',
  'external_job_failed',
  'supervisor_disconnected',
  'unknown_request',
  'invalid_request',
  'invalid_config',
  'database_too_new',
  'unsupported_database_url',
  'invalid_cron',
  'offload_failed',
  'execution_api_unreachable',
  'invalid_execution_api_response',
  'api_timeout',
  'api_unreachable',
  'invalid_api_url',
  'not_logged_in',
  'credentials_unreadable',
  'invalid_schedule',
  'migration_failed',
  'database_not_migrated',
  'dags_folder_not_found',
  'invalid_offload_ref',
  'offload_missing',
  'invalid_asset',
  'ambiguous_asset_state',
  'invalid_xcom_pull',
  'invalid_xcom_push',
  'no_supervisor_channel',
  /** A watcher's commit was refused because its poll was aborted (the triggerer stops or lost the lease). */
  'poll_aborted',
  /** The DAG file no longer declares the watcher the triggerer leased (SPEC §15.3). */
  'watcher_not_in_dag',
  /** A watcher returned or yielded something that is not a list of events `[{ extra }]`. */
  'invalid_watcher_events',
  /** The watcher process went away (crashed, killed) while a poll ran in it. */
  'watcher_process_exited',
  'invalid_credentials_file',
  /** `tidemark init` would overwrite files of the folder it was given. */
  'project_exists',
  /** An API answered with a reason this version does not know, or with no `{detail}` at all. */
  'unexpected_api_answer',
] as const;

export type LocalErrorCode = (typeof LOCAL_ERROR_CODES)[number];

/** Every stable code a TidemarkError may carry: a closed set, checked at compile time. */
export type ErrorCode = ApiErrorCode | LocalErrorCode;

export function isApiErrorCode(code: string): code is ApiErrorCode {
  return Object.hasOwn(HTTP_STATUS_OF_ERROR, code);
}

export function isErrorCode(code: string): code is ErrorCode {
  return isApiErrorCode(code) || (LOCAL_ERROR_CODES as readonly string[]).includes(code);
}

/** A code received from elsewhere (an API answer, an IPC message): itself if known, else `unexpected_api_answer`. */
export function errorCodeOf(received: string): ErrorCode {
  return isErrorCode(received) ? received : 'unexpected_api_answer';
}

/**
 * Every error Tidemark raises on purpose carries a stable `code`. The HTTP layers map codes to
 * statuses and to `{"detail": {"reason": code, "message": message}}`; the CLI prints the message.
 */
export class TidemarkError extends Error {
  readonly code: ErrorCode;
  readonly details: Readonly<Record<string, unknown>>;

  constructor(code: ErrorCode, message: string, details: Record<string, unknown> = {}) {
    super(message);
    this.name = new.target.name;
    this.code = code;
    this.details = details;
  }
}

/**
 * An error answer of a Tidemark API, rebuilt by a client (worker, CLI): its code is the answer's
 * reason when this version knows it, else `unexpected_api_answer`; `details` keep the HTTP status
 * and the reason as answered.
 */
export class ApiAnswerError extends TidemarkError {
  constructor(status: number, reason: string | undefined, message: string) {
    super(errorCodeOf(reason ?? ''), message, {
      status,
      reason: reason ?? null,
    });
  }
}

export interface ErrorDetail {
  readonly reason: string;
  readonly message: string;
}

/**
 * The `{"detail": {"reason", "message"}}` of an API error answer (SPEC §11), read from its body
 * text; undefined when the body has none. The one parser of the worker, CLI and UI clients.
 */
export function readErrorDetail(bodyText: string): ErrorDetail | undefined {
  let body: unknown;
  try {
    body = JSON.parse(bodyText);
  } catch {
    return undefined;
  }
  const detail = (body as { detail?: { reason?: unknown; message?: unknown } } | null)?.detail;
  if (typeof detail?.reason !== 'string' && typeof detail?.message !== 'string') return undefined;
  const reason = typeof detail.reason === 'string' ? detail.reason : 'error';
  return { reason, message: typeof detail.message === 'string' ? detail.message : reason };
}

/**
 * The error an API answered with: its `{detail}` when it has one, else a message naming the
 * request (`what`), the status and the start of the body.
 */
export function apiAnswerError(status: number, bodyText: string, what: string): ApiAnswerError {
  const detail = readErrorDetail(bodyText);
  if (detail) return new ApiAnswerError(status, detail.reason, detail.message);
  const excerpt = bodyText.trim().split('\n')[0]?.slice(0, 200);
  return new ApiAnswerError(status, undefined, `${what} answered HTTP ${status}${excerpt ? `: ${excerpt}` : ''}`);
}

export function isTidemarkError(error: unknown): error is TidemarkError {
  return error instanceof TidemarkError;
}

export class InvalidStateKeyError extends TidemarkError {
  constructor(message: string) {
    super('invalid_state_key', message);
  }
}

export class InvalidStateValueError extends TidemarkError {
  constructor(message: string) {
    super('invalid_state_value', message);
  }
}

export class ValueTooLargeError extends TidemarkError {
  constructor(
    readonly sizeBytes: number,
    readonly limitBytes: number,
  ) {
    super(
      'value_too_large',
      `state value is ${sizeBytes} bytes of JSON, over the limit of ${limitBytes} bytes (state.max_value_bytes); ` +
        'store large payloads through the offload backend (state.offload.backend) or raise the limit',
      { size_bytes: sizeBytes, limit_bytes: limitBytes },
    );
  }
}

/** A compare-and-set write or delete whose `ifVersion` did not match the stored version. */
/** An asset event's `extra` is limited like a state value (SPEC §15.2). */
export class AssetEventExtraTooLargeError extends TidemarkError {
  constructor(assetName: string, sizeBytes: number, limitBytes: number) {
    super(
      'value_too_large',
      `the extra of the event for asset "${assetName}" is ${sizeBytes} bytes of JSON, over the limit of ` +
        `${limitBytes} bytes (state.max_value_bytes); keep extras small (ids, counts, paths) and put data in the asset itself`,
      { size_bytes: sizeBytes, limit_bytes: limitBytes },
    );
  }
}

export class StateConflictError extends TidemarkError {
  constructor(
    readonly key: string,
    readonly expectedVersion: number,
    readonly actualVersion: number,
  ) {
    super(
      'state_conflict',
      expectedVersion === 0
        ? `state key "${key}" already exists (version ${actualVersion}); if_version 0 writes only when the key is absent`
        : `state key "${key}" is at version ${actualVersion}, not ${expectedVersion}; read it again and retry`,
      { key, expected_version: expectedVersion, actual_version: actualVersion },
    );
  }
}

export class AdvanceTypeMismatchError extends TidemarkError {
  constructor(key: string, storedType: string, candidateType: string) {
    super(
      'advance_type_mismatch',
      `advance on state key "${key}" compares numbers with numbers and strings with strings; ` +
        `the stored value is ${storedType} and the candidate is ${candidateType}`,
    );
  }
}

export class InvalidStateOptionError extends TidemarkError {
  constructor(message: string) {
    super('invalid_state_option', message);
  }
}

export class DagRunNotFoundError extends TidemarkError {
  constructor(dagId: string, runId: string) {
    super('dag_run_not_found', `DAG run "${runId}" of DAG "${dagId}" does not exist`, {
      dag_id: dagId,
      run_id: runId,
    });
  }
}

export class AssetNotFoundError extends TidemarkError {
  constructor(what: string) {
    super('asset_not_found', `asset ${what} does not exist`);
  }
}

export class ConfigError extends TidemarkError {
  constructor(message: string) {
    super('invalid_config', message);
  }
}

/** A stored state value the configured keys cannot decrypt (SPEC §17 encryption at rest). */
export class StateEncryptionKeyError extends TidemarkError {
  constructor(why: string) {
    super(
      'state_encryption_key_unknown',
      `a stored state value cannot be decrypted: ${why}; set state.encryption_key (or list the key it was ` +
        'written with in state.encryption_old_keys) on the api-server',
    );
  }
}

export class DatabaseTooNewError extends TidemarkError {
  constructor(unknownMigrations: readonly string[], tidemarkVersion: string) {
    super(
      'database_too_new',
      `the database was migrated by a newer Tidemark: migration${unknownMigrations.length > 1 ? 's' : ''} ` +
        `${unknownMigrations.join(', ')} ${unknownMigrations.length > 1 ? 'are' : 'is'} unknown to Tidemark ${tidemarkVersion}; ` +
        'upgrade Tidemark, or point TIDEMARK_DATABASE__URL at another database',
      { unknown_migrations: [...unknownMigrations] },
    );
  }
}

export class UnsupportedDatabaseUrlError extends TidemarkError {
  constructor(url: string) {
    super(
      'unsupported_database_url',
      `database URL "${url}" is not supported; use "sqlite:<path>" (or a plain file path) or "postgres://user@host:port/db"`,
    );
  }
}

export class DatabaseUnavailableError extends TidemarkError {
  constructor(url: string, reason: string) {
    super(
      'database_unavailable',
      `cannot reach the database at ${url}: ${reason}; check TIDEMARK_DATABASE__URL (or database.url in tidemark.config.json)`,
    );
  }
}

/** SPEC §7: a write from an attempt that is no longer the TI's current running try. */
export class StaleAttemptError extends TidemarkError {
  constructor(tiId: string, tryNumber: number, current: string) {
    super(
      'stale_attempt',
      `attempt ${tryNumber} of task instance ${tiId} is no longer the running attempt (${current}); it may not write`,
      { ti_id: tiId, try_number: tryNumber },
    );
  }
}

export class TaskInstanceNotFoundError extends TidemarkError {
  constructor(tiId: string) {
    super('task_instance_not_found', `task instance ${tiId} does not exist`, { ti_id: tiId });
  }
}

export class DagNotFoundError extends TidemarkError {
  constructor(dagId: string) {
    super('dag_not_found', `DAG "${dagId}" does not exist (or has not been parsed yet)`, { dag_id: dagId });
  }
}

export class DagRunExistsError extends TidemarkError {
  constructor(dagId: string, runId: string) {
    super('dag_run_exists', `DAG "${dagId}" already has a run "${runId}"; choose another dag_run_id`, {
      dag_id: dagId,
      run_id: runId,
    });
  }
}

export class UserExistsError extends TidemarkError {
  constructor(username: string) {
    super('user_exists', `user "${username}" already exists; pick another name or reset that user's password`);
  }
}

export class UserNotFoundError extends TidemarkError {
  constructor(username: string) {
    super('user_not_found', `user "${username}" does not exist`);
  }
}

/**
 * A DAG's stored serialized form (`dag.serialized`) that this Tidemark cannot read: not JSON, not
 * the shape of a serialized DAG, or written in a format version it does not know (by a newer
 * Tidemark). `problem` says which.
 */
export class SerializedDagError extends TidemarkError {
  constructor(
    readonly problem: 'not_json' | 'unknown_format_version' | 'malformed',
    message: string,
    details: Record<string, unknown> = {},
  ) {
    super('serialized_dag_invalid', message, { problem, ...details });
  }
}

/** A token that is missing, malformed, wrongly signed or expired. */
export class InvalidTokenError extends TidemarkError {
  constructor(reason: string) {
    super('invalid_token', `invalid token: ${reason}`);
  }
}

/** JSON nested deeper than the limit (`MAX_JSON_DEPTH`, or `MAX_REQUEST_BODY_DEPTH` for a body). */
export class JsonTooDeepError extends TidemarkError {
  constructor(what: 'state value' | 'request body', limit: number) {
    super(
      'json_too_deep',
      what === 'request body'
        ? `request body nests arrays and objects more than ${limit} levels deep; a value may nest at most ` +
            `${limit - 2} levels: flatten it`
        : `${what} nests arrays and objects more than ${limit} levels deep; the limit is ${limit}: flatten it`,
      { limit },
    );
  }
}

/** A deferral's poll arguments or fired event over `state.max_value_bytes` (SPEC §16). */
export class DeferralValueTooLargeError extends TidemarkError {
  constructor(what: string, sizeBytes: number, limitBytes: number) {
    super(
      'value_too_large',
      `${what} is ${sizeBytes} bytes of JSON, over the limit of ${limitBytes} bytes (state.max_value_bytes); ` +
        'pass ids and small facts (a job id, a path), and keep data in task state or the offload store',
      { size_bytes: sizeBytes, limit_bytes: limitBytes },
    );
  }
}
