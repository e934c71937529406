import { randomUUID } from 'node:crypto';
import { type FastifyInstance, LogController } from 'fastify';

/** The response header that names the request, so that a caller can quote it and an operator find its log lines. */
export const REQUEST_ID_HEADER = 'x-request-id';

/** Every request gets a fresh UUID; a caller's own header is not trusted (it would let one forge log lines). */
export function newRequestId(): string {
  return randomUUID();
}

/**
 * Log lines of a request carry `request_id`. Fastify's own per-request lines ("incoming request",
 * "request completed") stay off: the error handler logs every 5xx with its stack.
 */
export function requestLogController(): LogController {
  return new LogController({ disableRequestLogging: true, requestIdLogLabel: 'request_id' });
}

/** Sends `X-Request-Id` on every response, errors included. */
export function sendRequestIds(app: FastifyInstance): void {
  app.addHook('onRequest', (request, reply, done) => {
    void reply.header(REQUEST_ID_HEADER, request.id);
    done();
  });
}
