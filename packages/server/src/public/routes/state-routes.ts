import type { PublicApp, PublicRouteContext } from '../public-route-context.ts';
import { registerStateAssetRoutes } from './state-asset-routes.ts';
import { registerStateDagRoutes } from './state-dag-routes.ts';
import { registerStateTaskRoutes } from './state-task-routes.ts';

/** SPEC §11.2, §17: the task-state, asset-state and DAG-state routes of the public API. */
export function registerStateRoutes(app: PublicApp, context: PublicRouteContext): void {
  registerStateTaskRoutes(app, context);
  registerStateAssetRoutes(app, context);
  registerStateDagRoutes(app, context);
}
