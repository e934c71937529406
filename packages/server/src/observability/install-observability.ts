import type { TidemarkConfig } from '@tidemark/core';
import type { MetadataDatabase } from '@tidemark/db';
import type { FastifyInstance } from 'fastify';
import { Registry } from 'prom-client';
import { registerMetricsRoute } from './metrics-route.ts';
import { installRequestObservability } from './request-observability.ts';
import { ServerMetrics } from './server-metrics.ts';

export interface ServerObservability {
  /** Undefined when `metrics.enabled` is false. */
  readonly metrics: ServerMetrics | undefined;
  /** `tracing.otlp_endpoint` is set: the process registered an OpenTelemetry SDK (runtime `startTracing`). */
  readonly tracing: boolean;
}

/**
 * The api-server's metrics and request tracing (README "Observability"): GET /metrics, the request
 * hooks, and what the state backend's instrumentation and the claim route record into. Call it
 * before the APIs are registered, so that their routes get the hooks.
 */
export function installObservability(
  app: FastifyInstance,
  options: {
    readonly config: TidemarkConfig;
    readonly database: MetadataDatabase;
    /** The process's registry (the CLI's, shared with a standalone's scheduler and worker); default: a new one. */
    readonly registry?: Registry | undefined;
    readonly now: () => number;
  },
): ServerObservability {
  const registry = options.config.metrics.enabled ? (options.registry ?? new Registry()) : undefined;
  const metrics = registry && new ServerMetrics(registry, options.database, options.now, app.log);
  const tracing = options.config.tracing.otlp_endpoint !== undefined;
  installRequestObservability(app, { metrics, tracing });
  registerMetricsRoute(app, registry, options.config.metrics.bearer_token);
  return { metrics, tracing };
}
