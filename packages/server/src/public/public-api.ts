import swagger from '@fastify/swagger';
import swaggerUi from '@fastify/swagger-ui';
import { TIDEMARK_VERSION } from '@tidemark/core';
import type { FastifyInstance } from 'fastify';
import {
  jsonSchemaTransform,
  serializerCompiler,
  validatorCompiler,
  type ZodTypeProvider,
} from 'fastify-type-provider-zod';
import { registerAuthTokenRoute } from './auth-token-route.ts';
import type { PublicRouteContext } from './public-route-context.ts';
import { registerAssetEventRoutes } from './routes/asset-event-routes.ts';
import { registerAssetRoutes } from './routes/asset-routes.ts';
import { registerDagRoutes } from './routes/dag-routes.ts';
import { registerDagRunRoutes } from './routes/dag-run-routes.ts';
import { registerMonitorRoutes } from './routes/monitor-routes.ts';
import { registerStateRoutes } from './routes/state-routes.ts';
import { registerTaskInstanceRoutes } from './routes/task-instance-routes.ts';

export const PUBLIC_PREFIX = '/api/v2';

/**
 * The public API (people, the UI, the CLI): Airflow-shaped routes under /api/v2, user bearer tokens
 * with roles, zod schemas that validate requests and generate the OpenAPI 3.1 document.
 */
export async function registerPublicApi(app: FastifyInstance, context: PublicRouteContext): Promise<void> {
  app.setValidatorCompiler(validatorCompiler);
  app.setSerializerCompiler(serializerCompiler);
  app.decorateRequest('user', null);
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

  const typed = app.withTypeProvider<ZodTypeProvider>();
  registerAuthTokenRoute(typed, context);
  await app.register(
    async (api) => {
      const routes = api.withTypeProvider<ZodTypeProvider>();
      registerMonitorRoutes(routes, context);
      registerDagRoutes(routes, context);
      registerDagRunRoutes(routes, context);
      registerTaskInstanceRoutes(routes, context);
      registerAssetRoutes(routes, context);
      registerAssetEventRoutes(routes, context);
      registerStateRoutes(routes, context);
    },
    { prefix: PUBLIC_PREFIX },
  );
  app.get('/api/v2/openapi.json', { schema: { hide: true } }, async () => publicDocument(app));
}

/** The OpenAPI document of the public API (the execution API's routes are left out). */
export function publicDocument(app: FastifyInstance) {
  const document = app.swagger() as { paths?: Record<string, unknown> };
  const paths = Object.fromEntries(
    Object.entries(document.paths ?? {}).filter(([path]) => path.startsWith(PUBLIC_PREFIX) || path === '/auth/token'),
  );
  return { ...document, paths };
}
