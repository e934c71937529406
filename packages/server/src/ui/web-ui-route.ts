import { existsSync } from 'node:fs';
import { readFile, stat } from 'node:fs/promises';
import { extname, resolve, sep } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { FastifyInstance, FastifyReply } from 'fastify';
import { RouteNotFoundError } from '../errors.ts';

/**
 * The UI's files: an installed @tidemark/server carries them in its web-ui/ folder
 * (scripts/pack-packages.mjs); in this repository Vite builds them into packages/ui/dist
 * (`npm run build:ui`).
 */
const INSTALLED_UI_FOLDER = fileURLToPath(new URL('../../web-ui/', import.meta.url));
export const DEFAULT_UI_FOLDER = existsSync(INSTALLED_UI_FOLDER)
  ? INSTALLED_UI_FOLDER
  : fileURLToPath(new URL('../../../ui/dist/', import.meta.url));

/** Paths the UI never answers: the APIs, their docs and the health probe keep their own 404s. */
const NOT_UI = /^\/(api|execution|auth|docs|health)(\/|$)/;

/** Vite's content-hashed bundles (`build.assetsDir`); their names change with their content. */
const HASHED_FOLDER = '/static/';

const CONTENT_TYPES: Readonly<Record<string, string>> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.json': 'application/json; charset=utf-8',
  '.map': 'application/json; charset=utf-8',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.ico': 'image/x-icon',
  '.woff2': 'font/woff2',
  '.txt': 'text/plain; charset=utf-8',
};

const NOT_BUILT_PAGE = `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>Tidemark: the web UI is not built</title></head>
<body style="font-family: system-ui, sans-serif; max-width: 40rem; margin: 3rem auto; line-height: 1.5">
<h1>Tidemark</h1>
<p>The web UI is not built yet. Build it from the repository root with</p>
<pre>npm run build:ui</pre>
<p>(<code>npm start</code> builds it when it is missing) and reload this page.
The REST API is at <a href="/api/v2/openapi.json">/api/v2</a>, with interactive docs at <a href="/docs">/docs</a>.</p>
</body></html>
`;

/**
 * Serves the single-page web UI built in `folder` at `/`: a file of the build when one matches the
 * path, else index.html, so that the UI's own paths (`/dags/x`, `/assets/3`) load the app, which
 * routes them itself. `/api`, `/execution`, `/auth`, `/docs` and `/health` are left alone: their
 * unknown paths answer the usual JSON 404. Without a build, a short page says how to make one.
 */
export function registerWebUiRoute(app: FastifyInstance, folder: string = DEFAULT_UI_FOLDER): void {
  const root = resolve(folder);
  app.get('/*', { schema: { hide: true } }, async (request, reply) => {
    const path = decodedPath(request.url);
    if (path === null || NOT_UI.test(path)) throw new RouteNotFoundError(request.method, request.url);
    const file = resolve(root, `.${path}`);
    if (file.startsWith(root + sep) && (await isFile(file))) return sendFile(reply, file, path);
    // A missing bundle is a 404, not the app's HTML in its place. (Other paths may hold dots: run ids do.)
    if (path.startsWith(HASHED_FOLDER)) throw new RouteNotFoundError(request.method, request.url);
    const index = resolve(root, 'index.html');
    if (!(await isFile(index)))
      return reply
        .code(503)
        .type(CONTENT_TYPES['.html'] as string)
        .send(NOT_BUILT_PAGE);
    return sendFile(reply, index, '/index.html');
  });
}

async function sendFile(reply: FastifyReply, file: string, path: string): Promise<FastifyReply> {
  const body = await readFile(file);
  const cache = path.startsWith(HASHED_FOLDER) ? 'public, max-age=31536000, immutable' : 'no-cache';
  return reply
    .type(CONTENT_TYPES[extname(file).toLowerCase()] ?? 'application/octet-stream')
    .header('cache-control', cache)
    .header('x-content-type-options', 'nosniff')
    .send(body);
}

/** The URL's path, percent-decoded; null when it does not decode. */
function decodedPath(url: string): string | null {
  const [path = '/'] = url.split('?');
  try {
    return decodeURIComponent(path);
  } catch {
    return null;
  }
}

async function isFile(path: string): Promise<boolean> {
  try {
    return (await stat(path)).isFile();
  } catch {
    return false;
  }
}
