import type { RouteOptions } from 'fastify';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { openPublicApiHarness, type PublicApiHarness } from '../testing/dag-api-harness.ts';
import { PUBLIC_PREFIX } from './public-api.ts';

/**
 * Every route the api-server registers under /api/v2 (whoever wrote it) must be in the public
 * OpenAPI document with its method, tags and summary. The routes are recorded as Fastify registers
 * them: `fastify` is wrapped so that each app it creates gets an `onRoute` hook first.
 */
const registered = vi.hoisted(() => [] as Pick<RouteOptions, 'method' | 'url' | 'schema'>[]);

vi.mock('fastify', async (importOriginal) => {
  const actual = await importOriginal<typeof import('fastify')>();
  const create = ((options?: Parameters<typeof actual.default>[0]) => {
    const app = actual.default(options);
    app.addHook('onRoute', (route) => {
      registered.push({ method: route.method, url: route.url, schema: route.schema });
    });
    return app;
  }) as typeof actual.default;
  return { ...actual, default: create, fastify: create };
});

interface Operation {
  readonly tags?: string[];
  readonly summary?: string;
  readonly security?: unknown[];
  readonly responses?: Record<string, unknown>;
}
type Document = {
  openapi: string;
  info: { title: string; version: string };
  paths: Record<string, Record<string, Operation>>;
};

/** `/dags/:dag_id` → `/dags/{dag_id}` */
function openApiPath(url: string): string {
  return url.replace(/:([A-Za-z0-9_]+)/g, '{$1}');
}

describe('the public OpenAPI document', () => {
  let harness: PublicApiHarness;
  let document: Document;

  beforeAll(async () => {
    harness = await openPublicApiHarness('sqlite');
    const response = await harness.app.inject({ method: 'GET', url: `${PUBLIC_PREFIX}/openapi.json` });
    expect(response.statusCode).toBe(200);
    document = response.json();
  });
  afterAll(() => harness.close());

  /** Every method + path registered under /api/v2, except HEAD twins and hidden routes. */
  function publicOperations(): { method: string; path: string; schema: RouteOptions['schema'] }[] {
    return registered
      .filter((route) => route.url.startsWith(`${PUBLIC_PREFIX}/`))
      .filter((route) => !(route.schema as { hide?: boolean } | undefined)?.hide)
      .flatMap((route) =>
        [route.method]
          .flat()
          .map((method) => ({ method: method.toLowerCase(), path: route.url, schema: route.schema })),
      )
      .filter((operation) => operation.method !== 'head');
  }

  it('is OpenAPI 3.1 with the bearer scheme', () => {
    expect(document.openapi).toMatch(/^3\.1\./);
    expect(document.info.title).toBe('Tidemark API');
    expect(document).toMatchObject({
      components: { securitySchemes: { bearer: { type: 'http', scheme: 'bearer' } } },
    });
  });

  it('records the routes (the hook saw this file’s app)', () => {
    const paths = publicOperations().map((operation) => `${operation.method} ${operation.path}`);
    for (const expected of [
      'get /api/v2/dags',
      'get /api/v2/dags/:dag_id',
      'patch /api/v2/dags/:dag_id',
      'get /api/v2/importErrors',
      'post /api/v2/dags/:dag_id/dagRuns',
      'get /api/v2/dags/:dag_id/dagRuns',
      'get /api/v2/dags/:dag_id/dagRuns/:dag_run_id',
      'delete /api/v2/dags/:dag_id/dagRuns/:dag_run_id',
      'get /api/v2/assets',
      'get /api/v2/assets/events',
      'get /api/v2/assets/:asset_id',
      'get /api/v2/health',
      'get /api/v2/version',
    ]) {
      expect(paths).toContain(expected);
    }
  });

  it('documents every registered /api/v2 route with its method, tags and summary', () => {
    const operations = publicOperations();
    expect(operations.length).toBeGreaterThan(0);
    const missing: string[] = [];
    for (const { method, path } of operations) {
      const operation = document.paths[openApiPath(path)]?.[method];
      if (!operation) {
        missing.push(`${method.toUpperCase()} ${path}`);
        continue;
      }
      expect(operation.tags?.length, `${method} ${path} tags`).toBeGreaterThan(0);
      expect(operation.summary, `${method} ${path} summary`).toEqual(expect.any(String));
      expect(Object.keys(operation.responses ?? {}), `${method} ${path} responses`).not.toEqual([]);
    }
    expect(missing).toEqual([]);
  });

  it('documents nothing that is not registered', () => {
    const registeredOperations = new Set(
      publicOperations().map(({ method, path }) => `${method} ${openApiPath(path)}`),
    );
    const documented = Object.entries(document.paths)
      .filter(([path]) => path.startsWith(PUBLIC_PREFIX))
      .flatMap(([path, operations]) => Object.keys(operations).map((method) => `${method} ${path}`));
    expect(documented.filter((operation) => !registeredOperations.has(operation))).toEqual([]);
  });

  it('marks the health route as needing no token, and the others as bearer-protected', () => {
    expect(document.paths[`${PUBLIC_PREFIX}/health`]?.get?.security).toEqual([]);
    expect(document.paths[`${PUBLIC_PREFIX}/dags`]?.get?.responses).toHaveProperty('401');
    expect(document.paths[`${PUBLIC_PREFIX}/dags/{dag_id}/dagRuns`]?.post?.responses).toHaveProperty('403');
  });

  it('serves the interactive docs at /docs', async () => {
    const response = await harness.app.inject({ method: 'GET', url: '/docs' });
    expect(response.statusCode).toBe(200);
    expect(response.headers['content-type']).toMatch(/^text\/html/);
    expect(response.body).toContain('swagger-ui');
  });
});
