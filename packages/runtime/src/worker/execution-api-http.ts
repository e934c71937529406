import { TidemarkError } from '@tidemark/core';
import { ExecutionApiUnreachableError } from './execution-api-errors.ts';

export interface ExecutionApiRequest {
  readonly method: 'GET' | 'POST' | 'PUT' | 'PATCH' | 'DELETE';
  /** A path of EXECUTION_ROUTES with its parameters filled in. */
  readonly path: string;
  readonly token: string;
  readonly query?: Readonly<Record<string, string | number | undefined>>;
  readonly body?: unknown;
  /** Extra request headers (e.g. `If-Match` for the state store). */
  readonly headers?: Readonly<Record<string, string>>;
}

export interface ExecutionApiResponse {
  readonly status: number;
  /** Parsed JSON, or undefined for an empty body (204). */
  readonly body: unknown;
  /** The response headers (e.g. the state store's `ETag`). */
  readonly headers?: Headers;
}

/**
 * One request to the execution API over global `fetch` (undici keeps loopback connections alive).
 * A 2xx answer is returned; an error answer `{"detail": {"reason", "message"}}` is thrown as a
 * TidemarkError with that code (and the status in `details.status`); a request that never got an
 * answer is thrown as ExecutionApiUnreachableError.
 */
export async function sendExecutionApiRequest(
  apiUrl: string,
  request: ExecutionApiRequest,
  timeoutMs: number,
): Promise<ExecutionApiResponse> {
  const url = buildUrl(apiUrl, request);
  let response: Response;
  let text: string;
  try {
    response = await fetch(url, {
      method: request.method,
      headers: buildHeaders(request),
      body: request.body === undefined ? undefined : JSON.stringify(request.body),
      signal: AbortSignal.timeout(timeoutMs),
    });
    text = await response.text();
  } catch (error) {
    throw new ExecutionApiUnreachableError(apiUrl, describeFetchFailure(error, timeoutMs));
  }
  if (!response.ok) throw errorFromResponse(request, response, text);
  return {
    status: response.status,
    body: text === '' ? undefined : parseJson(text, request),
    headers: response.headers,
  };
}

function buildUrl(apiUrl: string, request: ExecutionApiRequest): URL {
  const url = new URL(request.path, apiUrl.endsWith('/') ? apiUrl : `${apiUrl}/`);
  for (const [name, value] of Object.entries(request.query ?? {})) {
    if (value !== undefined) url.searchParams.set(name, String(value));
  }
  return url;
}

function buildHeaders(request: ExecutionApiRequest): Record<string, string> {
  const headers: Record<string, string> = { authorization: `Bearer ${request.token}`, accept: 'application/json' };
  if (request.body !== undefined) headers['content-type'] = 'application/json';
  return { ...headers, ...request.headers };
}

function describeFetchFailure(error: unknown, timeoutMs: number): string {
  if (error instanceof DOMException && error.name === 'TimeoutError') return `no answer within ${timeoutMs} ms`;
  const cause = (error as { cause?: { code?: string; message?: string } }).cause;
  return cause?.code ?? cause?.message ?? (error as Error).message ?? String(error);
}

function errorFromResponse(request: ExecutionApiRequest, response: Response, text: string): TidemarkError {
  const detail = readErrorDetail(text);
  const where = `${request.method} ${request.path}`;
  if (detail) return new TidemarkError(detail.reason, detail.message, { status: response.status });
  return new TidemarkError(
    `http_${response.status}`,
    `the execution API answered ${response.status} ${response.statusText} to ${where}${text ? `: ${text.slice(0, 500)}` : ''}`,
    { status: response.status },
  );
}

function readErrorDetail(text: string): { reason: string; message: string } | undefined {
  try {
    const detail = (JSON.parse(text) as { detail?: { reason?: unknown; message?: unknown } }).detail;
    if (typeof detail?.reason === 'string') {
      return { reason: detail.reason, message: typeof detail.message === 'string' ? detail.message : detail.reason };
    }
  } catch {
    // not JSON: fall through to the generic error
  }
  return undefined;
}

function parseJson(text: string, request: ExecutionApiRequest): unknown {
  try {
    return JSON.parse(text);
  } catch {
    throw new TidemarkError(
      'invalid_execution_api_response',
      `the execution API answered ${request.method} ${request.path} with a body that is not JSON: ${text.slice(0, 200)}`,
    );
  }
}
