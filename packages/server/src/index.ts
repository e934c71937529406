// The api-server: the execution API (workers, per-attempt JWT) now; the public API (/api/v2) later.
export { type ApiServerOptions, buildApiServer } from './app.ts';
export * from './errors.ts';
export {
  type AttemptLogAddress,
  type AttemptLogChunk,
  type AttemptLogEntry,
  attemptLogPath,
  readAttemptLog,
} from './execution/attempt-log.ts';
export * from './execution/attempt-token.ts';
export { ServerMetrics } from './observability/server-metrics.ts';
