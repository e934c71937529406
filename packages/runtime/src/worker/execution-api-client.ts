import {
  type ClaimedAttempt,
  claimedAttemptSchema,
  EXECUTION_ROUTES,
  type FinishRequest,
  type FinishResponse,
  finishResponseSchema,
  type JsonValue,
  type LogLine,
  refreshedTokenSchema,
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
  async claim(worker: string): Promise<ClaimedAttempt | null> {
    const response = await this.send({
      method: 'POST',
      path: EXECUTION_ROUTES.claim,
      token: this.#workerToken.current(),
      body: { worker },
    });
    if (response.status === 204) return null;
    return parseResponse(claimedAttemptSchema, response, 'claim');
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
    const path = this.#path(EXECUTION_ROUTES.xcomPush).replace(':key', encodeURIComponent(key));
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
    return route.replace(':ti_id', encodeURIComponent(this.tiId));
  }
}

function refreshTime(now: number, expiresAt: number): number {
  return expiresAt - Math.max(0, expiresAt - now) * TOKEN_REFRESH_AT_REMAINING_SHARE;
}

interface ResponseSchema<T> {
  safeParse(value: unknown): { success: true; data: T } | { success: false; error: { message: string } };
}

function parseResponse<T>(schema: ResponseSchema<T>, response: ExecutionApiResponse, what: string): T {
  const parsed = schema.safeParse(response.body);
  if (!parsed.success) {
    throw new TidemarkError(
      'invalid_execution_api_response',
      `the execution API's ${what} answer does not match the contract (is the api-server another Tidemark version?): ${parsed.error.message}`,
    );
  }
  return parsed.data;
}
