import {
  type JsonValue,
  type StateMethod,
  type StateRequestParams,
  type TaskToSupervisor,
  TidemarkError,
} from '@tidemark/core';
import { ExecutionApiUnreachableError } from '../errors.ts';
import type { OffloadingStateRelay } from '../offload/offloading-state-relay.ts';
import { Backoff, retryTransient, sleep } from './backoff.ts';
import type { AttemptApiClient } from './execution-api-client.ts';
import { isDatabaseUnavailableAnswer } from './execution-api-errors.ts';

export type TaskRequestMessage = Extract<TaskToSupervisor, { type: 'request' }>;

/** What a relayed request answers the task process: its value, or the error it gets back. */
export type RelayAnswer =
  | { readonly ok: true; readonly value: JsonValue | undefined }
  | {
      readonly ok: false;
      readonly error: { readonly code: string; readonly message: string };
      readonly cause: unknown;
    };

const RETRY_WINDOW_MS = 10_000;

/**
 * The supervisor's relay of a task's requests (XCom, state) to the execution API, with the
 * attempt's token, through the offload store when one is configured, retried as each kind allows.
 */
export class TaskRequestRelay {
  readonly #api: AttemptApiClient;
  readonly #offload: OffloadingStateRelay | undefined;

  constructor(api: AttemptApiClient, offload: OffloadingStateRelay | undefined) {
    this.#api = api;
    this.#offload = offload;
  }

  /** Never throws: a failure is an answer the task process rethrows as a typed error. */
  async answer(request: TaskRequestMessage): Promise<RelayAnswer> {
    try {
      return { ok: true, value: (await this.#dispatch(request)) as JsonValue | undefined };
    } catch (error) {
      return { ok: false, error: requestErrorOf(error), cause: error };
    }
  }

  #dispatch(request: TaskRequestMessage) {
    switch (request.method) {
      case 'xcom.pull':
        return retryTransient(() => this.#api.pullXcom(request.params), { retryWindowMs: RETRY_WINDOW_MS });
      case 'xcom.push': {
        const { key, value } = request.params;
        return retryTransient(() => this.#api.pushXcom(key, value), { retryWindowMs: RETRY_WINDOW_MS }).then(
          () => undefined,
        );
      }
      case 'state.get':
      case 'state.set':
      case 'state.delete':
      case 'state.clear':
      case 'state.keys':
      case 'state.advance':
        return this.#relayState(request.method.slice('state.'.length) as StateMethod, request.params);
      default:
        throw new TidemarkError(
          'unknown_request',
          `the supervisor does not know the request "${(request as { method: string }).method}"; ` +
            'are the worker and the SDK the same Tidemark version?',
        );
    }
  }

  /**
   * Relays a `state.*` request, through the offload store when one is configured (values above
   * its threshold; see OffloadingStateRelay). Reads (get, keys) and the idempotent clear and
   * unconditional delete are retried like XCom pulls, also after 5xx answers. Writes (set,
   * advance, a delete with `ifVersion`) are retried only after transport failures and 503
   * `database_unavailable` (the database is away; nothing was written), never after another
   * answer: any other 5xx or a 4xx is final. Even so, a write whose answer was lost (timeout) may
   * have been applied: a retried `set` then stores the same value again (one extra version), a
   * retried `set` or `delete` with `ifVersion` answers a spurious StateConflictError (nothing
   * wrong was written; `update` re-reads and applies its function again), and a retried `advance`
   * is harmless (it is monotonic) but may answer `advanced: false` for a value it did store.
   */
  #relayState(method: StateMethod, params: StateRequestParams) {
    if (!this.#offload) return this.#relayStateRow(method, params);
    return this.#offload.relay(method, params, (rowMethod, rowParams) => this.#relayStateRow(rowMethod, rowParams));
  }

  /** One state request to the execution API (the database rows), retried as described on #relayState. */
  #relayStateRow(method: StateMethod, params: StateRequestParams) {
    const operation = () => this.#api.relayState(method, params);
    const isRead = method === 'get' || method === 'keys' || method === 'clear';
    if (isRead || (method === 'delete' && params.ifVersion === undefined)) {
      return retryTransient(operation, { retryWindowMs: RETRY_WINDOW_MS });
    }
    return retryOnTransportFailure(operation, RETRY_WINDOW_MS);
  }
}

function requestErrorOf(error: unknown): { code: string; message: string } {
  if (error instanceof TidemarkError) return { code: error.code, message: error.message };
  return { code: 'internal_error', message: error instanceof Error ? error.message : String(error) };
}

/**
 * Retries only when the api-server could not be reached or did not answer (no HTTP answer at all),
 * or answered that its database is unavailable (nothing was written).
 */
async function retryOnTransportFailure<T>(operation: () => Promise<T>, retryWindowMs: number): Promise<T> {
  const deadline = Date.now() + retryWindowMs;
  const backoff = new Backoff(100, 5_000);
  for (;;) {
    try {
      return await operation();
    } catch (error) {
      const delay = backoff.next();
      const retryable = error instanceof ExecutionApiUnreachableError || isDatabaseUnavailableAnswer(error);
      if (!retryable || Date.now() + delay > deadline) throw error;
      await sleep(delay);
    }
  }
}
