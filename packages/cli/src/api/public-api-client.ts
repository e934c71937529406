import {
  type AssetCollection,
  type AssetEventCollection,
  type AssetEventResponse,
  type AssetStateCollection,
  type AssetStateEntryResponse,
  apiAnswerError,
  type ClearTaskInstancesBody,
  type DagCollection,
  type DagDetailsResponse,
  type DagResponse,
  type DagRunCollection,
  type DagRunResponse,
  type DagStateCollection,
  type DagStateEntryResponse,
  encodePathSegment,
  type HealthResponse,
  type StateHistoryResponse,
  type TaskInstanceCollection,
  type TaskInstanceResponse,
  type TaskLogResponse,
  type TaskStateCollection,
  type TaskStateEntryResponse,
  TidemarkError,
  type TriggerDagRunBody,
  type VersionResponse,
  type WatcherCollection,
} from '@tidemark/core';
import { type RawPathResponse, sendRawPathRequest } from './raw-path-http.ts';

type Query = Record<string, string | number | boolean | undefined>;

interface RequestOptions {
  readonly query?: Query;
  readonly body?: unknown;
  /** Send no bearer token (POST /auth/token, GET /health). */
  readonly anonymous?: boolean;
  readonly headers?: Readonly<Record<string, string>>;
}

const REQUEST_TIMEOUT_MS = 60_000;

/**
 * The public API (`/api/v2`, SPEC §11.2) as typed methods: one HTTP call each, no logic. Any
 * failure becomes a `TidemarkError` whose message is the API's `detail.message`, so the CLI prints
 * it as one line.
 */
export class PublicApiClient {
  readonly baseUrl: string;
  readonly #token: string | undefined;

  constructor(baseUrl: string, token?: string) {
    this.baseUrl = baseUrl.replace(/\/+$/, '');
    this.#token = token;
  }

  // auth and monitoring

  issueToken(username: string, password: string) {
    return this.request<TokenResponse>('POST', '/auth/token', { body: { username, password }, anonymous: true });
  }

  version() {
    return this.request<VersionResponse>('GET', '/api/v2/version');
  }

  health() {
    return this.request<HealthResponse>('GET', '/api/v2/health', { anonymous: true });
  }

  // DAGs

  listDags(query: { limit?: number; offset?: number } = {}) {
    return this.request<DagCollection>('GET', '/api/v2/dags', { query });
  }

  getDag(dagId: string) {
    return this.request<DagDetailsResponse>('GET', `/api/v2/dags/${segment(dagId)}`);
  }

  setDagPaused(dagId: string, isPaused: boolean) {
    return this.request<DagResponse>('PATCH', `/api/v2/dags/${segment(dagId)}`, { body: { is_paused: isPaused } });
  }

  // DAG runs

  triggerDagRun(dagId: string, body: TriggerDagRunBody) {
    return this.request<DagRunResponse>('POST', `/api/v2/dags/${segment(dagId)}/dagRuns`, { body });
  }

  listDagRuns(dagId: string, query: { state?: string; order_by?: string; limit?: number; offset?: number } = {}) {
    return this.request<DagRunCollection>('GET', `/api/v2/dags/${segment(dagId)}/dagRuns`, { query });
  }

  getDagRun(dagId: string, runId: string) {
    return this.request<DagRunResponse>('GET', runPath(dagId, runId));
  }

  deleteDagRun(dagId: string, runId: string) {
    return this.request<void>('DELETE', runPath(dagId, runId));
  }

  // task instances

  listTaskInstances(dagId: string, runId: string, query: { state?: string; limit?: number; offset?: number } = {}) {
    return this.request<TaskInstanceCollection>('GET', `${runPath(dagId, runId)}/taskInstances`, { query });
  }

  getTaskInstance(dagId: string, runId: string, taskId: string, mapIndex?: number) {
    return this.request<TaskInstanceResponse>('GET', tiPath(dagId, runId, taskId), { query: { map_index: mapIndex } });
  }

  getTaskLog(
    dagId: string,
    runId: string,
    taskId: string,
    tryNumber: number,
    query: { map_index?: number; offset?: string } = {},
  ) {
    return this.request<TaskLogResponse>('GET', `${tiPath(dagId, runId, taskId)}/logs/${tryNumber}`, { query });
  }

  clearTaskInstances(dagId: string, body: Partial<ClearTaskInstancesBody>) {
    return this.request<TaskInstanceCollection>('POST', `/api/v2/dags/${segment(dagId)}/clearTaskInstances`, {
      body,
    });
  }

  setTaskInstanceState(
    dagId: string,
    runId: string,
    taskId: string,
    newState: 'success' | 'failed',
    mapIndex?: number,
  ) {
    return this.request<TaskInstanceResponse>('PATCH', tiPath(dagId, runId, taskId), {
      query: { map_index: mapIndex },
      body: { new_state: newState },
    });
  }

  // assets

  listAssets(query: { limit?: number; offset?: number } = {}) {
    return this.request<AssetCollection>('GET', '/api/v2/assets', { query });
  }

  listAssetEvents(query: { asset_id?: number; limit?: number; offset?: number } = {}) {
    return this.request<AssetEventCollection>('GET', '/api/v2/assets/events', { query });
  }

  // watchers

  listWatchers(query: { dag_id?: string; status?: string; limit?: number; offset?: number } = {}) {
    return this.request<WatcherCollection>('GET', '/api/v2/watchers', { query });
  }

  createAssetEvent(body: { asset_id: number; extra?: Record<string, unknown> }) {
    return this.request<AssetEventResponse>('POST', '/api/v2/assets/events', { body });
  }

  // task state (SPEC §11.2); `ifVersion` is sent as `If-Match`

  listTaskState(ti: TaskStateAddress, query: { limit?: number; offset?: number } = {}) {
    return this.request<TaskStateCollection>('GET', taskStatePath(ti), {
      query: { ...query, ...tiQuery(ti) },
    });
  }

  getTaskState(ti: TaskStateAddress, key: string) {
    return this.request<TaskStateEntryResponse>('GET', taskStatePath(ti, key), { query: tiQuery(ti) });
  }

  setTaskState(
    ti: TaskStateAddress,
    key: string,
    value: unknown,
    options: { expiresAt?: 'default' | string | null; ifVersion?: number } = {},
  ) {
    return this.#withIfMatch<TaskStateEntryResponse>('PUT', taskStatePath(ti, key), options.ifVersion, {
      query: tiQuery(ti),
      body: { value, expires_at: options.expiresAt === undefined ? 'default' : options.expiresAt },
    });
  }

  deleteTaskState(ti: TaskStateAddress, key: string, options: { ifVersion?: number } = {}) {
    return this.#withIfMatch<void>('DELETE', taskStatePath(ti, key), options.ifVersion, {
      query: tiQuery(ti),
    });
  }

  clearTaskState(ti: TaskStateAddress, options: { allMapIndices?: boolean } = {}) {
    return this.request<void>('DELETE', taskStatePath(ti), {
      query: { ...tiQuery(ti), all_map_indices: options.allMapIndices ? 'true' : undefined },
    });
  }

  getTaskStateHistory(ti: TaskStateAddress, key: string) {
    return this.request<StateHistoryResponse>('GET', `${taskStatePath(ti, key)}/history`, {
      query: tiQuery(ti),
    });
  }

  /** SPEC §8: writes `version` from the key's history again; `ifVersion` (the current version) is required. */
  restoreTaskState(ti: TaskStateAddress, key: string, version: number, options: { ifVersion: number }) {
    return this.#withIfMatch<TaskStateEntryResponse>(
      'POST',
      `${taskStatePath(ti, key)}/history/${version}/restore`,
      options.ifVersion,
      { query: tiQuery(ti) },
    );
  }

  // asset state (SPEC §11.2)

  /** The id of the asset named exactly `name` (`name_pattern` is a substring match). */
  async findAssetId(name: string): Promise<number | undefined> {
    const page = await this.request<AssetCollection>('GET', '/api/v2/assets', {
      query: { name_pattern: name, only_active: false, limit: 1_000 },
    });
    return page.assets.find((asset) => asset.name === name)?.id;
  }

  listAssetState(assetId: number, query: { limit?: number; offset?: number } = {}) {
    return this.request<AssetStateCollection>('GET', assetStatePath(assetId), { query });
  }

  getAssetState(assetId: number, key: string) {
    return this.request<AssetStateEntryResponse>('GET', assetStatePath(assetId, key));
  }

  setAssetState(assetId: number, key: string, value: unknown, options: { ifVersion?: number } = {}) {
    return this.#withIfMatch<AssetStateEntryResponse>('PUT', assetStatePath(assetId, key), options.ifVersion, {
      body: { value },
    });
  }

  deleteAssetState(assetId: number, key: string, options: { ifVersion?: number } = {}) {
    return this.#withIfMatch<void>('DELETE', assetStatePath(assetId, key), options.ifVersion);
  }

  clearAssetState(assetId: number) {
    return this.request<void>('DELETE', assetStatePath(assetId));
  }

  getAssetStateHistory(assetId: number, key: string) {
    return this.request<StateHistoryResponse>('GET', `${assetStatePath(assetId, key)}/history`);
  }

  restoreAssetState(assetId: number, key: string, version: number, options: { ifVersion: number }) {
    return this.#withIfMatch<AssetStateEntryResponse>(
      'POST',
      `${assetStatePath(assetId, key)}/history/${version}/restore`,
      options.ifVersion,
    );
  }

  // DAG state (SPEC §17)

  listDagState(dagId: string, query: { limit?: number; offset?: number } = {}) {
    return this.request<DagStateCollection>('GET', dagStatePath(dagId), { query });
  }

  getDagState(dagId: string, key: string) {
    return this.request<DagStateEntryResponse>('GET', dagStatePath(dagId, key));
  }

  /** `expiresAt`: an ISO-8601 time, or null / omitted: never. */
  setDagState(
    dagId: string,
    key: string,
    value: unknown,
    options: { expiresAt?: string | null; ifVersion?: number } = {},
  ) {
    return this.#withIfMatch<DagStateEntryResponse>('PUT', dagStatePath(dagId, key), options.ifVersion, {
      body: { value, expires_at: options.expiresAt ?? null },
    });
  }

  deleteDagState(dagId: string, key: string, options: { ifVersion?: number } = {}) {
    return this.#withIfMatch<void>('DELETE', dagStatePath(dagId, key), options.ifVersion);
  }

  clearDagState(dagId: string) {
    return this.request<void>('DELETE', dagStatePath(dagId));
  }

  getDagStateHistory(dagId: string, key: string) {
    return this.request<StateHistoryResponse>('GET', `${dagStatePath(dagId, key)}/history`);
  }

  restoreDagState(dagId: string, key: string, version: number, options: { ifVersion: number }) {
    return this.#withIfMatch<DagStateEntryResponse>(
      'POST',
      `${dagStatePath(dagId, key)}/history/${version}/restore`,
      options.ifVersion,
    );
  }

  /** `request` plus `If-Match: "<version>"` when `ifVersion` is given (compare-and-set). */
  #withIfMatch<T>(method: string, path: string, ifVersion: number | undefined, options: RequestOptions = {}) {
    const headers = ifVersion === undefined ? options.headers : { ...options.headers, 'if-match': `"${ifVersion}"` };
    return this.request<T>(method, path, { ...options, headers });
  }

  async request<T>(method: string, path: string, options: RequestOptions = {}): Promise<T> {
    const query = new URLSearchParams();
    for (const [name, value] of Object.entries(options.query ?? {})) {
      if (value !== undefined) query.set(name, String(value));
    }
    const headers: Record<string, string> = { accept: 'application/json', ...options.headers };
    if (options.body !== undefined) headers['content-type'] = 'application/json';
    if (this.#token && !options.anonymous) headers.authorization = `Bearer ${this.#token}`;
    let response: RawPathResponse;
    try {
      response = await sendRawPathRequest({
        baseUrl: this.baseUrl,
        path: query.size > 0 ? `${path}?${query.toString()}` : path,
        method,
        headers,
        ...(options.body !== undefined ? { body: JSON.stringify(options.body) } : {}),
        timeoutMs: REQUEST_TIMEOUT_MS,
      });
    } catch (error) {
      throw this.#unreachable(error);
    }
    const text = response.text;
    const body = parseJson(text);
    if (!response.ok) throw this.#failure(method, path, response.status, text);
    return (text === '' ? undefined : body) as T;
  }

  #unreachable(error: unknown): TidemarkError {
    const failure = error as { name?: string; message?: string; cause?: { code?: string; message?: string } };
    if (failure.name === 'TimeoutError') {
      return new TidemarkError(
        'api_timeout',
        `the api-server at ${this.baseUrl} did not answer within ${REQUEST_TIMEOUT_MS / 1000} s`,
      );
    }
    const why = failure.cause?.code ?? failure.cause?.message ?? failure.message ?? String(error);
    return new TidemarkError(
      'api_unreachable',
      `cannot reach the api-server at ${this.baseUrl} (${why}); is it running? (--api-url / TIDEMARK_API_URL)`,
    );
  }

  #failure(method: string, path: string, status: number, text: string): TidemarkError {
    const error = apiAnswerError(status, text, `the api-server at ${this.baseUrl}, asked ${method} ${path},`);
    if (status === 401 && path !== '/auth/token') {
      error.message = `${error.message}; run "tidemark login" or set TIDEMARK_API_TOKEN`;
    }
    return error;
  }
}

function parseJson(text: string): unknown {
  if (text === '') return undefined;
  try {
    return JSON.parse(text);
  } catch {
    return undefined;
  }
}

function segment(value: string): string {
  return encodePathSegment(value);
}

function runPath(dagId: string, runId: string): string {
  return `/api/v2/dags/${segment(dagId)}/dagRuns/${segment(runId)}`;
}

function tiPath(dagId: string, runId: string, taskId: string): string {
  return `${runPath(dagId, runId)}/taskInstances/${segment(taskId)}`;
}

/** POST /auth/token (its schema lives in the server package, which the client does not import). */
export interface TokenResponse {
  readonly access_token: string;
  readonly token_type: 'bearer';
  readonly expires_at: string;
}

/** The task instance whose task state the state methods address. */
export interface TaskStateAddress {
  readonly dagId: string;
  readonly runId: string;
  readonly taskId: string;
  readonly mapIndex?: number | undefined;
  /** SPEC §17: one item of an item-keyed mapped task, instead of a map index. */
  readonly itemKey?: string | undefined;
}

function tiQuery(ti: TaskStateAddress) {
  return { map_index: ti.mapIndex, item_key: ti.itemKey };
}

function taskStatePath(ti: TaskStateAddress, key?: string): string {
  const base = `${tiPath(ti.dagId, ti.runId, ti.taskId)}/state-store`;
  return key === undefined ? base : `${base}/${segment(key)}`;
}

function dagStatePath(dagId: string, key?: string): string {
  const base = `/api/v2/dags/${segment(dagId)}/state-store`;
  return key === undefined ? base : `${base}/${segment(key)}`;
}

function assetStatePath(assetId: number, key?: string): string {
  const base = `/api/v2/assets/${assetId}/state-store`;
  return key === undefined ? base : `${base}/${segment(key)}`;
}
