import { Agent as HttpAgent, request as httpRequest } from 'node:http';
import { Agent as HttpsAgent, request as httpsRequest } from 'node:https';
import { context, propagation } from '@opentelemetry/api';
import { apiAnswerError, TidemarkError } from '@tidemark/core';
import { ExecutionApiUnreachableError } from '../errors.ts';

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
 * One request to the execution API over node:http(s) with keep-alive connections (about 0.2 ms less
 * per request than global `fetch` on loopback, and every state call of a task pays it). A 2xx
 * answer is returned; an error answer `{"detail": {"reason", "message"}}` is thrown as a
 * TidemarkError with that code (and the status in `details.status`); a request that never got an
 * answer is thrown as ExecutionApiUnreachableError.
 */
export async function sendExecutionApiRequest(
  apiUrl: string,
  request: ExecutionApiRequest,
  timeoutMs: number,
): Promise<ExecutionApiResponse> {
  const url = buildUrl(apiUrl, request);
  let answer: RawAnswer;
  try {
    answer = await exchange(url, request, timeoutMs);
  } catch (error) {
    throw new ExecutionApiUnreachableError(apiUrl, describeFailure(error, timeoutMs));
  }
  if (answer.status < 200 || answer.status >= 300) throw errorFromResponse(request, answer);
  return {
    status: answer.status,
    body: answer.text === '' ? undefined : parseJson(answer.text, request),
    headers: answer.headers,
  };
}

interface RawAnswer {
  readonly status: number;
  readonly statusText: string;
  readonly headers: Headers;
  readonly text: string;
}

/** One agent per protocol for the whole process: connections to the api-server are reused. */
const AGENTS = {
  'http:': new HttpAgent({ keepAlive: true }),
  'https:': new HttpsAgent({ keepAlive: true }),
} as const;

class RequestTimeoutError extends Error {}

function exchange(url: RequestUrl, request: ExecutionApiRequest, timeoutMs: number): Promise<RawAnswer> {
  const body = request.body === undefined ? undefined : JSON.stringify(request.body);
  const headers: Record<string, string | number> = buildHeaders(request);
  if (body !== undefined) headers['content-length'] = Buffer.byteLength(body);
  const send = url.protocol === 'https:' ? httpsRequest : httpRequest;
  return new Promise((resolve, reject) => {
    const outgoing = send(
      {
        protocol: url.protocol,
        hostname: url.hostname,
        port: url.port,
        path: url.path,
        method: request.method,
        headers,
        agent: url.protocol === 'https:' ? AGENTS['https:'] : AGENTS['http:'],
      },
      (response) => {
        const chunks: Buffer[] = [];
        response.on('data', (chunk: Buffer) => chunks.push(chunk));
        response.on('error', reject);
        response.on('end', () =>
          resolve({
            status: response.statusCode ?? 0,
            statusText: response.statusMessage ?? '',
            headers: toHeaders(response.headers),
            text: Buffer.concat(chunks).toString('utf8'),
          }),
        );
      },
    );
    outgoing.setTimeout(timeoutMs, () => outgoing.destroy(new RequestTimeoutError()));
    outgoing.on('error', reject);
    outgoing.end(body);
  });
}

function toHeaders(incoming: Record<string, string | string[] | undefined>): Headers {
  const headers = new Headers();
  for (const [name, value] of Object.entries(incoming)) {
    if (Array.isArray(value)) for (const item of value) headers.append(name, item);
    else if (value !== undefined) headers.set(name, value);
  }
  return headers;
}

/** Where to send a request. The path stays a raw string: parsed as a WHATWG `URL`, a state key
 *  `.` or `..` (sent as `%2E`) would be removed by dot-segment normalization. */
interface RequestUrl {
  readonly protocol: string;
  readonly hostname: string;
  readonly port: string;
  readonly path: string;
}

function buildUrl(apiUrl: string, request: ExecutionApiRequest): RequestUrl {
  const base = new URL(apiUrl);
  const query = new URLSearchParams();
  for (const [name, value] of Object.entries(request.query ?? {})) {
    if (value !== undefined) query.set(name, String(value));
  }
  const search = query.size > 0 ? `?${query.toString()}` : '';
  // As URL resolution does: an absolute route replaces the API URL's path, a relative one joins it.
  const path = request.path.startsWith('/') ? request.path : `${base.pathname.replace(/\/*$/, '/')}${request.path}`;
  const hostname = base.hostname.replace(/^\[(.*)\]$/, '$1');
  return { protocol: base.protocol, hostname, port: base.port, path: `${path}${search}` };
}

function buildHeaders(request: ExecutionApiRequest): Record<string, string> {
  const headers: Record<string, string> = { authorization: `Bearer ${request.token}`, accept: 'application/json' };
  if (request.body !== undefined) headers['content-type'] = 'application/json';
  // With tracing on, the active span (a supervisor's state operation) goes along as `traceparent`.
  propagation.inject(context.active(), headers);
  return { ...headers, ...request.headers };
}

function describeFailure(error: unknown, timeoutMs: number): string {
  if (error instanceof RequestTimeoutError) return `no answer within ${timeoutMs} ms`;
  const failure = error as { code?: string; message?: string };
  return failure.code ?? failure.message ?? String(error);
}

function errorFromResponse(request: ExecutionApiRequest, response: RawAnswer): TidemarkError {
  return apiAnswerError(response.status, response.text, `the execution API, asked ${request.method} ${request.path},`);
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
