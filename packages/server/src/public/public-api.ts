import type { FastifyInstance } from 'fastify';
import { serializerCompiler, validatorCompiler, type ZodTypeProvider } from 'fastify-type-provider-zod';
import { PUBLIC_PREFIX } from '../openapi/openapi-documents.ts';
import { registerAuthTokenRoute } from './auth-token-route.ts';
import type { PublicRouteContext } from './public-route-context.ts';
import { registerAssetEventRoutes } from './routes/asset-event-routes.ts';
import { registerAssetRoutes } from './routes/asset-routes.ts';
import { registerDagRoutes } from './routes/dag-routes.ts';
import { registerDagRunRoutes } from './routes/dag-run-routes.ts';
import { registerMonitorRoutes } from './routes/monitor-routes.ts';
import { registerStateRoutes } from './routes/state-routes.ts';
import { registerTaskInstanceRoutes } from './routes/task-instance-routes.ts';
import { registerWatcherRoutes } from './routes/watcher-routes.ts';

export { PUBLIC_PREFIX, publicDocument } from '../openapi/openapi-documents.ts';

/**
 * The public API (people, the UI, the CLI): Airflow-shaped routes under /api/v2, user bearer tokens
 * with roles, zod schemas that validate requests and generate the OpenAPI 3.1 document.
 */
export async function registerPublicApi(app: FastifyInstance, context: PublicRouteContext): Promise<void> {
  app.setValidatorCompiler(validatorCompiler);
  app.setSerializerCompiler(serializerCompiler);
  app.decorateRequest('user', null);
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
      registerWatcherRoutes(routes, context);
    },
    { prefix: PUBLIC_PREFIX },
  );
}
