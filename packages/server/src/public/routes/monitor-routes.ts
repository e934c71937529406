import { type HealthResponse, healthResponseSchema, TIDEMARK_VERSION, versionResponseSchema } from '@tidemark/core';
import type { PublicApp, PublicRouteContext } from '../public-route-context.ts';
import { VIEWER_ERRORS } from './dag-route-support.ts';

/**
 * GET /health (no token) and GET /version (viewer), as in Airflow 3.
 *
 * Health answers 200 whatever the statuses (Airflow does the same; read the body). The root
 * `GET /health` is the load balancer's probe: it answers 503 when the database is down. The
 * scheduler's status is null: schedulers record no heartbeat Tidemark could read yet.
 */
export function registerMonitorRoutes(app: PublicApp, context: PublicRouteContext): void {
  app.get(
    '/health',
    {
      schema: {
        tags: ['Monitor'],
        summary: 'Health of the metadata database and the scheduler',
        description: 'No token needed. Always 200: read the statuses.',
        security: [],
        response: { 200: healthResponseSchema },
      },
    },
    async (request): Promise<HealthResponse> => {
      let metadatabase: HealthResponse['metadatabase']['status'] = 'healthy';
      try {
        await context.database.db.selectNoFrom((eb) => eb.lit(1).as('one')).execute();
      } catch (error) {
        request.log.error({ err: error }, 'health check: the metadata database does not answer');
        metadatabase = 'unhealthy';
      }
      return {
        metadatabase: { status: metadatabase },
        scheduler: { status: null, latest_scheduler_heartbeat: null },
      };
    },
  );

  app.get(
    '/version',
    {
      onRequest: context.auth.requireRole('viewer'),
      schema: {
        tags: ['Version'],
        summary: 'The Tidemark version',
        response: { 200: versionResponseSchema, ...VIEWER_ERRORS },
      },
    },
    async () => ({ version: TIDEMARK_VERSION, git_version: null }),
  );
}
