import { JsonTooDeepError, jsonTextExceedsDepth, MAX_REQUEST_BODY_DEPTH } from '@tidemark/core';
import type { FastifyInstance } from 'fastify';
import { InvalidUtf8Error } from '../errors.ts';

const STRICT_UTF8 = new TextDecoder('utf-8', { fatal: true, ignoreBOM: false });

/**
 * The one JSON body parser of both APIs. Before parsing, a body is refused when
 * * its bytes are not UTF-8 (400 `invalid_utf8`): decoded leniently they would be stored as U+FFFD;
 * * it nests arrays and objects deeper than MAX_REQUEST_BODY_DEPTH (422 `json_too_deep`): walking
 *   such a value recursively would exhaust the stack.
 * An empty body (a heartbeat sent with `Content-Type: application/json`) is no body, not an error.
 */
export function installJsonBodyParser(app: FastifyInstance): void {
  const parseJson = app.getDefaultJsonParser('error', 'error');
  app.removeContentTypeParser('application/json');
  app.addContentTypeParser('application/json', { parseAs: 'buffer' }, (request, body, done) => {
    const bytes = body as Buffer;
    if (bytes.length === 0) return done(null, undefined);
    let text: string;
    try {
      text = STRICT_UTF8.decode(bytes);
    } catch {
      return done(new InvalidUtf8Error('request body'), undefined);
    }
    if (jsonTextExceedsDepth(text, MAX_REQUEST_BODY_DEPTH)) {
      return done(new JsonTooDeepError('request body', MAX_REQUEST_BODY_DEPTH), undefined);
    }
    parseJson(request, text, done);
  });
}
