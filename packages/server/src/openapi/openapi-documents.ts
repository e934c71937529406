import swagger from '@fastify/swagger';
import swaggerUi from '@fastify/swagger-ui';
import { TIDEMARK_VERSION } from '@tidemark/core';
import type { FastifyInstance } from 'fastify';
import { jsonSchemaTransform } from 'fastify-type-provider-zod';

export const PUBLIC_PREFIX = '/api/v2';
export const EXECUTION_PREFIX = '/execution';

/**
 * The OpenAPI 3.1 documents of both APIs (SPEC §11): `/api/v2/openapi.json`, `/execution/openapi.json`,
 * and the interactive docs at `/docs`. Registered before any route, so that every route of both
 * APIs is collected.
 */
export async function registerOpenApi(app: FastifyInstance): Promise<void> {
  await app.register(swagger, {
    openapi: {
      openapi: '3.1.0',
      info: { title: 'Tidemark API', version: TIDEMARK_VERSION },
      components: { securitySchemes: { bearer: { type: 'http', scheme: 'bearer' } } },
      security: [{ bearer: [] }],
    },
    transform: jsonSchemaTransform,
  });
  await app.register(swaggerUi, { routePrefix: '/docs' });
  app.get(`${PUBLIC_PREFIX}/openapi.json`, { schema: { hide: true } }, async () => publicDocument(app));
  app.get(`${EXECUTION_PREFIX}/openapi.json`, { schema: { hide: true } }, async () => executionDocument(app));
}

/** The OpenAPI document of the public API (the execution API's routes are left out). */
export function publicDocument(app: FastifyInstance) {
  return documentOf(app, (path) => path.startsWith(PUBLIC_PREFIX) || path === '/auth/token');
}

/** The OpenAPI document of the execution API (workers; attempt and worker tokens). */
export function executionDocument(app: FastifyInstance) {
  const document = documentOf(app, (path) => path.startsWith(`${EXECUTION_PREFIX}/`));
  return { ...document, info: { ...document.info, title: 'Tidemark execution API' } };
}

function documentOf(app: FastifyInstance, keep: (path: string) => boolean) {
  const document = app.swagger() as { info?: Record<string, unknown>; paths?: Record<string, unknown> };
  const paths = Object.fromEntries(Object.entries(document.paths ?? {}).filter(([path]) => keep(path)));
  return { ...document, paths };
}
