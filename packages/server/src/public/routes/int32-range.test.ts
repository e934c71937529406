import { INT32_MAX } from '@tidemark/core';
import { eachDialect } from '@tidemark/db/testing';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import {
  detailOf,
  openTaskInstanceHarness,
  seedOrdersRun,
  type TaskInstanceHarness,
  updateTi,
} from '../../testing/task-instance-test-kit.ts';

/**
 * Issue 13, item 5: integers past PostgreSQL's `integer` (map_index, versions) made the query fail
 * there (500) while SQLite answered 404. The contracts bound them, so both dialects answer 422.
 */
describe.each(eachDialect())('integers outside the 32-bit range (%s)', (dialect) => {
  let harness: TaskInstanceHarness;
  let tiId: string;
  let token: string;
  const TI = '/api/v2/dags/orders/dagRuns/manual__1/taskInstances/extract';
  const TOO_BIG = String(INT32_MAX + 1);

  beforeEach(async () => {
    harness = await openTaskInstanceHarness(dialect);
    await seedOrdersRun(harness, { mapped: 0 });
    await updateTi(harness, { taskId: 'extract' }, { state: 'queued' });
    const attempt = await harness.claim();
    tiId = attempt.ti_id;
    token = attempt.token;
  });
  afterEach(() => harness.close());

  it('refuses map_index 2147483648 on the TI, state-store, XCom and log routes with 422', async () => {
    const reads = [
      `${TI}?map_index=${TOO_BIG}`,
      `${TI}/state-store?map_index=${TOO_BIG}`,
      `${TI}/state-store/k?map_index=${TOO_BIG}`,
      `${TI}/state-store/k/history?map_index=${TOO_BIG}`,
      `${TI}/xcomEntries?map_index=${TOO_BIG}`,
      `${TI}/xcomEntries/return_value?map_index=${TOO_BIG}`,
      `${TI}/logs/1?map_index=${TOO_BIG}`,
      `${TI}/logs/${TOO_BIG}`,
      `/api/v2/dags/orders/dagRuns/manual__1/taskInstances?map_index=${TOO_BIG}`,
      `/api/v2/assets/events?source_map_index=${TOO_BIG}`,
    ];
    for (const url of reads) {
      const response = await harness.api('GET', url, { role: 'admin' });
      expect(response.statusCode, url).toBe(422);
      expect(detailOf(response).message, url).toMatch(/2147483647/);
    }
    for (const method of ['PUT', 'DELETE'] as const) {
      const url = `${TI}/state-store/k?map_index=${TOO_BIG}`;
      const response = await harness.api(method, url, {
        role: 'op',
        ...(method === 'PUT' ? { payload: { value: 1 } } : {}),
      });
      expect(response.statusCode, `${method} ${url}`).toBe(422);
    }
    const clear = await harness.api('DELETE', `${TI}/state-store?map_index=${TOO_BIG}`, { role: 'op' });
    expect(clear.statusCode).toBe(422);
    const clearTis = await harness.api('POST', '/api/v2/dags/orders/clearTaskInstances', {
      role: 'op',
      payload: { dag_run_id: 'manual__1', map_indexes: [INT32_MAX + 1] },
    });
    expect(clearTis.statusCode).toBe(422);
    const pull = await harness.request({
      method: 'GET',
      url: `/execution/task-instances/${tiId}/xcom?task_id=extract&map_index=${TOO_BIG}`,
      token,
    });
    expect(pull.statusCode).toBe(422);
  });

  it('refuses versions past 2147483647 in If-Match, if_version and history routes with 422, writing nothing', async () => {
    const put = await harness.api('PUT', `${TI}/state-store/k`, {
      role: 'op',
      payload: { value: 1 },
      headers: { 'if-match': `"${TOO_BIG}"` },
    });
    expect(put.statusCode).toBe(422);
    const restore = await harness.api('POST', `${TI}/state-store/k/history/${TOO_BIG}/restore`, { role: 'op' });
    expect(restore.statusCode).toBe(422);
    const execution = await harness.request({
      method: 'PUT',
      url: `/execution/store/ti/${tiId}/k`,
      token,
      payload: { value: 1, if_version: INT32_MAX + 1 },
    });
    expect(execution.statusCode).toBe(422);
    const header = await harness.request({
      method: 'DELETE',
      url: `/execution/store/ti/${tiId}/k`,
      token,
      headers: { 'if-match': `"${TOO_BIG}"` },
    });
    expect(header.statusCode).toBe(422);
    expect(await harness.database.db.selectFrom('task_state').select('key').execute()).toEqual([]);
  });
});
