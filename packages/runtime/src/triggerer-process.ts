// What a `tidemark triggerer` process needs, and nothing else: the main entry also loads the
// scheduler, the worker and the database modules, about 50 MB of memory a triggerer would hold for
// nothing (SPEC §16 asks 1,000 waiting deferrals to cost it at most 200 MB).
export { createLogger } from './logging/create-logger.ts';
export { startProcessObservability } from './observability/process-observability.ts';
export { createStateOffload } from './offload/create-offload-store.ts';
export * from './triggerer/index.ts';
