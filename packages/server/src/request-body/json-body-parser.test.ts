import { MAX_JSON_DEPTH, MAX_REQUEST_BODY_DEPTH } from '@tidemark/core';
import { eachDialect } from '@tidemark/db/testing';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { deeplyNested } from '../testing/odd-inputs.ts';
import {
  detailOf,
  openTaskInstanceHarness,
  seedOrdersRun,
  type TaskInstanceHarness,
  tiRow,
  updateTi,
} from '../testing/task-instance-test-kit.ts';

/** Issue 13, items 3 and 7: deep JSON is a 422 naming the limit, bytes that are not UTF-8 a 400; neither writes anything. */
describe.each(eachDialect())('JSON request bodies (%s)', (dialect) => {
  let harness: TaskInstanceHarness;
  let tiId: string;
  let token: string;
  const PUBLIC_KEY = '/api/v2/dags/orders/dagRuns/manual__1/taskInstances/extract/state-store/k';
  const executionKey = () => `/execution/store/ti/${tiId}/k`;

  beforeEach(async () => {
    harness = await openTaskInstanceHarness(dialect);
    await seedOrdersRun(harness, { mapped: 0 });
    await updateTi(harness, { taskId: 'extract' }, { state: 'queued' });
    const attempt = await harness.claim();
    tiId = attempt.ti_id;
    token = attempt.token;
  });
  afterEach(() => harness.close());

  const rawBody = (value: string | Buffer) =>
    Buffer.isBuffer(value) ? Buffer.concat([Buffer.from('{"value":'), value, Buffer.from('}')]) : `{"value":${value}}`;

  async function storedKeys(): Promise<string[]> {
    const rows = await harness.database.db.selectFrom('task_state').select('key').execute();
    return rows.map((row) => row.key);
  }

  it('refuses a value nested 2,000 deep on the execution API and 5,000 deep on the public API with 422 json_too_deep', async () => {
    const execution = await harness.request({
      method: 'PUT',
      url: executionKey(),
      token,
      headers: { 'content-type': 'application/json' },
      payload: rawBody(deeplyNested(2_000, 'array')),
    });
    expect(execution.statusCode).toBe(422);
    expect(detailOf(execution)).toEqual({
      reason: 'json_too_deep',
      message: expect.stringContaining(`more than ${MAX_REQUEST_BODY_DEPTH} levels deep`),
    });

    const publicApi = await harness.api('PUT', PUBLIC_KEY, {
      role: 'op',
      headers: { 'content-type': 'application/json' },
      payload: rawBody(deeplyNested(5_000, 'mixed')),
    });
    expect(publicApi.statusCode).toBe(422);
    expect(detailOf(publicApi).reason).toBe('json_too_deep');
    expect(await storedKeys()).toEqual([]);
  });

  it(`takes a value nested ${MAX_JSON_DEPTH} deep and refuses one nested ${MAX_JSON_DEPTH + 1} deep, naming the limit`, async () => {
    const put = (depth: number) =>
      harness.request({
        method: 'PUT',
        url: executionKey(),
        token,
        headers: { 'content-type': 'application/json' },
        payload: rawBody(deeplyNested(depth, 'object')),
      });
    const tooDeep = await put(MAX_JSON_DEPTH + 1);
    expect(tooDeep.statusCode).toBe(422);
    expect(detailOf(tooDeep)).toEqual({
      reason: 'json_too_deep',
      message: `state value nests arrays and objects more than ${MAX_JSON_DEPTH} levels deep; the limit is ${MAX_JSON_DEPTH}: flatten it`,
    });
    expect(await storedKeys()).toEqual([]);
    expect((await put(MAX_JSON_DEPTH)).statusCode).toBe(204);
  });

  it('names a non-finite number in a worker value as the public API does (core value rules), storing nothing', async () => {
    const finite = 'state value must be finite JSON: Infinity at $.a[1]';
    const put = await harness.request({
      method: 'PUT',
      url: executionKey(),
      token,
      headers: { 'content-type': 'application/json' },
      payload: '{"value":{"a":[1,1e999]}}',
    });
    expect(put.statusCode).toBe(422);
    expect(detailOf(put)).toEqual({ reason: 'invalid_state_value', message: finite });
    const xcom = await harness.request({
      method: 'PUT',
      url: `/execution/task-instances/${tiId}/xcom/k`,
      token,
      headers: { 'content-type': 'application/json' },
      payload: '{"value":{"a":[1,1e999]}}',
    });
    expect(detailOf(xcom)).toEqual({ reason: 'invalid_state_value', message: finite });
    const finish = await harness.request({
      method: 'PATCH',
      url: `/execution/task-instances/${tiId}/state`,
      token,
      headers: { 'content-type': 'application/json' },
      payload: '{"state":"success","return_value":{"a":[1,1e999]}}',
    });
    expect(detailOf(finish)).toEqual({ reason: 'invalid_state_value', message: finite });
    expect((await tiRow(harness, 'manual__1', 'extract')).state).toBe('running');
    expect(await storedKeys()).toEqual([]);
  });

  it('refuses a deep return value at finish, and the attempt keeps running', async () => {
    const response = await harness.request({
      method: 'PATCH',
      url: `/execution/task-instances/${tiId}/state`,
      token,
      headers: { 'content-type': 'application/json' },
      payload: `{"state":"success","return_value":${deeplyNested(2_000, 'array')}}`,
    });
    expect(response.statusCode).toBe(422);
    expect(detailOf(response).reason).toBe('json_too_deep');
    expect((await tiRow(harness, 'manual__1', 'extract')).state).toBe('running');
  });

  it('refuses a body that is not UTF-8 with 400 invalid_utf8 on every write path, storing nothing', async () => {
    const notUtf8 = Buffer.from([0x22, 0x61, 0xff, 0x62, 0x22]); // "a\xFFb"
    const writes = [
      () =>
        harness.request({
          method: 'PUT',
          url: executionKey(),
          token,
          headers: { 'content-type': 'application/json' },
          payload: rawBody(notUtf8),
        }),
      () =>
        harness.request({
          method: 'PUT',
          url: `/execution/task-instances/${tiId}/xcom/k`,
          token,
          headers: { 'content-type': 'application/json' },
          payload: rawBody(notUtf8),
        }),
      () =>
        harness.api('PUT', PUBLIC_KEY, {
          role: 'op',
          headers: { 'content-type': 'application/json' },
          payload: rawBody(notUtf8),
        }),
      () =>
        harness.api('PATCH', PUBLIC_KEY, {
          role: 'op',
          headers: { 'content-type': 'application/json' },
          payload: rawBody(Buffer.from([0x22, 0xed, 0xa0, 0x80, 0x22])),
        }),
    ];
    for (const write of writes) {
      const response = await write();
      expect(response.statusCode).toBe(400);
      expect(detailOf(response)).toEqual({
        reason: 'invalid_utf8',
        message: expect.stringContaining('not valid UTF-8'),
      });
    }
    expect(await storedKeys()).toEqual([]);
    expect(await harness.database.db.selectFrom('xcom').select('key').execute()).toEqual([]);
  });
});
