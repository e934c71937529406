/**
 * Every error Tidemark raises on purpose carries a stable `code`. The HTTP layers map codes to
 * statuses and to `{"detail": {"reason": code, "message": message}}`; the CLI prints the message.
 */
export class TidemarkError extends Error {
  readonly code: string;
  readonly details: Readonly<Record<string, unknown>>;

  constructor(code: string, message: string, details: Record<string, unknown> = {}) {
    super(message);
    this.name = new.target.name;
    this.code = code;
    this.details = details;
  }
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
