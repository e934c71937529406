import { activateAsset, deactivateAsset } from '@tidemark/db';
import { eachDialect } from '@tidemark/db/testing';
import type { LightMyRequestResponse } from 'fastify';
import { afterEach, describe, expect, it } from 'vitest';
import { putXcom, requeue, T0 } from './testing/execution-harness.ts';
import {
  detailOf,
  finished,
  openTaskInstanceHarness,
  RUNS_URL,
  seedOrdersRun,
  type TaskInstanceHarness,
  updateTi,
} from './testing/task-instance-test-kit.ts';

/*
 * The AIP-103 checklist (shared/reference/airflow-aip103.md §15), one case per row that HTTP can
 * show, against both APIs of a real api-server on a real database. Each case says whether we match
 * Airflow 3.3 or differ by design (SPEC wins), and why.
 *
 * Rows not checked here, and where they are:
 *   6–9, 11, 14 (SDK default), 15 (client side), 56: the SDK accessors (packages/sdk/src/context/*.test.ts);
 *     AssetAlias (11) does not exist in Tidemark.
 *   28, 53–55, 62: worker-side offload (SPEC §9.2) and its tests in packages/runtime/src/worker.
 *   29–33: garbage collection — `tidemark state-store clean` and the scheduler's automatic pass.
 *   38: Airflow's Cadwyn API versioning; Tidemark's execution API is unversioned (one contract in core).
 *   49, 51, 52: backend selection — packages/db/src/state-store/create-state-backend.test.ts and the
 *     conformance suite; both APIs use the configured backend (Airflow's Core API always uses the metastore).
 *   50: the web UI (test/ui). 57, 58: Tidemark has no triggers. 60: the `resumable` pattern helper.
 */

const DAY = 86_400_000;
const ORDERS = { name: 'orders', uri: 's3://warehouse/orders' };
const CUSTOMERS = { name: 'customers', uri: 's3://warehouse/customers' };

type Method = 'GET' | 'PUT' | 'PATCH' | 'DELETE' | 'POST';

interface ChecklistRow {
  readonly row: number;
  readonly feature: string;
  /** `same`, or why Tidemark differs from Airflow 3.3. */
  readonly airflow: 'same' | `differs: ${string}`;
  /** Configuration for this row's api-server, when not the default. */
  readonly settings?: Record<string, Record<string, unknown>>;
  readonly check: (world: ChecklistWorld) => Promise<void>;
}

interface Attempt {
  readonly tiId: string;
  readonly token: string;
}

/** One api-server with the `orders` DAG (extract → transform[0..2] → load, outlet `orders`) and a run. */
class ChecklistWorld {
  #queuedAt = T0;
  ordersId = 0;
  constructor(readonly harness: TaskInstanceHarness) {}

  static async open(dialect: 'sqlite' | 'postgres', settings: ChecklistRow['settings'] = {}) {
    const harness = await openTaskInstanceHarness(dialect, {
      ...settings,
      state: { max_value_bytes: 200, default_retention: '30d', ...settings.state },
    });
    const run = await seedOrdersRun(harness, { mapped: 3 });
    // extract's return value, which transform[0..2] are mapped over.
    await putXcom(harness.database, run, { taskId: 'extract', value: ['a', 'b', 'c'] });
    // Nothing queued: each case queues and claims the TIs it needs.
    await harness.database.db.updateTable('task_instance').set({ state: null, queued_at: null }).execute();
    const world = new ChecklistWorld(harness);
    world.ordersId = await activateAsset(harness.database.db, ORDERS, T0);
    await activateAsset(harness.database.db, CUSTOMERS, T0);
    return world;
  }

  /** Queues the TI and claims it, as a worker would: its attempt token. */
  async claim(taskId: string, mapIndex = -1, runId = 'manual__1'): Promise<Attempt> {
    this.#queuedAt += 1;
    await updateTi(this.harness, { runId, taskId, mapIndex }, { state: 'queued', queued_at: this.#queuedAt });
    const claimed = await this.harness.claim();
    return { tiId: claimed.ti_id, token: claimed.token };
  }

  exec(method: Method, url: string, attempt: Attempt, payload?: unknown, headers: Record<string, string> = {}) {
    return this.harness.request({
      method,
      url,
      token: attempt.token,
      headers,
      ...(payload === undefined ? {} : { payload: payload as object }),
    });
  }

  api(
    method: Method,
    url: string,
    options: { role?: 'viewer' | 'op'; payload?: unknown; headers?: Record<string, string> } = {},
  ) {
    return this.harness.api(method, url, { role: options.role ?? 'op', ...options });
  }

  finish(attempt: Attempt, payload: object) {
    return this.exec('PATCH', `/execution/task-instances/${attempt.tiId}/state`, attempt, payload);
  }
}

const execTask = (tiId: string, key?: string) =>
  `/execution/store/ti/${tiId}${key === undefined ? '' : `/${encodeURIComponent(key)}`}`;
const execAsset = (route: string, query: string) => `/execution/store/asset/${route}?${query}`;
const publicTask = (taskId: string, key?: string, query = '', runId = 'manual__1') =>
  `${RUNS_URL}/${runId}/taskInstances/${taskId}/state-store${key === undefined ? '' : `/${encodeURIComponent(key)}`}${query}`;
const publicAsset = (assetId: number, key?: string) =>
  `/api/v2/assets/${assetId}/state-store${key === undefined ? '' : `/${encodeURIComponent(key)}`}`;

function expectStatus(response: LightMyRequestResponse, status: number, reason?: string) {
  expect(response.statusCode, response.body).toBe(status);
  if (reason !== undefined) expect(detailOf(response).reason).toBe(reason);
}

const CHECKLIST: readonly ChecklistRow[] = [
  {
    row: 1,
    feature: 'task-state key is (dag_id, run_id, task_id, map_index, key)',
    airflow: 'same',
    async check(w) {
      await seedOrdersRun(w.harness, { runId: 'manual__2', mapped: 0 });
      const first = await w.claim('extract');
      const other = await w.claim('extract', -1, 'manual__2');
      await w.exec('PUT', execTask(first.tiId, 'k'), first, { value: 'run 1' });
      await w.exec('PUT', execTask(other.tiId, 'k'), other, { value: 'run 2' });
      expect((await w.exec('GET', execTask(first.tiId, 'k'), first)).json().value).toBe('run 1');
      expect((await w.exec('GET', execTask(other.tiId, 'k'), other)).json().value).toBe('run 2');
      expectStatus(await w.api('GET', publicTask('load', 'k')), 404, 'state_not_found');
    },
  },
  {
    row: 2,
    feature: 'a task that is not mapped has map_index -1',
    airflow: 'same',
    async check(w) {
      const extract = await w.claim('extract');
      expectStatus(await w.exec('PUT', execTask(extract.tiId, 'k'), extract, { value: 1 }), 204);
      const read = await w.api('GET', publicTask('extract', 'k'));
      expect(read.json().value).toBe(1);
      expect((await w.api('GET', publicTask('extract', 'k', '?map_index=-1'))).json().value).toBe(1);
    },
  },
  {
    row: 3,
    feature: 'mapped TIs each have a namespace; clear from the task affects only its own index',
    airflow: 'same',
    async check(w) {
      const zero = await w.claim('transform', 0);
      const one = await w.claim('transform', 1);
      await w.exec('PUT', execTask(zero.tiId, 'k'), zero, { value: 'zero' });
      await w.exec('PUT', execTask(one.tiId, 'k'), one, { value: 'one' });
      expectStatus(await w.exec('DELETE', execTask(zero.tiId), zero), 204);
      expectStatus(await w.exec('GET', execTask(zero.tiId, 'k'), zero), 404, 'state_not_found');
      expect((await w.exec('GET', execTask(one.tiId, 'k'), one)).json().value).toBe('one');
    },
  },
  {
    row: 4,
    feature: 'clearing every map index is an operator action (public API all_map_indices=true) only',
    airflow: 'same',
    async check(w) {
      const attempts = [await w.claim('transform', 0), await w.claim('transform', 1), await w.claim('transform', 2)];
      for (const attempt of attempts) await w.exec('PUT', execTask(attempt.tiId, 'k'), attempt, { value: 1 });
      const first = attempts[0] as Attempt;
      expectStatus(await w.exec('DELETE', `${execTask(first.tiId)}?all_map_indices=true`, first), 204);
      expect((await w.api('GET', publicTask('transform', 'k', '?map_index=1'))).statusCode).toBe(200);
      expectStatus(await w.api('DELETE', publicTask('transform', undefined, '?all_map_indices=true')), 204);
      for (const index of [0, 1, 2]) {
        expectStatus(await w.api('GET', publicTask('transform', 'k', `?map_index=${index}`)), 404);
      }
    },
  },
  {
    row: 5,
    feature: 'asset-state key is (asset, key); tasks address the asset by name or by uri',
    airflow: 'same',
    async check(w) {
      const load = await w.claim('load');
      await w.exec('PUT', execAsset('by-name/value', 'name=orders&key=k'), load, { value: 'by name' });
      const byUri = await w.exec('GET', execAsset('by-uri/value', `uri=${encodeURIComponent(ORDERS.uri)}&key=k`), load);
      expect(byUri.json().value).toBe('by name');
      expect((await w.api('GET', publicAsset(w.ordersId, 'k'))).json().value).toBe('by name');
    },
  },
  {
    row: 10,
    feature: 'an outlet-only asset is accessible to its task',
    airflow: 'same',
    async check(w) {
      const load = await w.claim('load');
      expectStatus(await w.exec('PUT', execAsset('by-name/value', 'name=orders&key=k'), load, { value: 1 }), 204);
    },
  },
  {
    row: 12,
    feature: 'values: any JSON except null; non-finite numbers refused',
    airflow: 'same',
    async check(w) {
      const extract = await w.claim('extract');
      for (const value of [0, 'text', true, [1, 'a'], { nested: { ok: [] } }]) {
        expectStatus(await w.exec('PUT', execTask(extract.tiId, 'k'), extract, { value }), 204);
      }
      expectStatus(await w.exec('PUT', execTask(extract.tiId, 'k'), extract, { value: null }), 422);
      const infinite = await w.harness.request({
        method: 'PUT',
        url: execTask(extract.tiId, 'k'),
        token: extract.token,
        headers: { 'content-type': 'application/json' },
        payload: '{"value": 1e999}',
      });
      expectStatus(infinite, 422);
      expectStatus(await w.api('PUT', publicTask('extract', 'k'), { payload: { value: null } }), 422);
    },
  },
  {
    row: 13,
    feature: 'stored as JSON text, returned decoded',
    airflow: 'same',
    async check(w) {
      const extract = await w.claim('extract');
      await w.exec('PUT', execTask(extract.tiId, 'k'), extract, { value: { a: [1, 2] } });
      const row = await w.harness.database.db.selectFrom('task_state').select('value').executeTakeFirstOrThrow();
      expect(row.value).toBe('{"a":[1,2]}');
      expect((await w.exec('GET', execTask(extract.tiId, 'k'), extract)).json().value).toEqual({ a: [1, 2] });
    },
  },
  {
    row: 14,
    feature: 'a missing key reads as 404 (the SDK turns it into the default)',
    airflow: 'same',
    async check(w) {
      const extract = await w.claim('extract');
      expectStatus(await w.exec('GET', execTask(extract.tiId, 'nope'), extract), 404, 'state_not_found');
    },
  },
  {
    row: 15,
    feature: 'setting null is refused',
    airflow: 'differs: the server refuses it too (422), not only the SDK',
    async check(w) {
      const load = await w.claim('load');
      expectStatus(await w.exec('PUT', execAsset('by-name/value', 'name=orders&key=k'), load, { value: null }), 422);
      expectStatus(await w.api('PUT', publicAsset(w.ordersId, 'k'), { payload: { value: null } }), 422);
    },
  },
  {
    row: 16,
    feature: 'set is an upsert: last write wins and updated_at moves',
    airflow: 'differs: every write also bumps a version, returned as ETag (SPEC §7)',
    async check(w) {
      const extract = await w.claim('extract');
      await w.exec('PUT', execTask(extract.tiId, 'k'), extract, { value: 1 });
      w.harness.clock.advance(5_000);
      const second = await w.exec('PUT', execTask(extract.tiId, 'k'), extract, { value: 2 });
      expect(second.headers.etag).toBe('"2"');
      const read = await w.api('GET', publicTask('extract', 'k'));
      expect(read.json()).toMatchObject({ value: 2, version: 2, updated_at: new Date(T0 + 5_000).toISOString() });
    },
  },
  {
    row: 17,
    feature: 'deleting a missing key is a 204 no-op',
    airflow: 'same',
    async check(w) {
      const extract = await w.claim('extract');
      expectStatus(await w.exec('DELETE', execTask(extract.tiId, 'never-set'), extract), 204);
      expectStatus(await w.api('DELETE', publicTask('extract', 'never-set')), 204);
      const load = await w.claim('load');
      expectStatus(await w.exec('DELETE', execAsset('by-name/value', 'name=orders&key=never-set'), load), 204);
    },
  },
  {
    row: 18,
    feature: 'retention: a duration, NEVER_EXPIRE (no expiry), or omitted (the default)',
    airflow: 'same',
    async check(w) {
      const extract = await w.claim('extract');
      await w.exec('PUT', execTask(extract.tiId, 'hour'), extract, { value: 1, retention: '1h' });
      await w.exec('PUT', execTask(extract.tiId, 'never'), extract, { value: 1, retention: 'NEVER_EXPIRE' });
      await w.exec('PUT', execTask(extract.tiId, 'default'), extract, { value: 1 });
      const expiry = async (key: string) =>
        (await w.exec('GET', execTask(extract.tiId, key), extract)).json().expires_at;
      expect(await expiry('hour')).toBe(new Date(T0 + 3_600_000).toISOString());
      expect(await expiry('never')).toBeNull();
      expect(await expiry('default')).toBe(new Date(T0 + 30 * DAY).toISOString());
      expectStatus(await w.exec('PUT', execTask(extract.tiId, 'bad'), extract, { value: 1, retention: 'soon' }), 422);
    },
  },
  {
    row: 19,
    feature: 'where expiry is computed',
    airflow: 'differs: the server computes expires_at from its own clock, so worker clocks do not matter (SPEC §6)',
    async check(w) {
      const extract = await w.claim('extract');
      w.harness.clock.advance(60_000);
      await w.exec('PUT', execTask(extract.tiId, 'k'), extract, { value: 1, retention: '2h' });
      const entry = (await w.exec('GET', execTask(extract.tiId, 'k'), extract)).json();
      expect(entry.expires_at).toBe(new Date(T0 + 60_000 + 2 * 3_600_000).toISOString());
    },
  },
  {
    row: 20,
    feature: 'state.default_retention 0 means never',
    airflow: 'same',
    settings: { state: { default_retention: 0 } },
    async check(w) {
      const extract = await w.claim('extract');
      await w.exec('PUT', execTask(extract.tiId, 'k'), extract, { value: 1 });
      expect((await w.exec('GET', execTask(extract.tiId, 'k'), extract)).json().expires_at).toBeNull();
      expect((await w.api('PUT', publicTask('extract', 'p'), { payload: { value: 1 } })).json().expires_at).toBeNull();
    },
  },
  {
    row: 21,
    feature: 'asset state has no retention',
    airflow: 'same',
    async check(w) {
      const load = await w.claim('load');
      const refused = await w.exec('PUT', execAsset('by-name/value', 'name=orders&key=k'), load, {
        value: 1,
        retention: '1h',
      });
      expectStatus(refused, 422);
      await w.exec('PUT', execAsset('by-name/value', 'name=orders&key=k'), load, { value: 1 });
      expect((await w.exec('GET', execAsset('by-name/value', 'name=orders&key=k'), load)).json().expires_at).toBeNull();
    },
  },
  {
    row: 22,
    feature: 'task state survives a retry',
    airflow: 'same',
    async check(w) {
      await updateTi(w.harness, { taskId: 'extract' }, { max_tries: 2 });
      const first = await w.claim('extract');
      await w.exec('PUT', execTask(first.tiId, 'job_id'), first, { value: 'j-7' });
      expect((await w.finish(first, { state: 'failed', error: 'worker lost', retryable: true })).json().state).toBe(
        'up_for_retry',
      );
      await requeue(w.harness.database, first.tiId);
      const retry = await w.harness.claim();
      expect(retry.try_number).toBe(2);
      const read = await w.harness.request({ method: 'GET', url: execTask(first.tiId, 'job_id'), token: retry.token });
      expect(read.json().value).toBe('j-7');
    },
  },
  {
    row: 23,
    feature: 'a manual clear of the TI',
    airflow: 'differs: discards task state unless keep_task_state: true (Airflow 3.4 behaviour, SPEC §3)',
    async check(w) {
      const extract = await w.claim('extract');
      await w.exec('PUT', execTask(extract.tiId, 'k'), extract, { value: 1 });
      await w.finish(extract, { state: 'success' });
      const clear = (keep: boolean) =>
        w.api('POST', '/api/v2/dags/orders/clearTaskInstances', {
          payload: { dag_run_id: 'manual__1', task_ids: ['extract'], keep_task_state: keep },
        });
      expectStatus(await clear(true), 200);
      expect((await w.api('GET', publicTask('extract', 'k'))).statusCode).toBe(200);
      await updateTi(w.harness, { taskId: 'extract' }, finished('success'));
      expectStatus(await clear(false), 200);
      expectStatus(await w.api('GET', publicTask('extract', 'k')), 404);
    },
  },
  {
    row: 24,
    feature: 'a new run starts with empty task state; asset state is shared',
    airflow: 'same',
    async check(w) {
      const load = await w.claim('load');
      await w.exec('PUT', execTask(load.tiId, 'k'), load, { value: 'run 1' });
      await w.exec('PUT', execAsset('by-name/value', 'name=orders&key=wm'), load, { value: 10 });
      await seedOrdersRun(w.harness, { runId: 'manual__2', mapped: 0 });
      const next = await w.claim('load', -1, 'manual__2');
      expectStatus(await w.exec('GET', execTask(next.tiId, 'k'), next), 404);
      expect((await w.exec('GET', execAsset('by-name/value', 'name=orders&key=wm'), next)).json().value).toBe(10);
    },
  },
  {
    row: 25,
    feature: 'deleting a DAG run deletes its task state',
    airflow: 'same',
    async check(w) {
      const extract = await w.claim('extract');
      await w.exec('PUT', execTask(extract.tiId, 'k'), extract, { value: 1 });
      expectStatus(await w.api('DELETE', `${RUNS_URL}/manual__1`), 204);
      expect(await w.harness.database.db.selectFrom('task_state').select('key').execute()).toEqual([]);
    },
  },
  {
    row: 26,
    feature: 'state.clear_on_success clears task state on the task’s success and on a manual mark-success',
    airflow: 'same',
    settings: { state: { clear_on_success: true } },
    async check(w) {
      const extract = await w.claim('extract');
      await w.exec('PUT', execTask(extract.tiId, 'k'), extract, { value: 1 });
      await w.finish(extract, { state: 'success' });
      expectStatus(await w.api('GET', publicTask('extract', 'k')), 404);
      await w.api('PUT', publicTask('load', 'k'), { payload: { value: 1 } });
      expectStatus(
        await w.api('PATCH', `${RUNS_URL}/manual__1/taskInstances/load`, { payload: { new_state: 'success' } }),
        200,
      );
      expectStatus(await w.api('GET', publicTask('load', 'k')), 404);
    },
  },
  {
    row: 27,
    feature: 'clear_on_success never touches asset state',
    airflow: 'same',
    settings: { state: { clear_on_success: true } },
    async check(w) {
      const load = await w.claim('load');
      await w.exec('PUT', execAsset('by-name/value', 'name=orders&key=wm'), load, { value: 5 });
      await w.finish(load, { state: 'success' });
      expect((await w.api('GET', publicAsset(w.ordersId, 'wm'))).json().value).toBe(5);
    },
  },
  {
    row: 34,
    feature: 'an inactive asset is 404 to tasks',
    airflow: 'same',
    async check(w) {
      const load = await w.claim('load');
      await deactivateAsset(w.harness.database.db, w.ordersId);
      expectStatus(await w.exec('GET', execAsset('by-name/value', 'name=orders&key=k'), load), 404, 'asset_not_found');
      expectStatus(
        await w.exec('PUT', execAsset('by-name/value', 'name=orders&key=k'), load, { value: 1 }),
        404,
        'asset_not_found',
      );
    },
  },
  {
    row: 35,
    feature: 'size limit',
    airflow: 'differs: 413 naming the limit on both APIs (Airflow: 422 on the Core API, a warning on workers)',
    async check(w) {
      const extract = await w.claim('extract');
      const big = { value: 'x'.repeat(300) };
      const fromTask = await w.exec('PUT', execTask(extract.tiId, 'k'), extract, big);
      expectStatus(fromTask, 413, 'value_too_large');
      expect(detailOf(fromTask).message).toMatch(/limit of 200 bytes \(state\.max_value_bytes\)/);
      expectStatus(await w.api('PUT', publicTask('extract', 'k'), { payload: big }), 413, 'value_too_large');
      expectStatus(await w.api('PUT', publicAsset(w.ordersId, 'k'), { payload: big }), 413, 'value_too_large');
      expect(await w.harness.database.db.selectFrom('task_state').select('key').execute()).toEqual([]);
    },
  },
  {
    row: 36,
    feature: 'execution API task routes: GET/PUT/DELETE a key, DELETE all',
    airflow: 'same',
    async check(w) {
      const extract = await w.claim('extract');
      expectStatus(await w.exec('PUT', execTask(extract.tiId, 'a'), extract, { value: 1 }), 204);
      expectStatus(await w.exec('GET', execTask(extract.tiId, 'a'), extract), 200);
      expectStatus(await w.exec('DELETE', execTask(extract.tiId, 'a'), extract), 204);
      expectStatus(await w.exec('PUT', execTask(extract.tiId, 'b'), extract, { value: 1 }), 204);
      expectStatus(await w.exec('DELETE', execTask(extract.tiId), extract), 204);
      expectStatus(await w.exec('GET', execTask(extract.tiId, 'b'), extract), 404);
    },
  },
  {
    row: 37,
    feature: 'execution API asset routes by name and by uri, with clear',
    airflow: 'same',
    async check(w) {
      const load = await w.claim('load');
      const uri = `uri=${encodeURIComponent(ORDERS.uri)}`;
      expectStatus(await w.exec('PUT', execAsset('by-uri/value', `${uri}&key=a`), load, { value: 1 }), 204);
      expectStatus(await w.exec('PUT', execAsset('by-name/value', 'name=orders&key=b'), load, { value: 2 }), 204);
      expectStatus(await w.exec('DELETE', execAsset('by-uri/value', `${uri}&key=a`), load), 204);
      expectStatus(await w.exec('DELETE', execAsset('by-name/clear', 'name=orders'), load), 204);
      expectStatus(await w.exec('GET', execAsset('by-name/value', 'name=orders&key=b'), load), 404);
      expectStatus(await w.exec('PUT', execAsset('by-uri/value', `${uri}&key=c`), load, { value: 3 }), 204);
      expectStatus(await w.exec('DELETE', execAsset('by-uri/clear', uri), load), 204);
      expectStatus(await w.exec('GET', execAsset('by-uri/value', `${uri}&key=c`), load), 404);
    },
  },
  {
    row: 39,
    feature: 'execution API status codes: 200 with the value, 404, 204, 422 for a bad body',
    airflow: 'differs: GET also returns version and expires_at (SPEC §11.1)',
    async check(w) {
      const extract = await w.claim('extract');
      await w.exec('PUT', execTask(extract.tiId, 'k'), extract, { value: [1] });
      const read = await w.exec('GET', execTask(extract.tiId, 'k'), extract);
      expectStatus(read, 200);
      expect(read.json()).toEqual({ value: [1], version: 1, expires_at: new Date(T0 + 30 * DAY).toISOString() });
      expectStatus(await w.exec('PUT', execTask(extract.tiId, 'k'), extract, { nothing: 1 }), 422, 'validation_error');
      const notAnObject = await w.harness.request({
        method: 'PUT',
        url: execTask(extract.tiId, 'k'),
        token: extract.token,
        headers: { 'content-type': 'application/json' },
        payload: '"not an object"',
      });
      expectStatus(notAnObject, 422);
    },
  },
  {
    row: 40,
    feature: 'the task PUT body is a strict model',
    airflow: 'differs: it also takes retention and if_version (SPEC §11.1); unknown fields are still refused',
    async check(w) {
      const extract = await w.claim('extract');
      const extra = await w.exec('PUT', execTask(extract.tiId, 'k'), extract, { value: 1, colour: 'red' });
      expectStatus(extra, 422, 'validation_error');
      expect(detailOf(extra).message).toContain('colour');
      expectStatus(await w.exec('PUT', execTask(extract.tiId, 'k'), extract, { value: 1, if_version: 0 }), 204);
    },
  },
  {
    row: 41,
    feature: 'a TI’s token is refused for another TI',
    airflow: 'same',
    async check(w) {
      const extract = await w.claim('extract');
      const load = await w.claim('load');
      expectStatus(await w.exec('GET', execTask(load.tiId, 'k'), extract), 403);
      expectStatus(await w.exec('PUT', execTask(load.tiId, 'k'), extract, { value: 1 }), 403);
      expect(await w.harness.database.db.selectFrom('task_state').select('key').execute()).toEqual([]);
    },
  },
  {
    row: 42,
    feature: 'asset isolation',
    airflow: 'differs: the server refuses an asset the task does not declare (403); Airflow only checks in the client',
    async check(w) {
      const extract = await w.claim('extract');
      const refused = await w.exec('PUT', execAsset('by-name/value', 'name=orders&key=k'), extract, { value: 1 });
      expectStatus(refused, 403, 'undeclared_asset');
      const load = await w.claim('load');
      expectStatus(await w.exec('GET', execAsset('by-name/value', 'name=customers&key=k'), load), 403);
    },
  },
  {
    row: 43,
    feature: 'listing keys from a task',
    airflow: 'differs: the execution API lists keys (tasks may enumerate their own state)',
    async check(w) {
      const extract = await w.claim('extract');
      await w.exec('PUT', execTask(extract.tiId, 'b'), extract, { value: 1 });
      await w.exec('PUT', execTask(extract.tiId, 'a'), extract, { value: 1, retention: 'NEVER_EXPIRE' });
      expect((await w.exec('GET', execTask(extract.tiId), extract)).json()).toEqual({
        keys: [
          { key: 'a', version: 1, expires_at: null },
          { key: 'b', version: 1, expires_at: new Date(T0 + 30 * DAY).toISOString() },
        ],
      });
      const load = await w.claim('load');
      await w.exec('PUT', execAsset('by-name/value', 'name=orders&key=wm'), load, { value: 1 });
      expect((await w.exec('GET', execAsset('by-name/keys', 'name=orders'), load)).json().keys).toHaveLength(1);
    },
  },
  {
    row: 44,
    feature: 'asset writes record their writer',
    airflow: 'differs: the try number is recorded too, and API users by name',
    async check(w) {
      const load = await w.claim('load');
      await w.exec('PUT', execAsset('by-name/value', 'name=orders&key=from-task'), load, { value: 1 });
      await w.api('PUT', publicAsset(w.ordersId, 'from-user'), { payload: { value: 2 } });
      const listed = (await w.api('GET', publicAsset(w.ordersId))).json();
      const writers = Object.fromEntries(
        listed.asset_state_store.map((entry: { key: string; last_updated_by: unknown }) => [
          entry.key,
          entry.last_updated_by,
        ]),
      );
      expect(writers['from-task']).toMatchObject({
        kind: 'task',
        dag_id: 'orders',
        run_id: 'manual__1',
        task_id: 'load',
        map_index: -1,
        try_number: 1,
      });
      expect(writers['from-user']).toMatchObject({ kind: 'api', user: 'alice' });
    },
  },
  {
    row: 45,
    feature: 'public API task-state paths, with ?map_index',
    airflow: 'same',
    async check(w) {
      expectStatus(
        await w.api('PUT', publicTask('transform', 'k', '?map_index=2'), { payload: { value: 'two' } }),
        200,
      );
      expect((await w.api('GET', publicTask('transform', 'k', '?map_index=2'))).json().value).toBe('two');
      expectStatus(await w.api('GET', publicTask('transform', 'k', '?map_index=1')), 404);
      expectStatus(await w.api('GET', `${RUNS_URL}/manual__1/taskInstances/nope/state-store`), 404);
    },
  },
  {
    row: 46,
    feature: 'public API verbs: list, get, PUT with expires_at, PATCH keeps expiry, DELETE a key and all',
    airflow: 'same',
    async check(w) {
      const at = '2026-03-01T00:00:00.000Z';
      await w.api('PUT', publicTask('extract', 'b'), { payload: { value: 1, expires_at: at } });
      await w.api('PUT', publicTask('extract', 'a'), { payload: { value: 1, expires_at: null } });
      await w.api('PUT', publicTask('extract', 'c'), { payload: { value: 1, expires_at: 'default' } });
      const page = (await w.api('GET', publicTask('extract', undefined, '?limit=2&offset=1'))).json();
      expect(page.total_entries).toBe(3);
      expect(page.task_state_store.map((entry: { key: string }) => entry.key)).toEqual(['b', 'c']);
      const patched = await w.api('PATCH', publicTask('extract', 'b'), { payload: { value: 2 } });
      expectStatus(patched, 200);
      expect(patched.json()).toMatchObject({ value: 2, expires_at: at });
      expectStatus(await w.api('PATCH', publicTask('extract', 'missing'), { payload: { value: 2 } }), 404);
      expectStatus(await w.api('DELETE', publicTask('extract', 'a')), 204);
      expectStatus(await w.api('DELETE', publicTask('extract')), 204);
      expect((await w.api('GET', publicTask('extract'))).json().total_entries).toBe(0);
    },
  },
  {
    row: 47,
    feature: 'public API asset-state paths: list with last_updated_by, get, put, delete, clear',
    airflow: 'same',
    async check(w) {
      expectStatus(await w.api('PUT', publicAsset(w.ordersId, 'a'), { payload: { value: 1 } }), 200);
      expect((await w.api('GET', publicAsset(w.ordersId, 'a'))).json()).toMatchObject({ key: 'a', value: 1 });
      expect((await w.api('GET', publicAsset(w.ordersId))).json().asset_state_store[0]).toHaveProperty(
        'last_updated_by',
      );
      expectStatus(await w.api('DELETE', publicAsset(w.ordersId, 'a')), 204);
      await w.api('PUT', publicAsset(w.ordersId, 'b'), { payload: { value: 1 } });
      expectStatus(await w.api('DELETE', publicAsset(w.ordersId)), 204);
      expect((await w.api('GET', publicAsset(w.ordersId))).json().total_entries).toBe(0);
      expectStatus(await w.api('GET', publicAsset(999_999)), 404);
    },
  },
  {
    row: 48,
    feature: 'permissions: viewers read, operators write',
    airflow: 'same',
    async check(w) {
      await w.api('PUT', publicTask('extract', 'k'), { payload: { value: 1 } });
      expectStatus(await w.api('GET', publicTask('extract', 'k'), { role: 'viewer' }), 200);
      for (const [method, url] of [
        ['PUT', publicTask('extract', 'k')],
        ['PATCH', publicTask('extract', 'k')],
        ['DELETE', publicTask('extract', 'k')],
        ['DELETE', publicTask('extract')],
        ['PUT', publicAsset(w.ordersId, 'k')],
        ['DELETE', publicAsset(w.ordersId)],
      ] as const) {
        expectStatus(await w.api(method, url, { role: 'viewer', payload: { value: 2 } }), 403);
      }
      expect((await w.api('GET', publicTask('extract', 'k'))).json().value).toBe(1);
      expectStatus(await w.harness.api('GET', publicTask('extract', 'k'), { token: null }), 401);
    },
  },
  {
    row: 59,
    feature: 'concurrency control',
    airflow: 'differs: versions with If-Match compare-and-set (412), monotonic advance and attempt fencing (SPEC §7)',
    async check(w) {
      const extract = await w.claim('extract');
      await w.exec('PUT', execTask(extract.tiId, 'k'), extract, { value: 1 });
      const stale = await w.exec('PUT', execTask(extract.tiId, 'k'), extract, { value: 2 }, { 'if-match': '"7"' });
      expectStatus(stale, 412, 'state_conflict');
      expectStatus(await w.exec('PUT', execTask(extract.tiId, 'k'), extract, { value: 2 }, { 'if-match': '"1"' }), 204);
      expectStatus(
        await w.api('PUT', publicTask('extract', 'k'), { payload: { value: 3 }, headers: { 'if-match': '"1"' } }),
        412,
      );
      const advanced = await w.exec('POST', `${execTask(extract.tiId, 'wm')}/advance`, extract, { value: 10 });
      expect(advanced.json()).toEqual({ value: 10, version: 1, advanced: true });
      const back = await w.exec('POST', `${execTask(extract.tiId, 'wm')}/advance`, extract, { value: 3 });
      expect(back.json()).toEqual({ value: 10, version: 1, advanced: false });
      await w.finish(extract, { state: 'success' });
      expectStatus(await w.exec('PUT', execTask(extract.tiId, 'k'), extract, { value: 4 }), 409, 'stale_attempt');
      expect((await w.api('GET', publicTask('extract', 'k'))).json().value).toBe(2);
    },
  },
  {
    row: 61,
    feature: 'keys containing "/" on both APIs',
    airflow: 'same',
    async check(w) {
      const extract = await w.claim('extract');
      await w.exec('PUT', execTask(extract.tiId, 'files/2026/01'), extract, { value: 1 });
      expect((await w.exec('GET', execTask(extract.tiId, 'files/2026/01'), extract)).json().value).toBe(1);
      expect((await w.api('GET', publicTask('extract', 'files/2026/01'))).json().value).toBe(1);
      const load = await w.claim('load');
      await w.exec('PUT', execAsset('by-name/value', `name=orders&key=${encodeURIComponent('a/b')}`), load, {
        value: 2,
      });
      expect((await w.api('GET', publicAsset(w.ordersId, 'a/b'))).json().value).toBe(2);
    },
  },
];

describe.each(eachDialect())('AIP-103 checklist over HTTP on %s', (dialect) => {
  let world: ChecklistWorld | undefined;
  afterEach(async () => {
    await world?.harness.close();
    world = undefined;
  });

  for (const row of CHECKLIST) {
    it(`#${row.row} ${row.feature} (${row.airflow})`, async () => {
      world = await ChecklistWorld.open(dialect, row.settings);
      await row.check(world);
    });
  }
});
