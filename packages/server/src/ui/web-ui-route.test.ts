import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Fastify, { type FastifyInstance } from 'fastify';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { installErrorHandling } from '../errors/error-handler.ts';
import { registerWebUiRoute } from './web-ui-route.ts';

const INDEX = '<!doctype html><title>Tidemark</title><div id="root"></div>';

/** The route alone on a bare app, beside stand-ins for the routes it must not shadow (no database needed). */
describe('the web UI route', () => {
  let folder: string;
  let app: FastifyInstance;

  beforeEach(() => {
    folder = mkdtempSync(join(tmpdir(), 'tidemark-ui-'));
  });
  afterEach(async () => {
    await app?.close();
    rmSync(folder, { recursive: true, force: true });
  });

  async function serve(build: boolean) {
    if (build) {
      mkdirSync(join(folder, 'static'));
      writeFileSync(join(folder, 'index.html'), INDEX);
      writeFileSync(join(folder, 'static', 'index-abc123.js'), 'console.log("app")');
    }
    app = Fastify();
    installErrorHandling(app);
    app.get('/health', async () => ({ status: 'ok' }));
    app.get('/api/v2/dags', async () => ({ dags: [] }));
    app.get('/docs', async () => 'docs');
    registerWebUiRoute(app, folder);
    await app.ready();
  }

  it('answers index.html at / and at every path of the app, run ids with dots included', async () => {
    await serve(true);
    for (const url of [
      '/',
      '/dags/etl',
      '/dags/etl/runs/manual__2026-01-01T00:00:00.123+00:00',
      '/assets/3?tab=state',
    ]) {
      const response = await app.inject({ method: 'GET', url });
      expect(response.statusCode, url).toBe(200);
      expect(response.headers['content-type']).toBe('text/html; charset=utf-8');
      expect(response.headers['cache-control']).toBe('no-cache');
      expect(response.body).toBe(INDEX);
    }
  });

  it('serves the hashed bundles with their type and a long cache, and 404s a missing one', async () => {
    await serve(true);
    const script = await app.inject({ method: 'GET', url: '/static/index-abc123.js' });
    expect(script.statusCode).toBe(200);
    expect(script.headers['content-type']).toBe('text/javascript; charset=utf-8');
    expect(script.headers['cache-control']).toContain('immutable');
    expect(script.body).toBe('console.log("app")');
    const missing = await app.inject({ method: 'GET', url: '/static/index-gone.js' });
    expect(missing.statusCode).toBe(404);
    expect(missing.json()).toMatchObject({ detail: { reason: 'not_found' } });
  });

  it('leaves the APIs, the docs and the health probe alone: their routes answer, their unknown paths 404 as JSON', async () => {
    await serve(true);
    expect((await app.inject({ method: 'GET', url: '/api/v2/dags' })).json()).toEqual({ dags: [] });
    expect((await app.inject({ method: 'GET', url: '/health' })).json()).toEqual({ status: 'ok' });
    for (const url of ['/api/v2/nope', '/api', '/execution/x', '/auth/x', '/docs/x', '/health/x']) {
      const response = await app.inject({ method: 'GET', url });
      expect(response.statusCode, url).toBe(404);
      expect(response.json(), url).toMatchObject({ detail: { reason: 'not_found' } });
    }
  });

  it('never serves a file outside the build', async () => {
    writeFileSync(join(folder, '..', 'tidemark-ui-secret.txt'), 'secret');
    await serve(true);
    const response = await app.inject({ method: 'GET', url: '/..%2Ftidemark-ui-secret.txt' });
    expect(response.body).not.toContain('secret');
    rmSync(join(folder, '..', 'tidemark-ui-secret.txt'));
  });

  it('answers only GET (and HEAD): another method on a UI path is the usual 404', async () => {
    await serve(true);
    expect((await app.inject({ method: 'HEAD', url: '/dags/etl' })).statusCode).toBe(200);
    const post = await app.inject({ method: 'POST', url: '/dags/etl' });
    expect(post.statusCode).toBe(404);
    expect(post.json()).toMatchObject({ detail: { reason: 'not_found' } });
  });

  it('without a build, says how to make one instead of failing', async () => {
    await serve(false);
    const response = await app.inject({ method: 'GET', url: '/dags/etl' });
    expect(response.statusCode).toBe(503);
    expect(response.headers['content-type']).toBe('text/html; charset=utf-8');
    expect(response.body).toContain('npm run build:ui');
  });
});
