import {
  DEFERRAL_ROUTES,
  type DeferralErrorResponse,
  type DeferralFireResponse,
  type DeferralLeaseRequest,
  type DeferralLeaseResponse,
  type DeferralTakeRequest,
  deferralErrorResponseSchema,
  deferralFireResponseSchema,
  deferralLeaseResponseSchema,
  encodePathSegment,
  type JsonValue,
  type LeaseRequest,
  type LeaseResponse,
  leaseResponseSchema,
  TidemarkError,
  TRIGGERER_ROUTES,
  type WatcherPollRequest,
  type WatcherPollResponse,
  type WatcherStateEntry,
  watcherPollResponseSchema,
  watcherStateEntrySchema,
  watcherStateListSchema,
} from '@tidemark/core';
import { parseResponse } from '../worker/execution-api-client.ts';
import { type ExecutionApiRequest, sendExecutionApiRequest } from '../worker/execution-api-http.ts';
import { TriggererTokenSource } from './triggerer-token.ts';

export interface TriggererApiClientOptions {
  readonly apiUrl: string;
  /** Signs the triggerer token (`api.secret_key`). */
  readonly secretKey: string;
  readonly triggererId: string;
  /** A request without an answer after this long fails as unreachable. Default 30 s. */
  readonly requestTimeoutMs?: number;
}

const DEFAULT_REQUEST_TIMEOUT_MS = 30_000;

/** The triggerer's side of the execution API (TRIGGERER_ROUTES), with its own token. */
export class TriggererApiClient {
  readonly apiUrl: string;
  readonly #token: TriggererTokenSource;
  readonly #triggererPath: string;
  readonly #timeoutMs: number;

  constructor(options: TriggererApiClientOptions) {
    this.apiUrl = options.apiUrl;
    this.#token = new TriggererTokenSource(options.secretKey, options.triggererId);
    this.#triggererPath = encodePathSegment(options.triggererId);
    this.#timeoutMs = options.requestTimeoutMs ?? DEFAULT_REQUEST_TIMEOUT_MS;
  }

  /** Renews this triggerer's leases, takes free ones, reports idle polls → the watchers it holds now. */
  async lease(request: LeaseRequest): Promise<LeaseResponse> {
    const path = TRIGGERER_ROUTES.leases.replace(':triggerer_id', this.#triggererPath);
    return parseResponse(leaseResponseSchema, await this.#send({ method: 'POST', path, body: request }), 'lease');
  }

  /** Gives every lease back, so that another triggerer takes the watchers at once. */
  async releaseLeases(): Promise<void> {
    await this.#send({
      method: 'DELETE',
      path: TRIGGERER_ROUTES.releaseLeases.replace(':triggerer_id', this.#triggererPath),
    });
  }

  /** One key of the watcher's asset state, or null when it is absent. */
  async getState(watcherId: number, key: string): Promise<WatcherStateEntry | null> {
    try {
      const response = await this.#send({
        method: 'GET',
        path: this.#watcherPath('watcherState', watcherId),
        query: { key },
      });
      return parseResponse(watcherStateEntrySchema, response, 'watcher state');
    } catch (error) {
      if (error instanceof TidemarkError && error.code === 'state_not_found') return null;
      throw error;
    }
  }

  /** Every key of the watcher's asset state, with values. */
  async listState(watcherId: number): Promise<WatcherStateEntry[]> {
    const response = await this.#send({ method: 'GET', path: this.#watcherPath('watcherState', watcherId) });
    return parseResponse(watcherStateListSchema, response, 'watcher state list').entries;
  }

  /** Commits one poll: its outcome, events and state changes together (409 lease lost, 412 state conflict). */
  async commitPoll(watcherId: number, request: WatcherPollRequest): Promise<WatcherPollResponse> {
    const response = await this.#send({
      method: 'POST',
      path: this.#watcherPath('watcherPolls', watcherId),
      body: request,
    });
    return parseResponse(watcherPollResponseSchema, response, 'watcher poll');
  }

  /** Renews this triggerer's deferral leases, takes free ones, reports idle checks → the deferrals it holds now (SPEC §16). */
  async leaseDeferrals(request: DeferralLeaseRequest): Promise<DeferralLeaseResponse> {
    const path = DEFERRAL_ROUTES.leases.replace(':triggerer_id', this.#triggererPath);
    return parseResponse(
      deferralLeaseResponseSchema,
      await this.#send({ method: 'POST', path, body: request }),
      'deferral lease',
    );
  }

  /** Takes new deferrals between renewals (a long poll with `wait_ms`) → only those taken. */
  async takeDeferrals(request: DeferralTakeRequest): Promise<DeferralLeaseResponse> {
    const path = DEFERRAL_ROUTES.take.replace(':triggerer_id', this.#triggererPath);
    const timeoutMs = this.#timeoutMs + (request.wait_ms ?? 0);
    return parseResponse(
      deferralLeaseResponseSchema,
      await this.#send({ method: 'POST', path, body: request }, timeoutMs),
      'deferral take',
    );
  }

  /** Gives every deferral lease back. */
  async releaseDeferralLeases(): Promise<void> {
    await this.#send({
      method: 'DELETE',
      path: DEFERRAL_ROUTES.releaseLeases.replace(':triggerer_id', this.#triggererPath),
    });
  }

  /** The wait fired with `event`: the TI resumes (`resumed: false` when it had already fired). */
  async fireDeferral(deferralId: number, lease: number, event: JsonValue): Promise<DeferralFireResponse> {
    const path = DEFERRAL_ROUTES.fire.replace(':deferral_id', String(deferralId));
    const response = await this.#send({ method: 'POST', path, body: { lease, event } });
    return parseResponse(deferralFireResponseSchema, response, 'deferral fire');
  }

  /** The wait failed: the deferred try fails with its retry policy. */
  async reportDeferralError(deferralId: number, lease: number, error: string): Promise<DeferralErrorResponse> {
    const path = DEFERRAL_ROUTES.error.replace(':deferral_id', String(deferralId));
    const response = await this.#send({ method: 'POST', path, body: { lease, error } });
    return parseResponse(deferralErrorResponseSchema, response, 'deferral error');
  }

  #watcherPath(route: 'watcherState' | 'watcherPolls', watcherId: number): string {
    return TRIGGERER_ROUTES[route].replace(':watcher_id', String(watcherId));
  }

  #send(request: Omit<ExecutionApiRequest, 'token'>, timeoutMs = this.#timeoutMs) {
    return sendExecutionApiRequest(this.apiUrl, { ...request, token: this.#token.current() }, timeoutMs);
  }
}
