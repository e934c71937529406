import type { ConfigInput, StateBackend } from '@tidemark/core';
import { activateAsset, type MetadataDatabase, MetastoreStateBackend } from '@tidemark/db';
import { eachDialect } from '@tidemark/db/testing';
import { afterEach, describe, expect, it } from 'vitest';
import {
  type ExecutionHarness,
  type ExecutionHarnessOptions,
  errorOf,
  openExecutionHarness,
  type SeededRun,
  T0,
} from '../testing/execution-harness.ts';

const ORDERS = { name: 'orders', uri: 's3://warehouse/orders' };

/** Writes that reached the separate backend, as `operation key=value`. */
let backendWrites: string[] = [];

/**
 * A state backend that is not the metastore backend as far as the server can tell (it neither is a
 * MetastoreStateBackend nor enforces the attempt fence), storing through one on the same database
 * and noting every write it receives.
 */
function separateBackend(database: MetadataDatabase): StateBackend {
  const inner = new MetastoreStateBackend(database, { maxValueBytes: 65_536, historyDepth: 10 });
  return {
    get: (...args) => inner.get(...args),
    set: (scope, key, value, { fence: _fence, ...options } = {}) => {
      backendWrites.push(`set ${key}=${JSON.stringify(value)}`);
      return inner.set(scope, key, value, options);
    },
    delete: (scope, key, { fence: _fence, ...options } = {}) => inner.delete(scope, key, options),
    clear: (scope, { fence: _fence, ...options } = {}) => inner.clear(scope, options),
    list: (...args) => inner.list(...args),
    advance: (scope, key, value, { fence: _fence, ...options } = {}) => {
      backendWrites.push(`advance ${key}=${JSON.stringify(value)}`);
      return inner.advance(scope, key, value, options);
    },
    history: (...args) => inner.history(...args),
    cleanup: (...args) => inner.cleanup(...args),
  };
}

describe.each(eachDialect())('what a success does to state, on %s', (dialect) => {
  let harness: ExecutionHarness;
  let run: SeededRun;

  async function open(settings: ConfigInput = {}, options: ExecutionHarnessOptions = {}) {
    backendWrites = [];
    harness = await openExecutionHarness(dialect, settings, options);
    run = await harness.seedRun();
    await activateAsset(harness.database.db, ORDERS, T0);
  }
  afterEach(() => harness.close());

  const send = (method: 'GET' | 'PUT' | 'POST' | 'PATCH', url: string, token: string, payload?: object) =>
    harness.request({ method, url, token, ...(payload === undefined ? {} : { payload }) });
  const taskKey = (tiId: string, key: string) => `/execution/store/ti/${tiId}/${encodeURIComponent(key)}`;
  const assetValue = (key: string) => `/execution/store/asset/by-name/value?name=orders&key=${key}`;
  const finish = (tiId: string, token: string, payload: object) =>
    send('PATCH', `/execution/task-instances/${tiId}/state`, token, payload);
  const taskStateKeys = async () =>
    (await harness.database.db.selectFrom('task_state').select(['task_id', 'key']).orderBy('key').execute()).map(
      (row) => `${row.task_id}:${row.key}`,
    );

  async function claim(taskId: string, queuedAt = T0) {
    const tiId = await harness.seedTi(run, { taskId, queuedAt });
    const { token } = await harness.claim();
    return { tiId, token };
  }

  it('state.clear_on_success clears the task state of a TI that succeeds by itself, and only its own', async () => {
    await open({ state: { clear_on_success: true } });
    const load = await claim('load');
    const extract = await claim('extract', T0 + 1);
    expect((await send('PUT', taskKey(load.tiId, 'job_id'), load.token, { value: 'j-1' })).statusCode).toBe(204);
    expect((await send('PUT', taskKey(extract.tiId, 'cursor'), extract.token, { value: 3 })).statusCode).toBe(204);

    expect((await finish(load.tiId, load.token, { state: 'success' })).statusCode).toBe(200);

    expect(await taskStateKeys()).toEqual(['extract:cursor']);
    const history = await harness.database.db
      .selectFrom('state_history')
      .select(['key', 'operation', 'written_by'])
      .where('key', '=', 'job_id')
      .orderBy('version', 'desc')
      .executeTakeFirstOrThrow();
    expect(history.operation).toBe('delete');
    expect(JSON.parse(history.written_by ?? 'null')).toMatchObject({ kind: 'task', taskId: 'load', tryNumber: 1 });
  });

  it('without state.clear_on_success a success keeps the task state, and a failure always does', async () => {
    await open({ state: { clear_on_success: false } });
    const load = await claim('load');
    await send('PUT', taskKey(load.tiId, 'job_id'), load.token, { value: 'j-1' });
    expect((await finish(load.tiId, load.token, { state: 'success' })).statusCode).toBe(200);
    expect(await taskStateKeys()).toEqual(['load:job_id']);
  });

  it('a skipped attempt drops its staged asset writes', async () => {
    await open();
    const load = await claim('load');
    const staged = await send('PUT', assetValue('loaded'), load.token, { value: 1, on_success: true });
    expect(staged.statusCode).toBe(202);

    expect((await finish(load.tiId, load.token, { state: 'skipped', reason: 'nothing new' })).statusCode).toBe(200);

    expect(await harness.database.db.selectFrom('state_pending').select('id').execute()).toEqual([]);
    expect(await harness.database.db.selectFrom('asset_state').select('key').execute()).toEqual([]);
  });

  it('staged writes keep state.history_depth versions of their key', async () => {
    await open({ state: { history_depth: 2 } });
    const load = await claim('load');
    for (const value of [1, 2, 3]) await send('PUT', assetValue('rows'), load.token, { value });
    await send('PUT', assetValue('rows'), load.token, { value: 4, on_success: true });

    expect((await finish(load.tiId, load.token, { state: 'success' })).statusCode).toBe(200);

    const versions = await harness.database.db
      .selectFrom('state_history')
      .select('version')
      .where('key', '=', 'rows')
      .orderBy('version')
      .execute();
    expect(versions.map((row) => row.version)).toEqual([3, 4]);
  });

  describe('with a state backend outside the metastore', () => {
    it('replays staged writes through it after the success, attributed to the attempt', async () => {
      await open({}, { stateBackend: separateBackend });
      const load = await claim('load');
      await send('POST', '/execution/store/asset/by-name/advance?name=orders&key=watermark', load.token, {
        value: 10,
      });
      await send('POST', '/execution/store/asset/by-name/advance?name=orders&key=watermark', load.token, {
        value: 30,
        on_success: true,
      });
      await send('PUT', assetValue('loaded'), load.token, { value: { rows: 3 }, on_success: true });
      expect((await send('GET', assetValue('watermark'), load.token)).json().value).toBe(10);
      expect(backendWrites).toEqual(['advance watermark=10']);

      expect((await finish(load.tiId, load.token, { state: 'success' })).statusCode).toBe(200);

      expect(backendWrites).toEqual(['advance watermark=10', 'advance watermark=30', 'set loaded={"rows":3}']);
      expect((await send('GET', assetValue('watermark'), load.token)).json()).toMatchObject({ value: 30, version: 2 });
      expect((await send('GET', assetValue('loaded'), load.token)).json().value).toEqual({ rows: 3 });
      const row = await harness.database.db
        .selectFrom('asset_state')
        .select('updated_by')
        .where('key', '=', 'loaded')
        .executeTakeFirstOrThrow();
      expect(JSON.parse(row.updated_by ?? 'null')).toMatchObject({ kind: 'task', taskId: 'load', tryNumber: 1 });
      expect(await harness.database.db.selectFrom('state_pending').select('id').execute()).toEqual([]);
    });

    it('fences writes before calling it: a stale attempt gets 409 and nothing is written', async () => {
      await open({}, { stateBackend: separateBackend });
      const load = await claim('load');
      expect((await finish(load.tiId, load.token, { state: 'failed', error: 'x', retryable: false })).statusCode).toBe(
        200,
      );

      const stale = await send('PUT', taskKey(load.tiId, 'job_id'), load.token, { value: 'late' });

      expect(stale.statusCode).toBe(409);
      expect(errorOf(stale).reason).toBe('stale_attempt');
      expect(await taskStateKeys()).toEqual([]);
    });
  });
});
