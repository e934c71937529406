import { readErrorDetail } from '@tidemark/core/errors';
/** The one way the UI talks to the api-server: JSON over fetch, with the session's bearer token. */

/** An error answer of the API (`{detail: {reason, message}}`), or a network failure (status 0). */
export class ApiError extends Error {
  constructor(
    readonly status: number,
    readonly reason: string,
    message: string,
  ) {
    super(message);
    this.name = 'ApiError';
  }

  /** A compare-and-set lost: someone else wrote the value since it was read. */
  get isConflict(): boolean {
    return this.status === 412;
  }
}

/** The API says the thing asked for does not exist (404). */
export function isNotFound(error: Error | null | undefined): boolean {
  return error instanceof ApiError && error.status === 404;
}

export interface RequestOptions {
  readonly method?: 'GET' | 'POST' | 'PUT' | 'PATCH' | 'DELETE';
  readonly body?: unknown;
  readonly query?: Readonly<Record<string, string | number | boolean | undefined>>;
  /** The version a write expects (`If-Match`). */
  readonly ifMatch?: number;
}

const SIGN_IN_PATH = '/auth/token';

type TokenSource = () => string | null;
type UnauthorizedListener = () => void;

let currentToken: TokenSource = () => null;
let onUnauthorized: UnauthorizedListener = () => {};

/** Wires the session in (once, before the app renders): where the token comes from, and what a 401 does. */
export function configureHttp(tokenSource: TokenSource, unauthorized: UnauthorizedListener): void {
  currentToken = tokenSource;
  onUnauthorized = unauthorized;
}

export async function request<T>(path: string, options: RequestOptions = {}): Promise<T> {
  const headers: Record<string, string> = { accept: 'application/json' };
  const token = currentToken();
  if (token) headers.authorization = `Bearer ${token}`;
  if (options.body !== undefined) headers['content-type'] = 'application/json';
  if (options.ifMatch !== undefined) headers['if-match'] = `"${options.ifMatch}"`;
  let response: Response;
  try {
    response = await fetch(withQuery(path, options.query), {
      method: options.method ?? 'GET',
      headers,
      ...(options.body === undefined ? {} : { body: JSON.stringify(options.body) }),
    });
  } catch (error) {
    throw new ApiError(0, 'network_error', `the api-server does not answer (${String(error)})`);
  }
  if (response.status === 204) return undefined as T;
  const text = await response.text();
  if (!response.ok) {
    // A 401 anywhere but at sign-in means the session is over (expired, or signed by an older key).
    if (response.status === 401 && path !== SIGN_IN_PATH) onUnauthorized();
    throw errorOf(response.status, text);
  }
  return parseBody(text) as T;
}

/** `/state-store/a/b` keys and ids go into paths encoded, `/` included. */
export function segment(value: string | number): string {
  return encodeURIComponent(String(value));
}

function withQuery(path: string, query: RequestOptions['query']): string {
  const params = new URLSearchParams();
  for (const [name, value] of Object.entries(query ?? {})) {
    if (value !== undefined) params.set(name, String(value));
  }
  const text = params.toString();
  return text === '' ? path : `${path}?${text}`;
}

function parseBody(text: string): unknown {
  if (text === '') return undefined;
  try {
    return JSON.parse(text) as unknown;
  } catch {
    return text;
  }
}

function errorOf(status: number, text: string): ApiError {
  const detail = readErrorDetail(text);
  if (detail) return new ApiError(status, detail.reason, detail.message);
  return new ApiError(status, 'error', `HTTP ${status}${text ? `: ${text.slice(0, 200)}` : ''}`);
}
