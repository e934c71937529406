import { activateAsset } from '@tidemark/db';
import { eachDialect } from '@tidemark/db/testing';
import { afterEach, describe, expect, it } from 'vitest';
import { type ExecutionHarness, errorOf, openExecutionHarness, requeue, T0 } from '../testing/execution-harness.ts';
import { parsePrometheusText, sampleValue, seriesCount } from '../testing/prometheus-text.ts';

const STATE_OPERATIONS = 'tidemark_state_operation_duration_seconds';
const TASK_KEY_ROUTE = '/execution/store/ti/:ti_id/:key';

describe.each(eachDialect())('api-server metrics on %s', (dialect) => {
  let harness: ExecutionHarness | undefined;
  afterEach(async () => {
    await harness?.close();
    harness = undefined;
  });

  async function open(settings: Parameters<typeof openExecutionHarness>[1] = {}) {
    harness = await openExecutionHarness(dialect, { state: { max_value_bytes: 100 }, ...settings });
    return harness;
  }

  async function scrape(h: ExecutionHarness, headers: Record<string, string> = {}): Promise<string> {
    const response = await h.request({ method: 'GET', url: '/metrics', headers });
    expect(response.statusCode).toBe(200);
    expect(response.headers['content-type']).toMatch(/^text\/plain; version=0\.0\.4/);
    return response.body;
  }

  const taskUrl = (tiId: string, key: string) => `/execution/store/ti/${tiId}/${encodeURIComponent(key)}`;
  const operations = (text: string, operation: string, outcome: string, scope = 'task') =>
    sampleValue(text, `${STATE_OPERATIONS}_count`, { scope, operation, outcome });

  it('counts state operations by scope, operation and outcome: 5 sets, a 412, a 413, a 404 and a 409 exactly', async () => {
    const h = await open();
    const run = await h.seedRun();
    const tiId = await h.seedTi(run, { taskId: 'load', maxTries: 2, queuedAt: T0 - 3_000 });
    const before = await scrape(h);
    const { token } = await h.claim();

    for (let index = 0; index < 5; index++) {
      const put = await h.request({ method: 'PUT', url: taskUrl(tiId, `k${index}`), token, payload: { value: index } });
      expect(put.statusCode).toBe(204);
    }
    const conflict = await h.request({
      method: 'PUT',
      url: taskUrl(tiId, 'k0'),
      token,
      headers: { 'if-match': '"7"' },
      payload: { value: 'late' },
    });
    expect(conflict.statusCode).toBe(412);
    const tooLarge = await h.request({
      method: 'PUT',
      url: taskUrl(tiId, 'big'),
      token,
      payload: { value: 'x'.repeat(200) },
    });
    expect(tooLarge.statusCode).toBe(413);
    expect((await h.request({ method: 'GET', url: taskUrl(tiId, 'missing'), token })).statusCode).toBe(404);
    expect((await h.request({ method: 'GET', url: taskUrl(tiId, 'k1'), token })).statusCode).toBe(200);

    // The TI moves on to a second try: the first try's write is fenced off.
    await h.database.db.updateTable('task_instance').set({ state: 'up_for_retry' }).where('id', '=', tiId).execute();
    await requeue(h.database, tiId);
    await h.claim();
    const stale = await h.request({ method: 'PUT', url: taskUrl(tiId, 'k0'), token, payload: { value: 'zombie' } });
    expect(stale.statusCode).toBe(409);
    expect(errorOf(stale).reason).toBe('stale_attempt');

    h.clock.advance(5_000);
    const after = await scrape(h);
    const moved = (operation: string, outcome: string) =>
      operations(after, operation, outcome) - operations(before, operation, outcome);
    expect(moved('set', 'ok')).toBe(5);
    expect(moved('set', 'state_conflict')).toBe(1);
    expect(moved('set', 'value_too_large')).toBe(1);
    expect(moved('set', 'stale_attempt')).toBe(1);
    expect(moved('get', 'state_not_found')).toBe(1);
    expect(moved('get', 'ok')).toBe(1);
    expect(sampleValue(after, `${STATE_OPERATIONS}_count`, { scope: 'asset' })).toBe(0);

    // Requests by route template and status; the scrape itself is counted too.
    const requests = (method: string, route: string, status: string) =>
      sampleValue(after, 'tidemark_http_request_duration_seconds_count', { method, route, status });
    expect(requests('PUT', TASK_KEY_ROUTE, '204')).toBe(5);
    expect(requests('PUT', TASK_KEY_ROUTE, '412')).toBe(1);
    expect(requests('PUT', TASK_KEY_ROUTE, '413')).toBe(1);
    expect(requests('PUT', TASK_KEY_ROUTE, '409')).toBe(1);
    expect(requests('GET', '/metrics', '200')).toBe(1);

    // Two claims; the first waited 3 s in the queue (the requeue set no new queued_at time).
    expect(sampleValue(after, 'tidemark_attempt_claim_wait_seconds_count')).toBe(2);
    expect(sampleValue(after, 'tidemark_attempt_claim_wait_seconds_bucket', { le: '1' })).toBe(0);
    expect(sampleValue(after, 'tidemark_attempt_claim_wait_seconds_bucket', { le: '5' })).toBeGreaterThanOrEqual(1);
    // Gauges are read from the database at scrape time.
    expect(sampleValue(after, 'tidemark_task_instances', { state: 'running' })).toBe(1);
    expect(sampleValue(after, 'tidemark_task_instances', { state: 'queued' })).toBe(0);
    expect(sampleValue(after, 'tidemark_running_task_heartbeat_age_seconds')).toBe(5);
  });

  it('keeps label cardinality bounded: 40 more keys in task and asset state add no series and leak no key or id', async () => {
    const h = await open();
    const run = await h.seedRun();
    await activateAsset(h.database.db, { name: 'orders', uri: 's3://warehouse/orders' }, T0);
    const tiId = await h.seedTi(run, { taskId: 'load' });
    const { token } = await h.claim();
    const assetUrl = (key: string) => `/execution/store/asset/by-name/value?name=orders&key=${encodeURIComponent(key)}`;
    const touch = async (key: string) => {
      expect(
        (await h.request({ method: 'PUT', url: taskUrl(tiId, key), token, payload: { value: 1 } })).statusCode,
      ).toBe(204);
      expect((await h.request({ method: 'GET', url: taskUrl(tiId, key), token })).statusCode).toBe(200);
      expect((await h.request({ method: 'PUT', url: assetUrl(key), token, payload: { value: 1 } })).statusCode).toBe(
        204,
      );
    };
    await touch('first');
    await scrape(h); // so that the scrape's own series exists in both
    const once = await scrape(h);
    for (let index = 0; index < 40; index++) await touch(`secret-key-${index}-${'é'.repeat(index % 3)}`);
    const many = await scrape(h);

    for (const family of [STATE_OPERATIONS, 'tidemark_http_request_duration_seconds']) {
      expect(seriesCount(many, family)).toBe(seriesCount(once, family));
    }
    expect(operations(many, 'set', 'ok') - operations(once, 'set', 'ok')).toBe(40);
    expect(operations(many, 'set', 'ok', 'asset') - operations(once, 'set', 'ok', 'asset')).toBe(40);
    expect(many).not.toContain('secret-key');
    expect(many).not.toContain(tiId);
    expect(many).not.toContain(run.runId);
    const labelValues = new Set(parsePrometheusText(many).flatMap((sample) => Object.values(sample.labels)));
    expect(labelValues.size).toBeLessThan(60);
  });

  it('/metrics is open by default, like /health; with metrics.bearer_token it wants exactly that token', async () => {
    const open_ = await open();
    await scrape(open_);
    await open_.close();

    const h = await open({ metrics: { bearer_token: 'scrape-token-0123456789' } });
    for (const headers of [
      {},
      { authorization: 'Bearer wrong-token-0123456789x' },
      { authorization: 'scrape-token-0123456789' },
    ]) {
      const refused = await h.request({ method: 'GET', url: '/metrics', headers });
      expect(refused.statusCode).toBe(401);
      expect(refused.headers['www-authenticate']).toBe('Bearer realm="metrics"');
      expect(errorOf(refused).reason).toBe('invalid_token');
      expect(errorOf(refused).message).toContain('metrics.bearer_token');
    }
    const text = await scrape(h, { authorization: 'Bearer scrape-token-0123456789' });
    expect(text).toContain('tidemark_task_instances');
  });

  it('metrics.enabled = false: nothing is recorded and /metrics answers 404 saying how to turn them on', async () => {
    const h = await open({ metrics: { enabled: false } });
    const run = await h.seedRun();
    const tiId = await h.seedTi(run, { taskId: 'load' });
    const { token } = await h.claim();
    expect((await h.request({ method: 'PUT', url: taskUrl(tiId, 'k'), token, payload: { value: 1 } })).statusCode).toBe(
      204,
    );
    const response = await h.request({ method: 'GET', url: '/metrics' });
    expect(response.statusCode).toBe(404);
    expect(errorOf(response).message).toContain('TIDEMARK_METRICS__ENABLED=true');
  });
});
