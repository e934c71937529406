import {
  type ClaimedAttempt,
  claimBatchSchema,
  claimedAttemptSchema,
  EXECUTION_ROUTES,
  encodePathSegment,
  type FinishRequest,
  type FinishResponse,
  finishResponseSchema,
  type JsonValue,
  type LogLine,
  refreshedTokenSchema,
  STATE_STORE_ROUTES,
  type StateMethod,
  type StateRequestParams,
  type StateTarget,
  stateAdvanceResponseSchema,
  stateEntryResponseSchema,
  stateKeysResponseSchema,
  TidemarkError,
  xcomValueSchema,
} from '@tidemark/core';
import { type ExecutionApiRequest, type ExecutionApiResponse, sendExecutionApiRequest } from './execution-api-http.ts';
import { WorkerTokenSource } from './worker-token.ts';

export interface ExecutionApiClientOptions {
  /** The api-server, e.g. `http://127.0.0.1:8080`. */
  readonly apiUrl: string;
  /** Signs the worker token used to claim (`api.secret_key`). */
  readonly secretKey: string;
  /** A request without an answer after this long fails as unreachable. Default 30 s. */
  readonly requestTimeoutMs?: number;
  readonly now?: () => number;
}

export interface XcomPullQuery {
  readonly taskId: string;
  readonly mapIndex?: number;
  readonly key?: string;
}

/** Answers of the state store, as the supervisor relays them to the task process (supervisor-protocol.ts). */
export interface StateEntryAnswer {
  readonly value: JsonValue;
  readonly version: number;
  readonly expires_at: string | null;
}
export type StateWriteAnswer = { readonly version: number } | { readonly staged: true };
export type StateAdvanceAnswer =
  | { readonly value: JsonValue; readonly version: number; readonly advanced: boolean }
  | { readonly staged: true };
export interface StateKeysAnswer {
  readonly keys: { readonly key: string; readonly version: number; readonly expires_at: string | null }[];
}

const DEFAULT_REQUEST_TIMEOUT_MS = 30_000;
/** Refresh an attempt token once less than this share of its lifetime is left. */
const TOKEN_REFRESH_AT_REMAINING_SHARE = 1 / 3;

/**
 * A client for the execution API (EXECUTION_ROUTES). Claiming uses the worker token; everything an
 * attempt does goes through the AttemptApiClient that `forAttempt` returns, which holds that
 * attempt's token and refreshes it before it expires.
 */
export class ExecutionApiClient {
  readonly apiUrl: string;
  readonly #workerToken: WorkerTokenSource;
  readonly #timeoutMs: number;
  readonly #now: () => number;

  constructor(options: ExecutionApiClientOptions) {
    this.apiUrl = options.apiUrl;
    this.#now = options.now ?? Date.now;
    this.#workerToken = new WorkerTokenSource(options.secretKey, this.#now);
    this.#timeoutMs = options.requestTimeoutMs ?? DEFAULT_REQUEST_TIMEOUT_MS;
  }

  /** Claims the next queued TI (it is `running` at once), or returns null when there is none. */
  /** `waitMs`: how long the server may hold the claim while nothing is queued (at most half the request timeout). */
  async claim(worker: string, waitMs = 0): Promise<ClaimedAttempt | null> {
    const wait = Math.max(0, Math.min(waitMs, Math.floor(this.#timeoutMs / 2)));
    const response = await this.send({
      method: 'POST',
      path: EXECUTION_ROUTES.claim,
      token: this.#workerToken.current(),
      body: wait > 0 ? { worker, wait_ms: wait } : { worker },
    });
    if (response.status === 204) return null;
    return parseResponse(claimedAttemptSchema, response, 'claim');
  }

  /**
   * Claims up to `maxAttempts` queued TIs in one request (all `running` at once), oldest first;
   * empty when there is none. `waitMs` as for claim.
   */
  async claimMany(worker: string, maxAttempts: number, waitMs = 0): Promise<ClaimedAttempt[]> {
    const wait = Math.max(0, Math.min(waitMs, Math.floor(this.#timeoutMs / 2)));
    const response = await this.send({
      method: 'POST',
      path: EXECUTION_ROUTES.claim,
      token: this.#workerToken.current(),
      body: { worker, max_attempts: maxAttempts, ...(wait > 0 ? { wait_ms: wait } : {}) },
    });
    if (response.status === 204) return [];
    return parseResponse(claimBatchSchema, response, 'claim').attempts;
  }

  forAttempt(claimed: Pick<ClaimedAttempt, 'ti_id' | 'token' | 'token_expires_at'>): AttemptApiClient {
    return new AttemptApiClient(this, claimed, this.#now);
  }

  /** @internal used by AttemptApiClient */
  send(request: ExecutionApiRequest): Promise<ExecutionApiResponse> {
    return sendExecutionApiRequest(this.apiUrl, request, this.#timeoutMs);
  }
}

/** The execution API as one attempt sees it: every call carries (and keeps fresh) its token. */
export class AttemptApiClient {
  readonly tiId: string;
  readonly #api: ExecutionApiClient;
  readonly #now: () => number;
  #token: string;
  #expiresAt: number;
  #refreshAt: number;
  #refreshing: Promise<void> | undefined;

  constructor(
    api: ExecutionApiClient,
    claimed: Pick<ClaimedAttempt, 'ti_id' | 'token' | 'token_expires_at'>,
    now: () => number,
  ) {
    this.#api = api;
    this.#now = now;
    this.tiId = claimed.ti_id;
    this.#token = claimed.token;
    this.#expiresAt = claimed.token_expires_at;
    this.#refreshAt = refreshTime(now(), claimed.token_expires_at);
  }

  /** Epoch ms when the token in use expires. */
  get tokenExpiresAt(): number {
    return this.#expiresAt;
  }

  /** Epoch ms from when the token should be refreshed (a third of its lifetime left). */
  get tokenRefreshDueAt(): number {
    return this.#refreshAt;
  }

  /** PUT heartbeat; throws `stale_attempt` when the TI moved on. */
  async heartbeat(): Promise<void> {
    await this.#send({ method: 'PUT', path: this.#path(EXECUTION_ROUTES.heartbeat) });
  }

  /** PATCH state: how the attempt ended; returns the TI's state afterwards. */
  async finish(request: FinishRequest): Promise<FinishResponse> {
    const response = await this.#send({ method: 'PATCH', path: this.#path(EXECUTION_ROUTES.finish), body: request });
    return parseResponse(finishResponseSchema, response, 'finish');
  }

  /** POST logs: appended to the attempt's log. */
  async sendLogs(lines: readonly LogLine[]): Promise<void> {
    if (lines.length === 0) return;
    await this.#send({ method: 'POST', path: this.#path(EXECUTION_ROUTES.logs), body: { lines } });
  }

  /** PUT an XCom of this attempt under `key` (wiped if the TI is tried again). */
  async pushXcom(key: string, value: JsonValue): Promise<void> {
    const path = this.#path(EXECUTION_ROUTES.xcomPush).replace(':key', encodePathSegment(key));
    await this.#send({ method: 'PUT', path, body: { value } });
  }

  /** GET xcom of a TI of the same DAG run; a missing XCom throws the server's 404 error. */
  async pullXcom(query: XcomPullQuery): Promise<JsonValue> {
    const response = await this.#send({
      method: 'GET',
      path: this.#path(EXECUTION_ROUTES.xcomPull),
      query: { task_id: query.taskId, map_index: query.mapIndex, key: query.key },
    });
    return parseResponse(xcomValueSchema, response, 'xcom pull').value;
  }

  /** GET a state key of this TI or of a declared asset; null when it is absent or expired (404 state_not_found). */
  async getState(target: StateTarget, key: string): Promise<StateEntryAnswer | null> {
    let response: ExecutionApiResponse;
    try {
      response = await this.#send({ method: 'GET', ...this.#stateLocation(target, 'value', key) });
    } catch (error) {
      if (error instanceof TidemarkError && error.code === 'state_not_found') return null;
      throw error;
    }
    return parseResponse(stateEntryResponseSchema, response, 'state get');
  }

  /**
   * PUT a state value; the new version comes back in `ETag`. `ifVersion` travels as `If-Match`
   * (412 state_conflict on a mismatch). A staged asset write (`onSuccess`) answers 202 `{staged: true}`.
   */
  async setState(
    target: StateTarget,
    key: string,
    write: Pick<StateRequestParams, 'retention' | 'ifVersion' | 'onSuccess'> & { readonly value: JsonValue },
  ): Promise<StateWriteAnswer> {
    const body: Record<string, JsonValue> = { value: write.value };
    if (write.retention !== undefined) body.retention = write.retention;
    if (write.onSuccess === true) body.on_success = true;
    const response = await this.#send({
      method: 'PUT',
      ...this.#stateLocation(target, 'value', key),
      body,
      ...ifMatch(write.ifVersion),
    });
    if (response.status === 202 || isStaged(response.body)) return { staged: true };
    const version = versionOf(response);
    if (version === undefined) {
      throw new TidemarkError(
        'invalid_execution_api_response',
        `the execution API's state set answer has no ETag with the new version (status ${response.status})`,
      );
    }
    return { version };
  }

  /** DELETE a state key (idempotent); `ifVersion` travels as `If-Match`. */
  async deleteState(target: StateTarget, key: string, ifVersion?: number): Promise<void> {
    await this.#send({ method: 'DELETE', ...this.#stateLocation(target, 'value', key), ...ifMatch(ifVersion) });
  }

  /** DELETE every key of this TI (its own map index) or of a declared asset. */
  async clearState(target: StateTarget): Promise<void> {
    await this.#send({ method: 'DELETE', ...this.#stateLocation(target, 'clear') });
  }

  /** GET the keys with their versions and expiry. */
  async listStateKeys(target: StateTarget): Promise<StateKeysAnswer> {
    const response = await this.#send({ method: 'GET', ...this.#stateLocation(target, 'keys') });
    return parseResponse(stateKeysResponseSchema, response, 'state keys');
  }

  /** POST advance: stores `value` only if it is greater (SPEC §7); staged with `onSuccess`. */
  async advanceState(
    target: StateTarget,
    key: string,
    value: JsonValue,
    onSuccess = false,
  ): Promise<StateAdvanceAnswer> {
    const body: Record<string, JsonValue> = onSuccess ? { value, on_success: true } : { value };
    const response = await this.#send({ method: 'POST', ...this.#stateLocation(target, 'advance', key), body });
    if (response.status === 202 || isStaged(response.body)) return { staged: true };
    return parseResponse(stateAdvanceResponseSchema, response, 'state advance');
  }

  /** One `state.*` request of the task process, answered as supervisor-protocol.ts documents. */
  async relayState(method: StateMethod, params: StateRequestParams): Promise<JsonValue> {
    const { target } = params;
    switch (method) {
      case 'get':
        return (await this.getState(target, requireKey(method, params))) as JsonValue;
      case 'set':
        return (await this.setState(target, requireKey(method, params), {
          value: requireValue(method, params),
          retention: params.retention,
          ifVersion: params.ifVersion,
          onSuccess: params.onSuccess,
        })) as JsonValue;
      case 'delete':
        await this.deleteState(target, requireKey(method, params), params.ifVersion);
        return null;
      case 'clear':
        await this.clearState(target);
        return null;
      case 'keys':
        return (await this.listStateKeys(target)) as unknown as JsonValue;
      case 'advance':
        return (await this.advanceState(
          target,
          requireKey(method, params),
          requireValue(method, params),
          params.onSuccess === true,
        )) as JsonValue;
      default:
        throw new TidemarkError('unknown_request', `the supervisor does not know the state method "${String(method)}"`);
    }
  }

  /** The path (and query, for asset targets) of a state store route (STATE_STORE_ROUTES). */
  #stateLocation(
    target: StateTarget,
    what: 'value' | 'clear' | 'keys' | 'advance',
    key?: string,
  ): { path: string; query?: Record<string, string> } {
    if (target.kind === 'task') {
      const keyPath = (route: string) => this.#path(route).replace(':key', encodePathSegment(key ?? ''));
      const itemQuery = target.itemKey === undefined ? {} : { query: { item_key: target.itemKey } };
      switch (what) {
        case 'value':
          return { path: keyPath(STATE_STORE_ROUTES.taskKey), ...itemQuery };
        case 'advance':
          return { path: keyPath(STATE_STORE_ROUTES.taskAdvance), ...itemQuery };
        default:
          return { path: this.#path(STATE_STORE_ROUTES.taskKeys), ...itemQuery };
      }
    }
    if (target.kind === 'dag') {
      const dagPath = (route: string) =>
        route.replace(':dag_id', encodePathSegment(target.dagId)).replace(':key', encodePathSegment(key ?? ''));
      switch (what) {
        case 'value':
          return { path: dagPath(STATE_STORE_ROUTES.dagKey) };
        case 'advance':
          return { path: dagPath(STATE_STORE_ROUTES.dagAdvance) };
        default:
          return { path: dagPath(STATE_STORE_ROUTES.dagKeys) };
      }
    }
    const byName = 'name' in target;
    const routes = {
      value: byName ? STATE_STORE_ROUTES.assetByNameValue : STATE_STORE_ROUTES.assetByUriValue,
      clear: byName ? STATE_STORE_ROUTES.assetByNameClear : STATE_STORE_ROUTES.assetByUriClear,
      keys: byName ? STATE_STORE_ROUTES.assetByNameKeys : STATE_STORE_ROUTES.assetByUriKeys,
      advance: byName ? STATE_STORE_ROUTES.assetByNameAdvance : STATE_STORE_ROUTES.assetByUriAdvance,
    };
    const query: Record<string, string> = byName ? { name: target.name } : { uri: target.uri };
    if (key !== undefined) query.key = key;
    return { path: routes[what], query };
  }

  /** POST refresh: a new token for the same attempt (one request at a time). */
  refreshToken(): Promise<void> {
    this.#refreshing ??= this.#requestNewToken().finally(() => {
      this.#refreshing = undefined;
    });
    return this.#refreshing;
  }

  async #requestNewToken(): Promise<void> {
    const response = await this.#api.send({
      method: 'POST',
      path: EXECUTION_ROUTES.refreshToken,
      token: this.#token,
    });
    const refreshed = parseResponse(refreshedTokenSchema, response, 'token refresh');
    this.#token = refreshed.token;
    this.#expiresAt = refreshed.token_expires_at;
    this.#refreshAt = refreshTime(this.#now(), refreshed.token_expires_at);
  }

  async #send(request: Omit<ExecutionApiRequest, 'token'>): Promise<ExecutionApiResponse> {
    await this.#refreshTokenIfDue();
    return this.#api.send({ ...request, token: this.#token });
  }

  async #refreshTokenIfDue(): Promise<void> {
    if (this.#now() < this.#refreshAt) return;
    try {
      await this.refreshToken();
    } catch (error) {
      // While the old token is still valid, use it and try refreshing again on the next call.
      if (this.#now() >= this.#expiresAt) throw error;
    }
  }

  #path(route: string): string {
    return route.replace(':ti_id', encodePathSegment(this.tiId));
  }
}

function ifMatch(ifVersion: number | undefined): { headers?: Record<string, string> } {
  return ifVersion === undefined ? {} : { headers: { 'if-match': `"${ifVersion}"` } };
}

/** The version of an `ETag: "<version>"` (weak or strong), else of a `{version}` body. */
function versionOf(response: ExecutionApiResponse): number | undefined {
  const etag = response.headers?.get('etag');
  const match = etag ? /^(?:W\/)?"?(\d+)"?$/.exec(etag.trim()) : null;
  if (match) return Number(match[1]);
  const version = (response.body as { version?: unknown } | undefined)?.version;
  return typeof version === 'number' && Number.isSafeInteger(version) ? version : undefined;
}

function isStaged(body: unknown): boolean {
  return typeof body === 'object' && body !== null && (body as { staged?: unknown }).staged === true;
}

function requireKey(method: StateMethod, params: StateRequestParams): string {
  if (typeof params.key !== 'string') {
    throw new TidemarkError('invalid_request', `state.${method} needs a key`);
  }
  return params.key;
}

function requireValue(method: StateMethod, params: StateRequestParams): JsonValue {
  if (params.value === undefined || params.value === null) {
    throw new TidemarkError('invalid_request', `state.${method} needs a value`);
  }
  return params.value;
}

function refreshTime(now: number, expiresAt: number): number {
  return expiresAt - Math.max(0, expiresAt - now) * TOKEN_REFRESH_AT_REMAINING_SHARE;
}

export interface ResponseSchema<T> {
  safeParse(value: unknown): { success: true; data: T } | { success: false; error: { message: string } };
}

/** The answer's body checked against its contract (the triggerer's client uses it too). */
export function parseResponse<T>(schema: ResponseSchema<T>, response: ExecutionApiResponse, what: string): T {
  const parsed = schema.safeParse(response.body);
  if (!parsed.success) {
    throw new TidemarkError(
      'invalid_execution_api_response',
      `the execution API's ${what} answer does not match the contract (is the api-server another Tidemark version?): ${parsed.error.message}`,
    );
  }
  return parsed.data;
}
