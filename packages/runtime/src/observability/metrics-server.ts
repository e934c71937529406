import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { ConfigError, METRICS_TOKEN_REQUIRED, metricsScrapeAllowed, type TidemarkConfig } from '@tidemark/core';
import type { Logger } from 'pino';
import type { Registry } from 'prom-client';

export interface MetricsServer {
  /** e.g. `http://127.0.0.1:9464/metrics`. */
  readonly url: string;
  readonly port: number;
  close(): Promise<void>;
}

export interface MetricsServerOptions {
  readonly registry: Registry;
  readonly host: string;
  /** 0: any free port. */
  readonly port: number;
  /** `metrics.bearer_token`: when set, a scrape must send `Authorization: Bearer <token>`. */
  readonly bearerToken?: string | undefined;
}

/**
 * A tiny HTTP server answering GET /metrics from the registry, for processes that have no
 * api-server of their own (scheduler, worker, triggerer). Everything else is 404.
 */
export async function startMetricsServer(options: MetricsServerOptions): Promise<MetricsServer> {
  const server = createServer((request, response) => {
    answer(options, request, response).catch((error: unknown) => {
      if (!response.headersSent) send(response, 500, `could not collect the metrics: ${String(error)}\n`);
      else response.destroy();
    });
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port, options.host, () => {
      server.off('error', reject);
      resolve();
    });
  });
  const port = (server.address() as AddressInfo).port;
  const host = options.host.includes(':') ? `[${options.host}]` : options.host;
  return {
    url: `http://${host}:${port}/metrics`,
    port,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

/** The process kinds that serve metrics on a port of their own (`metrics.<kind>_port`). */
export type MetricsProcessKind = 'scheduler' | 'worker' | 'triggerer';

/**
 * Starts the metrics server of a scheduler, worker or triggerer process when `metrics.<kind>_port`
 * is set (and metrics are on); undefined otherwise. One call per process.
 */
export async function startProcessMetricsServer(
  config: Pick<TidemarkConfig, 'metrics'>,
  kind: MetricsProcessKind,
  registry: Registry | undefined,
  log?: Logger,
): Promise<MetricsServer | undefined> {
  const port = config.metrics[`${kind}_port`];
  if (!registry || port === 0) return undefined;
  const server = await startMetricsServer({
    registry,
    host: config.metrics.host,
    port,
    bearerToken: config.metrics.bearer_token,
  }).catch((error: NodeJS.ErrnoException) => {
    throw new ConfigError(
      `the ${kind}'s metrics server could not listen on ${config.metrics.host}:${port} (metrics.${kind}_port): ` +
        `${error.code ?? error.message}; choose a free port or set it to 0 to serve no metrics`,
    );
  });
  log?.info(`${kind} metrics at ${server.url}`);
  return server;
}

async function answer(options: MetricsServerOptions, request: IncomingMessage, response: ServerResponse) {
  const path = (request.url ?? '/').split('?')[0];
  if (path !== '/metrics' || (request.method !== 'GET' && request.method !== 'HEAD')) {
    return send(response, 404, 'only GET /metrics is served here\n');
  }
  if (!metricsScrapeAllowed(request.headers.authorization, options.bearerToken)) {
    response.setHeader('www-authenticate', 'Bearer realm="metrics"');
    return send(response, 401, `${METRICS_TOKEN_REQUIRED}\n`);
  }
  const text = await options.registry.metrics();
  response.writeHead(200, { 'content-type': options.registry.contentType });
  response.end(request.method === 'HEAD' ? undefined : text);
}

function send(response: ServerResponse, status: number, text: string): void {
  response.writeHead(status, { 'content-type': 'text/plain; charset=utf-8' });
  response.end(text);
}
