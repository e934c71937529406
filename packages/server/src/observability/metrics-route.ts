import { InvalidTokenError, METRICS_TOKEN_REQUIRED, metricsScrapeAllowed } from '@tidemark/core';
import type { FastifyInstance } from 'fastify';
import type { Registry } from 'prom-client';
import { MetricsDisabledError } from '../errors.ts';

/**
 * GET /metrics: the process's metrics in Prometheus's text format. Like /health it needs no user
 * token (Prometheus scrapes with a static credential, if any): open by default, or
 * `Authorization: Bearer <metrics.bearer_token>` when that is set. 404 when metrics are off.
 */
export function registerMetricsRoute(
  app: FastifyInstance,
  registry: Registry | undefined,
  bearerToken: string | undefined,
): void {
  app.get('/metrics', async (request, reply) => {
    if (!registry) throw new MetricsDisabledError();
    if (!metricsScrapeAllowed(request.headers.authorization, bearerToken)) {
      void reply.header('www-authenticate', 'Bearer realm="metrics"');
      throw new InvalidTokenError(METRICS_TOKEN_REQUIRED);
    }
    const text = await registry.metrics();
    return reply.header('content-type', registry.contentType).send(text);
  });
}
