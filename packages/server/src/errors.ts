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
