import { eachDialect } from '@tidemark/db/testing';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import {
  detailOf,
  openTaskInstanceHarness,
  seedOrdersRun,
  type TaskInstanceHarness,
  updateTi,
} from '../testing/task-instance-test-kit.ts';

/**
 * Issue 13, items 4 and 7: NUL in any id, key, name or filter (PostgreSQL answered 500, SQLite
 * 404/200) and text that is not UTF-8 are refused alike on both dialects, and nothing is written.
 */
describe.each(eachDialect())('text in URLs and body fields (%s)', (dialect) => {
  let harness: TaskInstanceHarness;
  let tiId: string;
  let token: string;
  const TI = '/api/v2/dags/orders/dagRuns/manual__1/taskInstances/extract';

  beforeEach(async () => {
    harness = await openTaskInstanceHarness(dialect);
    await seedOrdersRun(harness, { mapped: 0 });
    await updateTi(harness, { taskId: 'extract' }, { state: 'queued' });
    const attempt = await harness.claim();
    tiId = attempt.ti_id;
    token = attempt.token;
  });
  afterEach(() => harness.close());

  it('refuses NUL in path ids, keys, names and filters with 400 invalid_text', async () => {
    const publicUrls = [
      '/api/v2/dags/a%00b',
      '/api/v2/dags/orders/dagRuns/a%00b',
      `${TI.replace('extract', 'ex%00tract')}`,
      `${TI}/state-store/k%00`,
      '/api/v2/dags?dag_id_pattern=a%00',
      '/api/v2/assets?name_pattern=%00',
      '/api/v2/assets?uri_pattern=%00',
      '/api/v2/assets/events?source_dag_id=a%00b',
      `${TI}?map_index=%00`,
    ];
    for (const url of publicUrls) {
      const response = await harness.api('GET', url, { role: 'admin' });
      expect(response.statusCode, url).toBe(400);
      expect(detailOf(response), url).toEqual({ reason: 'invalid_text', message: expect.stringContaining('NUL') });
    }
    const write = await harness.api('PUT', `${TI}/state-store/k%00`, { role: 'op', payload: { value: 1 } });
    expect(write.statusCode).toBe(400);
    const executionUrls = [
      `/execution/store/ti/${tiId}/k%00`,
      `/execution/task-instances/${tiId}/xcom?task_id=a%00`,
      '/execution/store/asset/by-name/value?name=orders%00&key=k',
    ];
    for (const url of executionUrls) {
      const response = await harness.request({ method: 'GET', url, token });
      expect(response.statusCode, url).toBe(400);
      expect(detailOf(response).reason, url).toBe('invalid_text');
    }
    expect(await harness.database.db.selectFrom('task_state').select('key').execute()).toEqual([]);
  });

  it('refuses NUL in body fields that name things with 422', async () => {
    const login = await harness.api('POST', '/auth/token', {
      token: null,
      payload: { username: 'alice\u0000', password: 'x' },
    });
    expect(login.statusCode).toBe(422);
    expect(detailOf(login).message).toContain('NUL');

    const clear = await harness.api('POST', '/api/v2/dags/orders/clearTaskInstances', {
      role: 'op',
      payload: { dag_run_id: 'manual__1', task_ids: ['extract\u0000'] },
    });
    expect(clear.statusCode).toBe(422);
    const clearRun = await harness.api('POST', '/api/v2/dags/orders/clearTaskInstances', {
      role: 'op',
      payload: { dag_run_id: 'manual\u0000' },
    });
    expect(clearRun.statusCode).toBe(422);

    const claim = await harness.request({
      method: 'POST',
      url: '/execution/workloads/claim',
      token: harness.workerToken,
      payload: { worker: 'host\u0000:1' },
    });
    expect(claim.statusCode).toBe(422);
    expect(detailOf(claim).message).toContain('NUL');
  });

  it('refuses a query value that is not UTF-8 with 400 invalid_utf8, instead of reading it as the text "%FF"', async () => {
    for (const url of [
      `/execution/task-instances/${tiId}/xcom?task_id=%FF`,
      '/execution/store/asset/by-name/value?name=orders&key=%ED%A0%80',
      '/api/v2/dags?dag_id_pattern=%C0%AF',
    ]) {
      const response = await harness.request({
        method: 'GET',
        url,
        token: url.startsWith('/api') ? harness.token('viewer') : token,
      });
      expect(response.statusCode, url).toBe(400);
      expect(detailOf(response).reason, url).toBe('invalid_utf8');
    }
  });

  it('refuses a key path that is not UTF-8 with 400 on both APIs, storing nothing', async () => {
    const execution = await harness.request({
      method: 'PUT',
      url: `/execution/store/ti/${tiId}/a%FFb`,
      token,
      payload: { value: 1 },
    });
    expect(execution.statusCode).toBe(400);
    expect(detailOf(execution).reason).toBe('bad_url');
    const publicApi = await harness.api('PUT', `${TI}/state-store/a%FFb`, { role: 'op', payload: { value: 1 } });
    expect(publicApi.statusCode).toBe(400);
    expect(await harness.database.db.selectFrom('task_state').select('key').execute()).toEqual([]);
  });
});
