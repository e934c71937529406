import type { FastifyInstance } from 'fastify';
import { registerClaimRoute } from './claim-route.ts';
import type { ExecutionContext } from './execution-context.ts';
import { registerFinishRoute } from './finish-route.ts';
import { registerHeartbeatRoute } from './heartbeat-route.ts';
import { registerLogsRoute } from './logs-route.ts';
import { registerTokenRoute } from './token-route.ts';
import { registerXcomRoutes } from './xcom-routes.ts';

/** The execution API's task lifecycle (core `EXECUTION_ROUTES`), in its own encapsulated context. */
export async function executionApi(app: FastifyInstance, context: ExecutionContext): Promise<void> {
  app.decorateRequest('executionToken', null);
  registerClaimRoute(app, context);
  registerHeartbeatRoute(app, context);
  registerFinishRoute(app, context);
  registerLogsRoute(app, context);
  registerXcomRoutes(app, context);
  registerTokenRoute(app, context);
}
