import type { TidemarkConfig } from '@tidemark/core';

export interface Tracing {
  /** Exports the spans still buffered, then stops. */
  shutdown(): Promise<void>;
}

/** What `tracing.otlp_endpoint` names: the collector's base URL; spans go to `<base>/v1/traces`. */
export function otlpTracesUrl(endpoint: string): string {
  return endpoint.endsWith('/v1/traces') ? endpoint : `${endpoint.replace(/\/+$/, '')}/v1/traces`;
}

/**
 * Starts OpenTelemetry tracing in this process when `tracing.otlp_endpoint` is set (README
 * "Observability"): a tracer provider with the W3C `traceparent` propagator and async context,
 * exporting spans in batches over OTLP/HTTP (JSON). Undefined when tracing is off, and then not
 * even the SDK is loaded: the code's spans go to OpenTelemetry's no-op API. Task processes never
 * call this; the attempt's trace reaches them as plain ids.
 */
export async function startTracing(
  config: Pick<TidemarkConfig, 'tracing'>,
  processKind: string,
): Promise<Tracing | undefined> {
  const { otlp_endpoint: endpoint, service_name: serviceName, sample_ratio: ratio } = config.tracing;
  if (endpoint === undefined) return undefined;
  const [node, { OTLPTraceExporter }, { resourceFromAttributes }] = await Promise.all([
    import('@opentelemetry/sdk-trace-node'),
    import('@opentelemetry/exporter-trace-otlp-http'),
    import('@opentelemetry/resources'),
  ]);
  const provider = new node.NodeTracerProvider({
    resource: resourceFromAttributes({ 'service.name': `${serviceName}-${processKind}` }),
    sampler: new node.ParentBasedSampler({ root: new node.TraceIdRatioBasedSampler(ratio) }),
    spanProcessors: [new node.BatchSpanProcessor(new OTLPTraceExporter({ url: otlpTracesUrl(endpoint) }))],
  });
  provider.register();
  return { shutdown: () => provider.shutdown() };
}
