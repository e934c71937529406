import { randomBytes } from 'node:crypto';
import { assetScope, taskScope } from '@tidemark/core';
import { activateAsset, MetastoreStateBackend, StateValueCipher, stateKey } from '@tidemark/db';
import { eachDialect } from '@tidemark/db/testing';
import { sql } from 'kysely';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { T0 } from '../../testing/execution-harness.ts';
import {
  detailOf,
  openTaskInstanceHarness,
  RUNS_URL,
  type TaskInstanceHarness,
} from '../../testing/task-instance-test-kit.ts';

const KEY = randomBytes(32).toString('base64');
const OTHER_KEY = randomBytes(32).toString('base64');
const SECRET = 'api-key-sk-live-distinctive-91c2';
const LOAD_STATE = `${RUNS_URL}/manual__1/taskInstances/load/state-store`;

/** SPEC §17 encryption at rest, through both APIs of a real api-server with `state.encryption_key` set. */
describe.each(eachDialect())('state encryption through the APIs on %s', (dialect) => {
  let harness: TaskInstanceHarness;
  let tiId: string;
  let token: string;
  let assetId: number;

  const exec = (method: 'GET' | 'PUT' | 'POST', url: string, payload?: unknown) =>
    harness.request({ method, url, token, ...(payload === undefined ? {} : { payload: payload as object }) });
  const storedTexts = async (table: 'task_state' | 'asset_state' | 'state_history') =>
    (await sql<{ value: string }>`select value from ${sql.table(table)}`.execute(harness.database.db)).rows.map(
      (row) => row.value,
    );

  beforeEach(async () => {
    harness = await openTaskInstanceHarness(dialect, { state: { encryption_key: KEY } });
    const run = await harness.seedRun();
    tiId = await harness.seedTi(run, { taskId: 'load' });
    token = (await harness.claim()).token;
    assetId = await activateAsset(harness.database.db, { name: 'orders', uri: 's3://warehouse/orders' }, T0);
  });
  afterEach(() => harness.close());

  it('a task writes and reads its state through the execution API; people read and restore it through the public API; the rows hold no plaintext', async () => {
    expect((await exec('PUT', `/execution/store/ti/${tiId}/job`, { value: { secret: SECRET } })).statusCode).toBe(204);
    expect((await exec('GET', `/execution/store/ti/${tiId}/job`)).json().value).toEqual({ secret: SECRET });
    const advanced = await exec('POST', `/execution/store/ti/${tiId}/cursor/advance`, { value: 5 });
    expect(advanced.json()).toEqual({ value: 5, version: 1, advanced: true });
    const behind = await exec('POST', `/execution/store/ti/${tiId}/cursor/advance`, { value: 4 });
    expect(behind.json()).toEqual({ value: 5, version: 1, advanced: false });

    const read = await harness.api('GET', `${LOAD_STATE}/job`);
    expect(read.statusCode).toBe(200);
    expect(read.json().value).toEqual({ secret: SECRET });
    const put = await harness.api('PUT', `${LOAD_STATE}/job`, {
      role: 'op',
      payload: { value: 'replaced' },
      headers: { 'if-match': '"1"' },
    });
    expect(put.statusCode).toBe(200);
    const restored = await harness.api('POST', `${LOAD_STATE}/job/history/1/restore`, {
      role: 'op',
      headers: { 'if-match': '"2"' },
    });
    expect(restored.statusCode).toBe(200);
    expect(restored.json()).toMatchObject({ value: { secret: SECRET }, version: 3 });
    const history = (await harness.api('GET', `${LOAD_STATE}/job/history`)).json().history;
    expect(history.map((entry: { value: unknown }) => entry.value)).toEqual([
      { secret: SECRET },
      'replaced',
      { secret: SECRET },
    ]);

    const assetPut = await harness.api('PUT', `/api/v2/assets/${assetId}/state-store/token`, {
      role: 'op',
      payload: { value: SECRET },
    });
    expect(assetPut.statusCode).toBe(200);
    expect((await harness.api('GET', `/api/v2/assets/${assetId}/state-store`)).json().asset_state_store[0].value).toBe(
      SECRET,
    );

    const stored = [
      ...(await storedTexts('task_state')),
      ...(await storedTexts('asset_state')),
      ...(await storedTexts('state_history')),
    ];
    expect(stored.length).toBeGreaterThanOrEqual(7);
    for (const text of stored) {
      expect(text).toMatch(new RegExp(`^enc:v1:${stateKey(KEY).id}:`));
      expect(text).not.toContain(SECRET);
    }
  });

  it('staged writes wait encrypted in state_pending and are applied (advance compares plaintext) when the attempt succeeds', async () => {
    const asset = (route: string, key: string) => `/execution/store/asset/by-name/${route}?name=orders&key=${key}`;
    await exec('POST', asset('advance', 'watermark'), { value: 10 });
    expect((await exec('PUT', asset('value', 'loaded'), { value: SECRET, on_success: true })).statusCode).toBe(202);
    expect((await exec('POST', asset('advance', 'watermark'), { value: 20, on_success: true })).statusCode).toBe(202);
    expect((await exec('POST', asset('advance', 'low'), { value: 50 })).statusCode).toBe(200);
    expect((await exec('POST', asset('advance', 'low'), { value: 5, on_success: true })).statusCode).toBe(202);
    const pending = (await sql<{ value: string }>`select value from state_pending`.execute(harness.database.db)).rows;
    expect(pending).toHaveLength(3);
    for (const row of pending) expect(row.value).toMatch(/^enc:v1:/);

    const finished = await harness.request({
      method: 'PATCH',
      url: `/execution/task-instances/${tiId}/state`,
      token,
      payload: { state: 'success' },
    });
    expect(finished.statusCode).toBe(200);
    const state = (await harness.api('GET', `/api/v2/assets/${assetId}/state-store`)).json().asset_state_store;
    expect(
      state.map((entry: { key: string; value: unknown; version: number }) => [entry.key, entry.value, entry.version]),
    ).toEqual([
      ['loaded', SECRET, 1],
      ['low', 50, 1],
      ['watermark', 20, 2],
    ]);
    for (const text of await storedTexts('asset_state')) expect(text).toMatch(/^enc:v1:/);
  });

  it('a value encrypted with a key the server was not given is a clear 500 naming state.encryption_key, on both APIs, with no stack', async () => {
    const stranger = new MetastoreStateBackend(
      harness.database,
      { maxValueBytes: 0, historyDepth: 10 },
      new StateValueCipher(stateKey(OTHER_KEY)),
    );
    await stranger.set(taskScope({ dagId: 'orders', runId: 'manual__1', taskId: 'load' }), 'job', SECRET);
    await stranger.set(assetScope(assetId), 'token', SECRET);

    for (const response of [
      await exec('GET', `/execution/store/ti/${tiId}/job`),
      await harness.api('GET', `${LOAD_STATE}/job`),
      await harness.api('GET', `/api/v2/assets/${assetId}/state-store`),
      await harness.api('GET', `/api/v2/assets/${assetId}/state-store/token/history`),
    ]) {
      expect(response.statusCode).toBe(500);
      const detail = detailOf(response);
      expect(detail.reason).toBe('state_encryption_key_unknown');
      expect(detail.message).toContain(`key id ${stateKey(OTHER_KEY).id}`);
      expect(detail.message).toContain('state.encryption_key');
      expect(response.body).not.toContain('    at ');
    }
  });
});
