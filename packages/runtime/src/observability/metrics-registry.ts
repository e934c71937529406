import type { TidemarkConfig } from '@tidemark/core';
import { collectDefaultMetrics, Registry } from 'prom-client';

/**
 * One Prometheus registry per process (README "Observability"): the api-server's /metrics and the
 * metrics port of a scheduler, worker or triggerer read from it; `standalone` shares one between its
 * api-server, scheduler and worker. With it come Node's process metrics (`process_*`, `nodejs_*`).
 * Undefined when `metrics.enabled` is false: nothing is recorded.
 */
export function createMetricsRegistry(config: Pick<TidemarkConfig, 'metrics'>): Registry | undefined {
  if (!config.metrics.enabled) return undefined;
  const registry = new Registry();
  collectDefaultMetrics({ register: registry });
  return registry;
}
