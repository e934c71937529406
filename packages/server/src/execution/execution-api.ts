import type { FastifyInstance } from 'fastify';
import { registerClaimRoute } from './claim-route.ts';
import { registerDeferralRoutes } from './deferral-routes.ts';
import { registerFinishRoute } from './finish-route.ts';
import { registerHeartbeatRoute } from './heartbeat-route.ts';
import { registerLogsRoute } from './logs-route.ts';
import { registerStateStoreRoutes, type StateStoreContext } from './state-store-routes.ts';
import { registerTokenRoute } from './token-route.ts';
import { registerTriggererLeaseRoutes } from './triggerer-lease-routes.ts';
import { registerWatcherPollRoute } from './watcher-poll-route.ts';
import { registerWatcherStateRoute } from './watcher-state-route.ts';
import { registerXcomRoutes } from './xcom-routes.ts';

/** The execution API's task lifecycle (core `EXECUTION_ROUTES`), state store (core
 *  `STATE_STORE_ROUTES`) and triggerer routes (core `TRIGGERER_ROUTES`), in its own encapsulated context. */
export async function executionApi(app: FastifyInstance, context: StateStoreContext): Promise<void> {
  app.decorateRequest('executionToken', null);
  registerClaimRoute(app, context);
  registerHeartbeatRoute(app, context);
  registerFinishRoute(app, context);
  registerLogsRoute(app, context);
  registerXcomRoutes(app, context);
  registerTokenRoute(app, context);
  registerStateStoreRoutes(app, context);
  registerTriggererLeaseRoutes(app, context);
  registerWatcherStateRoute(app, context);
  registerWatcherPollRoute(app, context);
  registerDeferralRoutes(app, context);
}
