export { ExecutionApiUnreachableError } from '../errors.ts';
export type { AttemptOutcome } from './attempt-outcome.ts';
export {
  AttemptApiClient,
  ExecutionApiClient,
  type ExecutionApiClientOptions,
  type XcomPullQuery,
} from './execution-api-client.ts';
export { isStaleAttemptError, isTransientApiError } from './execution-api-errors.ts';
export { type AttemptResult, type AttemptTimings, type RunAttemptOptions, runAttempt } from './supervisor.ts';
export { type StopOptions, startWorker, type Worker, type WorkerOptions } from './worker.ts';
