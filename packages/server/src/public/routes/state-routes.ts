import type { PublicApp, PublicRouteContext } from '../public-route-context.ts';
import { registerStateAssetRoutes } from './state-asset-routes.ts';
import { registerStateTaskRoutes } from './state-task-routes.ts';

/** SPEC §11.2: the task-state and asset-state routes of the public API. */
export function registerStateRoutes(app: PublicApp, context: PublicRouteContext): void {
  registerStateTaskRoutes(app, context);
  registerStateAssetRoutes(app, context);
}
