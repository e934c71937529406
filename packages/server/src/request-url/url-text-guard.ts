import type { FastifyInstance } from 'fastify';
import { BadUrlError, InvalidUtf8Error, NulCharacterError } from '../errors.ts';
import { syncHook } from '../sync-hook.ts';

/**
 * Every path segment and query value of every request decodes to well-formed UTF-8 text without
 * NUL, or the request is refused before any route runs: `?key=%FF` would otherwise reach a route
 * as the literal text "%FF", and PostgreSQL cannot store NUL in text (it answered 500).
 */
export function installUrlTextGuard(app: FastifyInstance): void {
  app.addHook(
    'onRequest',
    syncHook((request) => assertUrlText(request.raw.url ?? request.url)),
  );
}

export function assertUrlText(url: string): void {
  // Nothing escaped and no NUL: nothing to decode or refuse (most requests), without splitting.
  if (!url.includes('%') && !url.includes('\u0000')) return;
  const queryStart = url.indexOf('?');
  const path = queryStart === -1 ? url : url.slice(0, queryStart);
  const query = queryStart === -1 ? '' : url.slice(queryStart + 1);
  for (const segment of path.split('/')) assertDecodable(segment, url, 'path');
  for (const pair of query.split('&')) {
    for (const part of pair.split('=')) assertDecodable(part.replaceAll('+', ' '), url, 'query');
  }
}

function assertDecodable(raw: string, url: string, where: 'path' | 'query'): void {
  if (!raw.includes('%')) {
    if (raw.includes('\u0000')) throw new NulCharacterError(`the URL's ${where}`);
    return;
  }
  let decoded: string;
  try {
    decoded = decodeURIComponent(raw);
  } catch {
    if (/%[0-9a-fA-F]{2}/.test(raw) && !/%(?![0-9a-fA-F]{2})/.test(raw))
      throw new InvalidUtf8Error(`the URL's ${where}`);
    throw new BadUrlError(url);
  }
  if (decoded.includes('\u0000')) throw new NulCharacterError(`the URL's ${where}`);
}
