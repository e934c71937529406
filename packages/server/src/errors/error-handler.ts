import { HTTP_STATUS_OF_ERROR, isApiErrorCode, isTidemarkError } from '@tidemark/core';
import type { FastifyError, FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { ZodError } from 'zod';
import { RouteNotFoundError } from '../errors.ts';
import { describeZodError } from './describe-zod-error.ts';

/** Every error body: `{"detail": {"reason": "<stable code>", "message": "<what to do>"}}` (SPEC §11). */
export interface ErrorBody {
  readonly detail: { readonly reason: string; readonly message: string };
}

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
    // A local code (task_failed, invalid_config…) reaching HTTP is a bug: 500, logged.
    const status = isApiErrorCode(error.code) ? HTTP_STATUS_OF_ERROR[error.code] : 500;
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
