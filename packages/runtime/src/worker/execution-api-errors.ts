import { TidemarkError } from '@tidemark/core';
import { ExecutionApiUnreachableError } from '../errors.ts';

/** HTTP status of an error the api-server answered with, when there was one. */
export function httpStatusOf(error: unknown): number | undefined {
  if (!(error instanceof TidemarkError)) return undefined;
  const status = error.details.status;
  return typeof status === 'number' ? status : undefined;
}

/** Worth retrying as-is: the server was unreachable, or failed in a way that may pass (5xx). */
export function isTransientApiError(error: unknown): boolean {
  if (error instanceof ExecutionApiUnreachableError) return true;
  const status = httpStatusOf(error);
  return status !== undefined && status >= 500;
}

/** The attempt is no longer the TI's running try (zombie, cleared, marked): it must stop. */
export function isStaleAttemptError(error: unknown): boolean {
  return error instanceof TidemarkError && error.code === 'stale_attempt';
}

/**
 * The api-server answered 503 `database_unavailable`: its database is restarting or locked, and the
 * request was not applied (a write whose commit was cut off is as uncertain as a lost answer).
 */
export function isDatabaseUnavailableAnswer(error: unknown): boolean {
  return error instanceof TidemarkError && error.code === 'database_unavailable' && httpStatusOf(error) === 503;
}
