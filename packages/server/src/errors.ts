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
