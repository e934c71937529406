import { DagDefinitionError } from '../errors.ts';
import { type Duration, durationOptionMs } from './duration-option.ts';

/** How a task is retried and timed out; set per DAG (`defaults`) and per task. */
export interface TaskPolicyOptions {
  /** Retries after the first try (so `maxTries = retries + 1`). Default 0. */
  readonly retries?: number;
  /** Default 5 minutes. */
  readonly retryDelay?: Duration;
  /** Double the delay after every failed try. Default false. */
  readonly retryExponentialBackoff?: boolean;
  /** Cap for exponential backoff; null (default): none. */
  readonly maxRetryDelay?: Duration | null;
  /** After this, the supervisor stops the try (SIGTERM, then SIGKILL) and it fails; null (default): no limit. */
  readonly executionTimeout?: Duration | null;
}

export interface TaskPolicy {
  readonly retries: number;
  readonly retryDelayMs: number;
  readonly retryExponentialBackoff: boolean;
  readonly maxRetryDelayMs: number | null;
  readonly executionTimeoutMs: number | null;
}

export const DEFAULT_TASK_POLICY: TaskPolicy = Object.freeze({
  retries: 0,
  retryDelayMs: 300_000,
  retryExponentialBackoff: false,
  maxRetryDelayMs: null,
  executionTimeoutMs: null,
});

export const TASK_POLICY_OPTION_NAMES = [
  'retries',
  'retryDelay',
  'retryExponentialBackoff',
  'maxRetryDelay',
  'executionTimeout',
] as const;

/** `where` names the owner in messages: `task "x" in DAG "d"`, `the defaults of DAG "d"`. */
export function resolveTaskPolicy(options: TaskPolicyOptions, base: TaskPolicy, where: string): TaskPolicy {
  const { retries, retryDelay, retryExponentialBackoff, maxRetryDelay, executionTimeout } = options;
  if (retries !== undefined && !(Number.isSafeInteger(retries) && retries >= 0)) {
    throw new DagDefinitionError(`retries ${String(retries)} of ${where} must be a whole number ≥ 0`);
  }
  if (retryExponentialBackoff !== undefined && typeof retryExponentialBackoff !== 'boolean') {
    throw new DagDefinitionError(
      `retryExponentialBackoff of ${where} must be true or false, got ${String(retryExponentialBackoff)}`,
    );
  }
  const executionTimeoutMs =
    executionTimeout === undefined
      ? base.executionTimeoutMs
      : executionTimeout === null
        ? null
        : durationOptionMs(executionTimeout, 'executionTimeout', where);
  if (executionTimeoutMs === 0) {
    throw new DagDefinitionError(
      `executionTimeout of ${where} must be greater than 0; use null (or leave it out) for no timeout`,
    );
  }
  return {
    retries: retries ?? base.retries,
    retryDelayMs: retryDelay === undefined ? base.retryDelayMs : durationOptionMs(retryDelay, 'retryDelay', where),
    retryExponentialBackoff: retryExponentialBackoff ?? base.retryExponentialBackoff,
    maxRetryDelayMs:
      maxRetryDelay === undefined
        ? base.maxRetryDelayMs
        : maxRetryDelay === null
          ? null
          : durationOptionMs(maxRetryDelay, 'maxRetryDelay', where),
    executionTimeoutMs,
  };
}
