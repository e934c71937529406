import { type ErrorCode, HTTP_STATUS_OF_ERROR, isApiErrorCode, isTidemarkError } from '@tidemark/core';
import { describeDatabaseOutage, isDatabaseOutage } from '@tidemark/db';
import type { FastifyError, FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { ZodError } from 'zod';
import { RouteNotFoundError } from '../errors.ts';
import { describeZodError } from './describe-zod-error.ts';

/** Every error body: `{"detail": {"reason": "<stable code>", "message": "<what to do>"}}` (SPEC §11). */
export interface ErrorBody {
  /** `request_id`: on 5xx answers, the id under which the api-server logged the error (also `X-Request-Id`). */
  readonly detail: { readonly reason: string; readonly message: string; readonly request_id?: string };
}

const INTERNAL_ERROR: ErrorBody = {
  detail: {
    reason: 'internal_error',
    message: 'internal server error; the api-server log has the details under this request_id',
  },
};

/** Installs the one error handler and the 404 handler on `app` (and so on every route inside it). */
export function installErrorHandling(app: FastifyInstance): void {
  app.setErrorHandler(sendError);
  app.setNotFoundHandler((request, reply) => {
    sendError(new RouteNotFoundError(request.method, request.url), request, reply);
  });
}

/** Seconds a client should wait before retrying a 503 (the database is restarting or locked). */
export const RETRY_AFTER_SECONDS = 2;

export function sendError(error: unknown, request: FastifyRequest, reply: FastifyReply): void {
  const [status, body] = describeError(error);
  if (status >= 500) request.log.error({ err: error }, `request failed: ${request.method} ${request.url}`);
  if (status === 503) void reply.header('retry-after', String(RETRY_AFTER_SECONDS));
  void reply.code(status).send(status >= 500 ? withRequestId(body, request.id) : body);
}

/** The status and body for an error; exported for tests. */
export function describeError(error: unknown): [number, ErrorBody] {
  if (isTidemarkError(error)) {
    // A local code (task_failed, invalid_config…) reaching HTTP is a bug: 500, logged.
    const status = isApiErrorCode(error.code) ? HTTP_STATUS_OF_ERROR[error.code] : 500;
    return [status, errorBody(error.code, error.message)];
  }
  if (error instanceof ZodError) return [422, errorBody('validation_error', describeZodError(error, 'request'))];
  if (isDatabaseOutage(error)) return [503, errorBody('database_unavailable', describeDatabaseOutage(error))];
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

function withRequestId(body: ErrorBody, requestId: string): ErrorBody {
  return { detail: { ...body.detail, request_id: requestId } };
}

/** `reason` is a code of the closed set (core ErrorCode): a typo does not compile. */
function errorBody(reason: ErrorCode, message: string): ErrorBody {
  return { detail: { reason, message } };
}
