import type { PublicApp, PublicRouteContext } from '../public-route-context.ts';

/** Filled in by the public API issue (issue 4). */
export function registerMonitorRoutes(_app: PublicApp, _context: PublicRouteContext): void {}
