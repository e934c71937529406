import { configSchema } from '@tidemark/core';
import { freePort } from '@tidemark/db/testing';
import { sampleValue } from '@tidemark/server/testing';
import { Counter, Registry } from 'prom-client';
import { afterEach, describe, expect, it } from 'vitest';
import { type MetricsServer, startMetricsServer, startProcessMetricsServer } from './metrics-server.ts';

describe('the metrics server of a scheduler, worker or triggerer', () => {
  const servers: MetricsServer[] = [];
  afterEach(async () => {
    await Promise.all(servers.splice(0).map((server) => server.close()));
  });

  function registryCounting(): { registry: Registry; counter: Counter } {
    const registry = new Registry();
    const counter = new Counter({ name: 'tidemark_test_total', help: 'test', registers: [registry] });
    return { registry, counter };
  }

  it('serves GET /metrics in the Prometheus text format, and nothing else', async () => {
    const { registry, counter } = registryCounting();
    const server = await startMetricsServer({ registry, host: '127.0.0.1', port: 0 });
    servers.push(server);
    counter.inc(3);
    const response = await fetch(server.url);
    expect(response.status).toBe(200);
    expect(response.headers.get('content-type')).toMatch(/^text\/plain; version=0\.0\.4/);
    expect(sampleValue(await response.text(), 'tidemark_test_total')).toBe(3);

    const elsewhere = await fetch(server.url.replace('/metrics', '/'));
    expect(elsewhere.status).toBe(404);
    expect(await elsewhere.text()).toContain('only GET /metrics');
    expect((await fetch(server.url, { method: 'POST' })).status).toBe(404);
  });

  it('with metrics.bearer_token, wants exactly that token', async () => {
    const { registry } = registryCounting();
    const server = await startMetricsServer({
      registry,
      host: '127.0.0.1',
      port: 0,
      bearerToken: 'token-0123456789abc',
    });
    servers.push(server);
    const refused = await fetch(server.url, { headers: { authorization: 'Bearer token-0123456789abd' } });
    expect(refused.status).toBe(401);
    expect(refused.headers.get('www-authenticate')).toBe('Bearer realm="metrics"');
    expect(await refused.text()).toContain('metrics.bearer_token');
    expect((await fetch(server.url)).status).toBe(401);
    expect((await fetch(server.url, { headers: { authorization: 'Bearer token-0123456789abc' } })).status).toBe(200);
  });

  it('is started per process kind only when metrics.<kind>_port is set, and names the setting when the port is taken', async () => {
    const { registry } = registryCounting();
    const off = configSchema.parse({});
    expect(await startProcessMetricsServer(off, 'scheduler', registry)).toBeUndefined();

    const port = await freePort();
    const config = configSchema.parse({ metrics: { worker_port: port } });
    expect(await startProcessMetricsServer(config, 'scheduler', registry)).toBeUndefined();
    expect(await startProcessMetricsServer(config, 'worker', undefined)).toBeUndefined();
    const worker = await startProcessMetricsServer(config, 'worker', registry);
    if (!worker) throw new Error('no worker metrics server');
    servers.push(worker);
    expect(worker.url).toBe(`http://127.0.0.1:${port}/metrics`);
    expect((await fetch(worker.url)).status).toBe(200);

    await expect(startProcessMetricsServer(config, 'worker', registry)).rejects.toThrow(
      `the worker's metrics server could not listen on 127.0.0.1:${port} (metrics.worker_port): EADDRINUSE`,
    );
  });
});
