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
