import { TidemarkError } from '@tidemark/core';

/** The runtime's errors (DAG processor, worker, offload); the shared ones come from core. */

export class DagsFolderNotFoundError extends TidemarkError {
  constructor(dagsFolder: string) {
    super(
      'dags_folder_not_found',
      `the DAGs folder ${dagsFolder} does not exist or is not a folder; create it, or point core.dags_folder ` +
        '(TIDEMARK_CORE__DAGS_FOLDER) at the folder that holds your DAG files',
      { dags_folder: dagsFolder },
    );
  }
}

/**
 * The api-server could not be reached, or did not answer in time (it may be restarting). The
 * request may be retried; the worker backs off and tries again.
 */
export class ExecutionApiUnreachableError extends TidemarkError {
  readonly retryable = true;

  constructor(apiUrl: string, reason: string) {
    super(
      'execution_api_unreachable',
      `cannot reach the execution API at ${apiUrl}: ${reason}; check that the api-server runs and that ` +
        '--api-url (worker.api_url) points at it',
      { api_url: apiUrl },
    );
  }
}

export class OffloadedPayloadMissingError extends TidemarkError {
  constructor(key: string, ref: string) {
    super(
      'offload_missing',
      `state key "${key}" is offloaded to "${ref}", but the offload store has no such object; does this worker ` +
        'use the same state.offload settings (backend, folder) as the one that wrote it?',
      { key, ref },
    );
  }
}
