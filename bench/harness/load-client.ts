/**
 * The benchmark's HTTP client, run in its own process so that its CPU is not the server's:
 *   node --import tsx/esm bench/harness/load-client.ts '<LoadSpec as JSON>'
 * prints a LoadResult as JSON on stdout. Keep-alive connections; `{i}` in a path or body is
 * replaced by the request's sequence number, `{c}` by the client's number.
 */
import { Agent, request } from 'node:http';

export interface RequestTemplate {
  readonly method: 'GET' | 'PUT' | 'POST';
  readonly path: string;
  readonly body?: string;
  readonly token?: string;
}

export interface LoadSpec {
  readonly origin: string;
  /** `latency`: one request after the other; `throughput`: `clients` loops for `durationMs`. */
  readonly mode: 'latency' | 'throughput';
  /** One template per client (throughput) or a single one (latency). */
  readonly templates: readonly RequestTemplate[];
  readonly count?: number;
  readonly warmup?: number;
  readonly durationMs?: number;
}

export interface LoadResult {
  readonly latenciesMs: number[];
  readonly completed: number;
  readonly errors: number;
  readonly firstError?: string;
  readonly elapsedMs: number;
}

async function main(spec: LoadSpec): Promise<LoadResult> {
  const url = new URL(spec.origin);
  const agent = new Agent({ keepAlive: true, maxSockets: Math.max(1, spec.templates.length) });
  let errors = 0;
  let firstError: string | undefined;
  let sequence = 0;

  const send = (template: RequestTemplate, client: number) => {
    const n = String(sequence++);
    const fill = (text: string) => text.replaceAll('{i}', n).replaceAll('{c}', String(client));
    const body = template.body === undefined ? undefined : fill(template.body);
    return new Promise<void>((resolve) => {
      const req = request(
        {
          agent,
          host: url.hostname,
          port: url.port,
          method: template.method,
          path: fill(template.path),
          headers: {
            ...(template.token ? { authorization: `Bearer ${template.token}` } : {}),
            ...(body === undefined
              ? {}
              : { 'content-type': 'application/json', 'content-length': Buffer.byteLength(body) }),
          },
        },
        (res) => {
          let text = '';
          res.on('data', (chunk: Buffer) => {
            text += chunk.toString();
          });
          res.on('end', () => {
            if ((res.statusCode ?? 500) >= 300) {
              errors++;
              firstError ??= `${template.method} ${template.path} → ${res.statusCode}: ${text.slice(0, 300)}`;
            }
            resolve();
          });
        },
      );
      req.on('error', (error) => {
        errors++;
        firstError ??= String(error);
        resolve();
      });
      if (body !== undefined) req.write(body);
      req.end();
    });
  };

  const template = spec.templates[0];
  if (!template) throw new Error('no request template');
  for (let i = 0; i < (spec.warmup ?? 0); i++) await send(template, 0);
  const latenciesMs: number[] = [];
  const started = performance.now();
  let completed = 0;
  if (spec.mode === 'latency') {
    for (let i = 0; i < (spec.count ?? 1000); i++) {
      const t0 = performance.now();
      await send(template, 0);
      latenciesMs.push(performance.now() - t0);
      completed++;
    }
  } else {
    const until = started + (spec.durationMs ?? 5_000);
    await Promise.all(
      spec.templates.map(async (clientTemplate, client) => {
        while (performance.now() < until) {
          const t0 = performance.now();
          await send(clientTemplate, client);
          latenciesMs.push(performance.now() - t0);
          completed++;
        }
      }),
    );
  }
  const elapsedMs = performance.now() - started;
  agent.destroy();
  return { latenciesMs, completed, errors, ...(firstError ? { firstError } : {}), elapsedMs };
}

if (process.argv[1] === import.meta.filename) {
  main(JSON.parse(process.argv[2] ?? '{}') as LoadSpec).then(
    (result) => process.stdout.write(JSON.stringify(result)),
    (error: unknown) => {
      process.stderr.write(`${String(error)}\n`);
      process.exit(1);
    },
  );
}
