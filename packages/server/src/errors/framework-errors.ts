import type { FastifyError, FastifyReply, FastifyRequest } from 'fastify';
import { BadUrlError, PathParameterTooLongError } from '../errors.ts';
import { sendError } from './error-handler.ts';

/**
 * The router's own refusals, which happen before any route (and so before the error handler):
 * Fastify hands them here through its `frameworkErrors` option, and they leave with the same
 * `{detail: {reason, message}}` body as every other error.
 */

/**
 * The longest path parameter: a state key may be 512 code points, each up to 4 UTF-8 bytes,
 * each byte `%XX` once percent-encoded. Fastify's default (100) refused valid keys with a 414.
 */
export const MAX_PATH_PARAMETER_LENGTH = 512 * 4 * 3;

export function handleFrameworkError(error: FastifyError, request: FastifyRequest, reply: FastifyReply): void {
  sendError(routerErrorOf(error, request), request, reply);
}

function routerErrorOf(error: FastifyError, request: FastifyRequest): Error {
  switch (error.code) {
    case 'FST_ERR_BAD_URL':
      return new BadUrlError(request.raw.url ?? '');
    case 'FST_ERR_MAX_PARAM_LENGTH':
      return new PathParameterTooLongError(MAX_PATH_PARAMETER_LENGTH);
    default:
      return error;
  }
}
