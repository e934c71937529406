import type { TidemarkConfig } from '@tidemark/core';
import type { Logger } from 'pino';
import type { Registry } from 'prom-client';
import { createMetricsRegistry } from './metrics-registry.ts';
import { type MetricsProcessKind, startProcessMetricsServer } from './metrics-server.ts';
import { startTracing } from './tracing.ts';

export type ObservedProcessKind = 'api-server' | 'standalone' | MetricsProcessKind;

export interface ProcessObservability {
  /** What the process's metrics are recorded into; undefined when `metrics.enabled` is false. */
  readonly registry: Registry | undefined;
  /** The metrics port's URL when this kind has one configured (`metrics.<kind>_port`). */
  readonly metricsUrl: string | undefined;
  /** Closes the metrics port and exports the spans still buffered. */
  stop(): Promise<void>;
}

/**
 * Everything a Tidemark process needs for metrics and traces, in one call at its start: the
 * registry, OpenTelemetry when `tracing.otlp_endpoint` is set, and for a scheduler, worker or
 * triggerer the metrics port when `metrics.<kind>_port` is set (the api-server and `standalone`
 * serve `/metrics` on the API port instead).
 */
export async function startProcessObservability(
  config: Pick<TidemarkConfig, 'metrics' | 'tracing'>,
  kind: ObservedProcessKind,
  log?: Logger,
): Promise<ProcessObservability> {
  const registry = createMetricsRegistry(config);
  const tracing = await startTracing(config, kind);
  const server =
    kind === 'api-server' || kind === 'standalone'
      ? undefined
      : await startProcessMetricsServer(config, kind, registry, log).catch(async (error: unknown) => {
          await tracing?.shutdown();
          throw error;
        });
  return {
    registry,
    metricsUrl: server?.url,
    async stop() {
      await server?.close();
      await tracing?.shutdown();
    },
  };
}
