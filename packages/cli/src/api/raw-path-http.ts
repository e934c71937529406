import { request as httpRequest } from 'node:http';
import { request as httpsRequest } from 'node:https';

/**
 * One HTTP exchange whose path is sent exactly as given. `fetch` parses its URL the WHATWG way,
 * which removes `.` and `..` segments even percent-encoded (`%2E`), so a state key `.` or `..`
 * could never reach the server through it.
 */
export interface RawPathRequest {
  readonly baseUrl: string;
  /** Path and query, already percent-encoded. */
  readonly path: string;
  readonly method: string;
  readonly headers: Record<string, string>;
  readonly body?: string;
  readonly timeoutMs: number;
}

export interface RawPathResponse {
  readonly status: number;
  readonly ok: boolean;
  readonly text: string;
}

/** Thrown when no answer came in time; its `name` is `TimeoutError`, as `AbortSignal.timeout`'s. */
export class RawPathTimeoutError extends Error {
  override readonly name = 'TimeoutError';
}

export function sendRawPathRequest(request: RawPathRequest): Promise<RawPathResponse> {
  const base = new URL(request.baseUrl);
  const send = base.protocol === 'https:' ? httpsRequest : httpRequest;
  const headers: Record<string, string | number> = { ...request.headers };
  if (request.body !== undefined) headers['content-length'] = Buffer.byteLength(request.body);
  return new Promise((resolve, reject) => {
    const outgoing = send(
      {
        protocol: base.protocol,
        hostname: base.hostname.replace(/^\[(.*)\]$/, '$1'),
        port: base.port,
        path: `${base.pathname.replace(/\/+$/, '')}${request.path}`,
        method: request.method,
        headers,
      },
      (response) => {
        const chunks: Buffer[] = [];
        response.on('data', (chunk: Buffer) => chunks.push(chunk));
        response.on('error', (error) => reject(Object.assign(new Error(error.message), { cause: error })));
        response.on('end', () => {
          const status = response.statusCode ?? 0;
          resolve({ status, ok: status >= 200 && status < 300, text: Buffer.concat(chunks).toString('utf8') });
        });
      },
    );
    outgoing.setTimeout(request.timeoutMs, () => outgoing.destroy(new RawPathTimeoutError('timed out')));
    outgoing.on('error', (error) =>
      reject(error instanceof RawPathTimeoutError ? error : Object.assign(new Error(error.message), { cause: error })),
    );
    outgoing.end(request.body);
  });
}
