export * from './attempt-trace.ts';
export * from './metered-offload-store.ts';
export * from './metrics-registry.ts';
export * from './metrics-server.ts';
export * from './process-observability.ts';
export * from './scheduler-metrics.ts';
export * from './tracing.ts';
export * from './worker-metrics.ts';
