import { isTidemarkError } from '@tidemark/core';
import type { FastifyError, FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { ZodError } from 'zod';
import { RouteNotFoundError } from '../errors.ts';
import { describeZodError } from './describe-zod-error.ts';

/** Every error body: `{"detail": {"reason": "<stable code>", "message": "<what to do>"}}` (SPEC §11). */
export interface ErrorBody {
  readonly detail: { readonly reason: string; readonly message: string };
}

/** HTTP status of each TidemarkError code. A code missing here is a bug: it answers 500 and is logged. */
export const STATUS_BY_CODE: Readonly<Record<string, number>> = {
  invalid_token: 401,
  invalid_credentials: 401,
  forbidden: 403,
  undeclared_asset: 403,
  bad_url: 400,
  invalid_utf8: 400,
  invalid_text: 400,
  not_found: 404,
  task_instance_not_found: 404,
  dag_run_not_found: 404,
  asset_not_found: 404,
  xcom_not_found: 404,
  state_not_found: 404,
  dag_not_found: 404,
  user_not_found: 404,
  dag_run_exists: 409,
  user_exists: 409,
  stale_attempt: 409,
  state_conflict: 412,
  precondition_required: 428,
  value_too_large: 413,
  body_too_large: 413,
  path_parameter_too_long: 414,
  unsupported_media_type: 415,
  validation_error: 422,
  invalid_state_key: 422,
  invalid_state_value: 422,
  json_too_deep: 422,
  invalid_state_option: 422,
  advance_type_mismatch: 422,
  weak_password: 422,
  database_unavailable: 503,
};

const INTERNAL_ERROR: ErrorBody = {
  detail: { reason: 'internal_error', message: 'internal server error; the api-server log has the details' },
};

/** Installs the one error handler and the 404 handler on `app` (and so on every route inside it). */
export function installErrorHandling(app: FastifyInstance): void {
  app.setErrorHandler(sendError);
  app.setNotFoundHandler((request, reply) => {
    sendError(new RouteNotFoundError(request.method, request.url), request, reply);
  });
}

export function sendError(error: unknown, request: FastifyRequest, reply: FastifyReply): void {
  const [status, body] = describeError(error);
  if (status >= 500) request.log.error({ err: error }, 'request failed');
  void reply.code(status).send(body);
}

/** The status and body for an error; exported for tests. */
export function describeError(error: unknown): [number, ErrorBody] {
  if (isTidemarkError(error)) {
    const status = STATUS_BY_CODE[error.code];
    if (status === undefined) return [500, errorBody(error.code, error.message)];
    return [status, errorBody(error.code, error.message)];
  }
  if (error instanceof ZodError) return [422, errorBody('validation_error', describeZodError(error, 'request'))];
  return describeFastifyError(error as Partial<FastifyError>);
}

function describeFastifyError(error: Partial<FastifyError>): [number, ErrorBody] {
  if (error.validation) {
    return [422, errorBody('validation_error', `invalid request ${error.validationContext ?? ''}: ${error.message}`)];
  }
  switch (error.code) {
    case 'FST_ERR_CTP_INVALID_JSON_BODY':
    case 'FST_ERR_CTP_EMPTY_JSON_BODY':
      return [422, errorBody('validation_error', `request body is not valid JSON: ${error.message}`)];
    case 'FST_ERR_CTP_BODY_TOO_LARGE':
      return [413, errorBody('body_too_large', `request body is too large: ${error.message}`)];
    case 'FST_ERR_CTP_INVALID_MEDIA_TYPE':
      return [415, errorBody('unsupported_media_type', `${error.message}; send application/json`)];
  }
  const status = error.statusCode;
  if (typeof status === 'number' && status >= 400 && status < 500) {
    return [status, errorBody('bad_request', error.message ?? 'bad request')];
  }
  return [500, INTERNAL_ERROR];
}

function errorBody(reason: string, message: string): ErrorBody {
  return { detail: { reason, message } };
}
