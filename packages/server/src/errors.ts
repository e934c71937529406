import { TidemarkError } from '@tidemark/core';

/** The server's own errors; the core ones (invalid_token, stale_attempt, value_too_large…) come from core. */

/** An authenticated caller asking for something its token does not cover. */
export class ForbiddenError extends TidemarkError {
  constructor(message: string) {
    super('forbidden', message);
  }
}

/** A request whose body, query or path parameters do not match the route's contract. */
export class RequestValidationError extends TidemarkError {
  constructor(message: string) {
    super('validation_error', message);
  }
}

export class XcomNotFoundError extends TidemarkError {
  constructor(xcom: {
    readonly runId: string;
    readonly taskId: string;
    readonly mapIndex: number;
    readonly key: string;
  }) {
    super(
      'xcom_not_found',
      `no XCom "${xcom.key}" for task "${xcom.taskId}" (map index ${xcom.mapIndex}) in run "${xcom.runId}"; ` +
        'the task may not have run yet, may have returned nothing, or its XComs were wiped by a new try',
      { task_id: xcom.taskId, map_index: xcom.mapIndex, key: xcom.key },
    );
  }
}

export class RouteNotFoundError extends TidemarkError {
  constructor(method: string, url: string) {
    super('not_found', `no route for ${method} ${url}`);
  }
}

/** A URL whose percent-encoding is broken or does not decode to UTF-8 (`%ZZ`, `%FF`, a lone `%`). */
export class BadUrlError extends TidemarkError {
  constructor(url: string) {
    super(
      'bad_url',
      `the URL ${JSON.stringify(url.slice(0, 200))} is not valid: percent-encode every path and query value as UTF-8 ` +
        '(encodeURIComponent), e.g. "%" as %25',
    );
  }
}

/** A path parameter longer than any valid id or key can be, even fully percent-encoded. */
export class PathParameterTooLongError extends TidemarkError {
  constructor(limit: number) {
    super(
      'path_parameter_too_long',
      `a path parameter is longer than ${limit} characters; ids and state keys are at most 512 characters ` +
        '(each at most 12 once percent-encoded)',
      { limit },
    );
  }
}

/** Bytes that are not UTF-8: decoded leniently they would be stored as U+FFFD, silently. */
export class InvalidUtf8Error extends TidemarkError {
  constructor(what: string) {
    super('invalid_utf8', `${what} is not valid UTF-8; send text encoded as UTF-8 (JSON bodies, percent-encoded URLs)`);
  }
}

/** NUL (U+0000) in an id, key, name or filter: PostgreSQL text cannot hold it, so no dialect takes it. */
export class NulCharacterError extends TidemarkError {
  constructor(where: string) {
    super(
      'invalid_text',
      `${where} contains the NUL character (\\u0000, %00); ids, keys, names and filters must not contain it`,
    );
  }
}

/** GET or PATCH of a key that is absent (or expired). */
export class StateNotFoundError extends TidemarkError {
  constructor(key: string, where: string) {
    super('state_not_found', `${where} has no state key "${key}" (it was never set, was deleted, or has expired)`, {
      key,
    });
  }
}

/** A restore of a version the key's history no longer holds (beyond `state.history_depth`, or never written). */
export class StateVersionNotFoundError extends TidemarkError {
  constructor(key: string, version: number, where: string, kept: readonly number[]) {
    const holds = kept.length === 0 ? 'no versions' : `versions ${kept.join(', ')}`;
    super(
      'state_not_found',
      `${where} has no version ${version} of state key "${key}" in its history (it holds ${holds}); ` +
        'GET …/history lists them',
      { key, version },
    );
  }
}

/** A restore without `If-Match`: it must name the version it replaces (SPEC §8). */
export class PreconditionRequiredError extends TidemarkError {
  constructor(key: string) {
    super(
      'precondition_required',
      `restoring state key "${key}" needs If-Match with its current version (e.g. If-Match: "3", or "0" if it is ` +
        'deleted now), so that it cannot overwrite a write you have not seen',
      { key },
    );
  }
}

export class TaskInstanceNotInRunError extends TidemarkError {
  constructor(ti: {
    readonly dagId: string;
    readonly runId: string;
    readonly taskId: string;
    readonly mapIndex: number;
  }) {
    const mapped = ti.mapIndex === -1 ? '' : ` at map index ${ti.mapIndex}`;
    super(
      'task_instance_not_found',
      `DAG run "${ti.runId}" of DAG "${ti.dagId}" has no task instance of task "${ti.taskId}"${mapped}`,
      { dag_id: ti.dagId, run_id: ti.runId, task_id: ti.taskId, map_index: ti.mapIndex },
    );
  }
}

/** A mapped task's TIs are addressed one map index at a time. */
export class MapIndexRequiredError extends TidemarkError {
  constructor(ti: { readonly runId: string; readonly taskId: string; readonly mapIndexCount: number }) {
    super(
      'task_instance_not_found',
      `task "${ti.taskId}" is mapped: it has ${ti.mapIndexCount} task instance${ti.mapIndexCount === 1 ? '' : 's'} ` +
        `in run "${ti.runId}", at map_index 0…${ti.mapIndexCount - 1}; pass ?map_index= to choose one`,
      { task_id: ti.taskId, map_index_count: ti.mapIndexCount },
    );
  }
}

/** No log for that try: it has not started, or its worker has not sent a line yet. */
export class TaskLogNotFoundError extends TidemarkError {
  constructor(ti: { readonly taskId: string; readonly mapIndex: number; readonly tryNumber: number }, tries: number) {
    const which = ti.mapIndex === -1 ? `task "${ti.taskId}"` : `task "${ti.taskId}" at map index ${ti.mapIndex}`;
    const existing =
      tries === 0 ? 'it has not run yet' : tries === 1 ? 'its only try is 1' : `its tries are 1…${tries}`;
    const reason =
      ti.tryNumber > tries ? existing : `try ${ti.tryNumber} has no log yet (its worker has not sent a line)`;
    super('not_found', `no log for try ${ti.tryNumber} of ${which}: ${reason}`, {
      task_id: ti.taskId,
      map_index: ti.mapIndex,
      try_number: ti.tryNumber,
      tries,
    });
  }
}

/** 403 `undeclared_asset`: a task may touch only the assets it declares as inlets or outlets (SPEC §4). */
export class UndeclaredAssetError extends TidemarkError {
  constructor(taskId: string, asset: string, declared: readonly string[]) {
    super(
      'undeclared_asset',
      `task "${taskId}" does not declare asset ${asset} as an inlet or outlet, so it may not use its state; ` +
        (declared.length === 0
          ? 'the task declares no assets'
          : `it declares: ${declared.map((name) => `"${name}"`).join(', ')}`),
      { task_id: taskId, declared_assets: [...declared] },
    );
  }
}

/** GET /metrics while `metrics.enabled` is false. */
export class MetricsDisabledError extends TidemarkError {
  constructor() {
    super(
      'not_found',
      'metrics are off on this api-server (metrics.enabled = false); set TIDEMARK_METRICS__ENABLED=true to serve /metrics',
    );
  }
}
