import {
  assetScope,
  leaseResponseSchema,
  MAX_LEASED_STATE_KEYS,
  type StateBackend,
  type WatcherPollRequest,
  watcherPollResponseSchema,
} from '@tidemark/core';
import { createAssetTriggeredRun, listTriggeringAssetEvents, MetastoreStateBackend } from '@tidemark/db';
import { eachDialect } from '@tidemark/db/testing';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import {
  detailOf,
  type ExecutionHarness,
  type ExecutionHarnessOptions,
  openExecutionHarness,
  SECRET_KEY,
  T0,
} from '../testing/execution-harness.ts';
import { deeplyNested, invalidUtf8Body, oddJsonText, oddUrlValue } from '../testing/odd-inputs.ts';
import { SeededRandom } from '../testing/seeded-random.ts';
import { type SeededWatchers, seedWatchers, triggererToken } from '../testing/watcher-test-kit.ts';
import { issueAttemptToken, issueTriggererToken } from './attempt-token.ts';

const LEASE_TIMEOUT = 30_000;

describe.each(eachDialect())('watcher execution routes on %s', (dialect) => {
  let harness: ExecutionHarness;
  let seeded: SeededWatchers;
  let backend: MetastoreStateBackend;
  const tokenA = triggererToken('host-a:1');

  async function open(options: ExecutionHarnessOptions = {}) {
    harness = await openExecutionHarness(
      dialect,
      { triggerer: { lease_timeout: '30s', max_backoff: '10s' }, state: { max_value_bytes: 1_000 } },
      options,
    );
    seeded = await seedWatchers(harness.database.db);
    backend = new MetastoreStateBackend(harness.database, {
      maxValueBytes: 1_000,
      historyDepth: 10,
      clock: harness.clock.now,
    });
  }
  beforeEach(() => open());
  afterEach(() => harness.close());

  const lease = (triggerer = 'host-a:1', capacity = 10, token = triggererToken(triggerer), body = {}) =>
    harness.request({
      method: 'POST',
      url: `/execution/triggerers/${encodeURIComponent(triggerer)}/leases`,
      token,
      payload: { hostname: `${triggerer}-host`, capacity, ...body },
    });
  const poll = (watcherId: number, body: Partial<WatcherPollRequest>, token = tokenA) =>
    harness.request({
      method: 'POST',
      url: `/execution/watchers/${watcherId}/polls`,
      token,
      payload: { lease: 1, polled_at: T0, outcome: 'ok', ...body },
    });
  const getState = (watcherId: number, query = '', token = tokenA) =>
    harness.request({ method: 'GET', url: `/execution/watchers/${watcherId}/state${query}`, token });
  const events = () => harness.database.db.selectFrom('asset_event').selectAll().orderBy('id').execute();
  const watcherRow = (id: number) =>
    harness.database.db.selectFrom('asset_watcher').selectAll().where('id', '=', id).executeTakeFirstOrThrow();
  const scope = () => assetScope(seeded.assetId);

  it('leases watchers to one triggerer at a time and gives them back on DELETE', async () => {
    const response = await lease('host-a:1', 1);

    expect(response.statusCode).toBe(200);
    const body = leaseResponseSchema.parse(response.json());
    expect(body).toEqual({
      lease_expires_at: T0 + LEASE_TIMEOUT,
      lease_timeout_ms: LEASE_TIMEOUT,
      watchers: [
        {
          id: seeded.ids.new_files,
          name: 'new_files',
          asset: { id: seeded.assetId, name: 'landing', uri: 'file:///landing' },
          dag_id: 'ingest',
          fileloc: 'ingest.ts',
          every_ms: 2_000,
          lease: 1,
          next_poll_at: 0,
          failure_count: 0,
        },
      ],
    });
    expect(leaseResponseSchema.parse((await lease('host-b:1', 10)).json()).watchers.map((w) => w.name)).toEqual([
      'slow',
    ]);
    expect(leaseResponseSchema.parse((await lease('host-c:1', 10)).json()).watchers).toEqual([]);

    const released = await harness.request({
      method: 'DELETE',
      url: '/execution/triggerers/host-a:1/leases',
      token: tokenA,
    });
    expect(released.statusCode).toBe(204);
    expect(leaseResponseSchema.parse((await lease('host-c:1', 10)).json()).watchers).toEqual([
      expect.objectContaining({ name: 'new_files', lease: 2 }),
    ]);
  });

  it('commits a poll’s events and state together; the events trigger a run of the DAG scheduled on the asset', async () => {
    await lease();
    harness.clock.advance(100);

    const response = await poll(seeded.ids.new_files, {
      polled_at: T0 + 50,
      events: [{ extra: { file: 'a.csv' } }, { extra: { file: 'b.csv' } }],
      state: [
        { key: 'cursor', operation: 'set', value: { seen: ['a.csv', 'b.csv'] }, if_version: 0, asset: 'landing' },
        { key: 'high_water', operation: 'advance', value: 2 },
      ],
    });

    expect(response.statusCode).toBe(200);
    const body = watcherPollResponseSchema.parse(response.json());
    expect(body).toMatchObject({
      state: [
        { key: 'cursor', version: 1 },
        { key: 'high_water', version: 1 },
      ],
      next_poll_at: T0 + 50 + 2_000,
      failure_count: 0,
    });
    expect(body.event_ids).toHaveLength(2);
    expect(await backend.get(scope(), 'cursor')).toMatchObject({
      value: { seen: ['a.csv', 'b.csv'] },
      version: 1,
      updatedBy: { kind: 'watcher', watcher: 'new_files', dagId: 'ingest' },
    });
    expect((await backend.history(scope(), 'cursor')).map((entry) => entry.operation)).toEqual(['set']);
    expect((await events()).map((event) => [event.source_kind, event.source_watcher, JSON.parse(event.extra)])).toEqual(
      [
        ['watcher', 'new_files', { file: 'a.csv' }],
        ['watcher', 'new_files', { file: 'b.csv' }],
      ],
    );
    expect(await watcherRow(seeded.ids.new_files)).toMatchObject({
      last_poll_at: T0 + 50,
      last_event_at: T0 + 100,
      event_count: 2,
      failure_count: 0,
      next_poll_at: T0 + 2_050,
    });

    const run = await createAssetTriggeredRun(harness.database, 'load_landing', T0 + 200);
    expect(run).not.toBeNull();
    const triggering = await listTriggeringAssetEvents(harness.database.db, run?.dagRunId as number);
    expect(triggering.map((event) => [event.source, event.extra])).toEqual([
      [{ kind: 'watcher', watcher: 'new_files' }, { file: 'a.csv' }],
      [{ kind: 'watcher', watcher: 'new_files' }, { file: 'b.csv' }],
    ]);
  });

  it('writes nothing when a later state change loses its compare-and-set (412)', async () => {
    await lease();
    await backend.set(scope(), 'other', 1);

    const response = await poll(seeded.ids.new_files, {
      events: [{ extra: { file: 'a.csv' } }],
      state: [
        { key: 'cursor', operation: 'set', value: 'a.csv', if_version: 0 },
        { key: 'other', operation: 'set', value: 2, if_version: 5 },
      ],
    });

    expect(response.statusCode).toBe(412);
    expect(detailOf(response).reason).toBe('state_conflict');
    expect(await backend.get(scope(), 'cursor')).toBeUndefined();
    expect((await backend.get(scope(), 'other'))?.value).toBe(1);
    expect(await events()).toEqual([]);
    expect(await watcherRow(seeded.ids.new_files)).toMatchObject({ event_count: 0, last_poll_at: null });
  });

  it('answers 409 watcher_lease_lost to a triggerer whose lease was taken over, and writes nothing', async () => {
    await lease('host-a:1');
    harness.clock.advance(LEASE_TIMEOUT);
    expect(leaseResponseSchema.parse((await lease('host-b:1')).json()).watchers.map((w) => w.lease)).toEqual([2, 2]);

    const stale = await poll(seeded.ids.new_files, {
      events: [{}],
      state: [{ key: 'cursor', operation: 'set', value: 'x' }],
    });
    expect(stale.statusCode).toBe(409);
    expect(detailOf(stale)).toMatchObject({ reason: 'watcher_lease_lost' });
    expect(detailOf(stale).message).toContain('another triggerer holds it now');
    const tokenB = triggererToken('host-b:1');
    const oldGeneration = await poll(seeded.ids.new_files, { lease: 1, events: [{}] }, tokenB);
    expect(oldGeneration.statusCode).toBe(409);
    expect(detailOf(oldGeneration).message).toContain('lease 2 now');
    expect((await getState(seeded.ids.new_files, '?key=cursor')).statusCode).toBe(409);
    expect(await events()).toEqual([]);
    expect(await backend.get(scope(), 'cursor')).toBeUndefined();

    // An expired lease no one took: the holder must renew before it commits again.
    harness.clock.advance(LEASE_TIMEOUT);
    const expired = await poll(seeded.ids.new_files, { lease: 2, events: [{}] }, tokenB);
    expect(detailOf(expired).message).toContain('its lease expired');
    expect((await lease('host-b:1')).statusCode).toBe(200);
    expect((await poll(seeded.ids.new_files, { lease: 2, events: [{}] }, tokenB)).statusCode).toBe(200);

    const unknown = await poll(999_999, { events: [{}] });
    expect([unknown.statusCode, detailOf(unknown).reason]).toEqual([404, 'watcher_not_found']);
  });

  it('refuses a state change of another asset (403) and commits nothing of that poll', async () => {
    await lease();

    const response = await poll(seeded.ids.new_files, {
      events: [{}],
      state: [
        { key: 'cursor', operation: 'set', value: 1 },
        { key: 'cursor', operation: 'set', value: 2, asset: 'orders' },
      ],
    });

    expect(response.statusCode).toBe(403);
    expect(detailOf(response)).toMatchObject({ reason: 'forbidden' });
    expect(detailOf(response).message).toContain('its own asset "landing" only, not of asset "orders"');
    expect(await events()).toEqual([]);
    expect(await backend.get(scope(), 'cursor')).toBeUndefined();
  });

  it('backs a failing watcher off exponentially up to triggerer.max_backoff, and resets on success', async () => {
    await lease();
    const nextPolls: [number, number][] = [];
    for (let failure = 1; failure <= 5; failure++) {
      const response = await poll(seeded.ids.new_files, { outcome: 'error', error: `boom ${failure}` });
      expect(response.statusCode).toBe(200);
      const body = watcherPollResponseSchema.parse(response.json());
      nextPolls.push([body.failure_count, body.next_poll_at - T0]);
    }
    expect(nextPolls).toEqual([
      [1, 2_000],
      [2, 4_000],
      [3, 8_000],
      [4, 10_000],
      [5, 10_000],
    ]);
    expect(await watcherRow(seeded.ids.new_files)).toMatchObject({
      last_error: 'boom 5',
      last_error_at: T0,
      failure_count: 5,
    });

    const withEvents = await poll(seeded.ids.new_files, { outcome: 'error', events: [{}] });
    expect([withEvents.statusCode, detailOf(withEvents).reason]).toEqual([422, 'validation_error']);
    expect(await events()).toEqual([]);

    const ok = watcherPollResponseSchema.parse((await poll(seeded.ids.new_files, { polled_at: T0 + 7 })).json());
    expect(ok).toMatchObject({ failure_count: 0, next_poll_at: T0 + 2_007, event_ids: [] });
    expect(await watcherRow(seeded.ids.new_files)).toMatchObject({ failure_count: 0, last_error: 'boom 5' });
  });

  it('brings each watcher its asset state with the lease when asked, and null for a state too large', async () => {
    await backend.set(scope(), 'cursor', { at: 3 });
    await backend.set(scope(), 'b', 'x');
    const statesOf = async (token = tokenA) =>
      leaseResponseSchema
        .parse((await lease('host-a:1', 10, token, { with_state: true })).json())
        .watchers.map((watcher) => [watcher.name, watcher.state]);

    const small = [
      { key: 'b', value: 'x', version: 1 },
      { key: 'cursor', value: { at: 3 }, version: 1 },
    ];
    expect(await statesOf()).toEqual([
      ['new_files', small],
      ['slow', small],
    ]);
    const plain = leaseResponseSchema.parse((await lease('host-a:1', 10)).json());
    expect(plain.watchers.map((watcher) => 'state' in watcher)).toEqual([false, false]);
    const odd = await lease('host-a:1', 10, tokenA, { with_state: 'yes' });
    expect([odd.statusCode, detailOf(odd).message]).toEqual([422, expect.stringContaining('with_state')]);

    for (let index = 0; index < 17; index++) await backend.set(scope(), `big_${index}`, 'y'.repeat(990));
    expect(await statesOf()).toEqual([
      ['new_files', null],
      ['slow', null],
    ]);
    for (let index = 0; index < 17; index++) await backend.delete(scope(), `big_${index}`);
    for (let index = 0; index < MAX_LEASED_STATE_KEYS - 1; index++) await backend.set(scope(), `k_${index}`, index);
    expect((await statesOf()).map(([, state]) => (state as unknown[] | null)?.length ?? null)).toEqual([null, null]);
    await backend.delete(scope(), 'k_0');
    expect((await statesOf()).map(([, state]) => (state as unknown[] | null)?.length ?? null)).toEqual([
      MAX_LEASED_STATE_KEYS,
      MAX_LEASED_STATE_KEYS,
    ]);
  });

  it("reads the watcher's asset state by key or whole, through the backend", async () => {
    await backend.set(scope(), 'cursor', { at: 3 });
    await backend.set(scope(), 'b', 'x');
    await lease();

    const one = await getState(seeded.ids.new_files, '?key=cursor');
    expect(one.statusCode).toBe(200);
    expect(one.json()).toEqual({ key: 'cursor', value: { at: 3 }, version: 1 });
    expect(one.headers.etag).toBe('"1"');
    const missing = await getState(seeded.ids.new_files, '?key=nope');
    expect([missing.statusCode, detailOf(missing).reason]).toEqual([404, 'state_not_found']);
    const all = await getState(seeded.ids.new_files);
    expect(all.json()).toEqual({
      entries: [
        { key: 'b', value: 'x', version: 1 },
        { key: 'cursor', value: { at: 3 }, version: 1 },
      ],
    });
  });

  it('refuses values over state.max_value_bytes (413) and invalid ones (422)', async () => {
    await lease();
    const cases: [Partial<WatcherPollRequest>, number, string][] = [
      [{ state: [{ key: 'k', operation: 'set', value: 'x'.repeat(2_000) }] }, 413, 'value_too_large'],
      [{ events: [{ extra: { big: 'x'.repeat(2_000) } }] }, 413, 'value_too_large'],
      [{ state: [{ key: 'k', operation: 'set' }] }, 422, 'invalid_state_value'],
      [{ state: [{ key: 'k', operation: 'delete', value: 1 }] }, 422, 'invalid_state_value'],
      [{ state: [{ key: 'k', operation: 'advance', value: { a: 1 } }] }, 422, 'invalid_state_value'],
      [{ state: [{ key: '', operation: 'set', value: 1 }] }, 422, 'invalid_state_key'],
    ];
    for (const [body, status, reason] of cases) {
      const response = await poll(seeded.ids.new_files, { events: [{}], ...body });
      expect([JSON.stringify(body).slice(0, 80), response.statusCode, detailOf(response).reason]).toEqual([
        JSON.stringify(body).slice(0, 80),
        status,
        reason,
      ]);
    }
    expect(await events()).toEqual([]);
  });

  it('answers 401 to missing, forged and expired tokens and 403 to tokens of another kind or triggerer', async () => {
    const run = await harness.seedRun();
    const tiId = await harness.seedTi(run, { taskId: 'extract' });
    const attempt = issueAttemptToken(SECRET_KEY, { tiId, tryNumber: 1 }, 3_600_000, T0).token;
    const forged = issueTriggererToken('another-secret-another-secret-0123456789', 'host-a:1', 3_600_000, T0);
    const expired = issueTriggererToken(SECRET_KEY, 'host-a:1', 60_000, T0 - 120_000);
    const badId = issueTriggererToken(SECRET_KEY, 'has space', 3_600_000, T0);
    const routes = [
      { method: 'POST', url: '/execution/triggerers/host-a:1/leases', payload: { hostname: 'h', capacity: 1 } },
      { method: 'DELETE', url: '/execution/triggerers/host-a:1/leases' },
      { method: 'GET', url: `/execution/watchers/${seeded.ids.new_files}/state` },
      {
        method: 'POST',
        url: `/execution/watchers/${seeded.ids.new_files}/polls`,
        payload: { lease: 1, polled_at: 0, outcome: 'ok' },
      },
    ] as const;
    for (const route of routes) {
      for (const [token, status] of [
        [undefined, 401],
        [forged, 401],
        [expired, 401],
        [badId, 401],
        [harness.workerToken, 403],
        [attempt, 403],
      ] as const) {
        const response = await harness.request({ ...route, ...(token === undefined ? {} : { token }) });
        expect([route.method, route.url, response.statusCode]).toEqual([route.method, route.url, status]);
      }
    }
    const otherTriggerer = await lease('host-b:1', 1, tokenA);
    expect(otherTriggerer.statusCode).toBe(403);
    expect(detailOf(otherTriggerer).message).toContain('may not act as triggerer "host-b:1"');

    const claim = await harness.request({
      method: 'POST',
      url: '/execution/workloads/claim',
      token: tokenA,
      payload: { worker: 'w' },
    });
    expect(claim.statusCode).toBe(403);
    expect(detailOf(claim).message).toContain('the token of triggerer "host-a:1"');
    const heartbeat = await harness.request({
      method: 'PUT',
      url: `/execution/task-instances/${tiId}/heartbeat`,
      token: tokenA,
    });
    expect(heartbeat.statusCode).toBe(403);
  });

  it('answers odd requests on the triggerer routes without a 5xx, each 4xx with a detail', async () => {
    await lease();
    const random = new SeededRandom(16);
    const paths = [
      () => `/execution/triggerers/${random.chance(0.5) ? 'host-a:1' : oddUrlValue(random)}/leases`,
      () => `/execution/watchers/${random.chance(0.5) ? seeded.ids.new_files : oddUrlValue(random)}/state`,
      () => `/execution/watchers/${random.chance(0.5) ? seeded.ids.new_files : oddUrlValue(random)}/polls`,
    ];
    const fields = ['hostname', 'capacity', 'idle_polls', 'lease', 'polled_at', 'outcome', 'error', 'events', 'state'];
    const problems: string[] = [];
    for (let index = 0; index < 300; index++) {
      const path = random.pick(paths)();
      const query = random.chance(0.3) ? `?key=${oddUrlValue(random)}` : '';
      const method = random.pick(['GET', 'POST', 'DELETE'] as const);
      const payload =
        method === 'POST'
          ? random.pick([
              () => invalidUtf8Body(random, fields),
              () => deeplyNested(random.pick([65, 2_000]), 'mixed'),
              () => oddJsonText(random),
              () =>
                `{${fields
                  .filter(() => random.chance(0.5))
                  .map((f) => `"${f}":${oddJsonText(random)}`)
                  .join(',')}}`,
              () =>
                JSON.stringify({
                  lease: 1,
                  polled_at: T0,
                  outcome: 'ok',
                  events: [{ extra: { a: 1 } }],
                  state: [
                    { key: JSON.parse(oddJsonText(random)), operation: 'set', value: JSON.parse(oddJsonText(random)) },
                  ],
                }),
            ])()
          : undefined;
      let response: Awaited<ReturnType<typeof harness.request>>;
      try {
        response = await harness.request({
          method,
          url: `${path}${query}`,
          token: tokenA,
          ...(payload === undefined ? {} : { payload, headers: { 'content-type': 'application/json' } }),
        });
      } catch (error) {
        problems.push(`${method} ${path}: threw ${(error as Error).message}`);
        continue;
      }
      if (response.statusCode >= 500)
        problems.push(`${method} ${path}${query} → ${response.statusCode} ${response.body.slice(0, 200)}`);
      else if (response.statusCode >= 400 && typeof detailOf(response)?.reason !== 'string') {
        problems.push(`${method} ${path} → ${response.statusCode} without detail`);
      }
    }
    expect(problems.slice(0, 10)).toEqual([]);
  });

  describe('with a custom state backend', () => {
    beforeEach(async () => {
      await harness.close();
      await open({
        stateBackend: (database) =>
          delegatingBackend(new MetastoreStateBackend(database, { maxValueBytes: 1_000, historyDepth: 10 })),
      });
    });

    it('applies the state through the backend, then records the events', async () => {
      await lease();
      const response = await poll(seeded.ids.new_files, {
        events: [{ extra: { file: 'a.csv' } }],
        state: [{ key: 'cursor', operation: 'set', value: 'a.csv', if_version: 0 }],
      });
      expect(response.statusCode).toBe(200);
      expect((await backend.get(scope(), 'cursor'))?.updatedBy).toEqual({
        kind: 'watcher',
        watcher: 'new_files',
        dagId: 'ingest',
      });
      expect(await events()).toHaveLength(1);

      const stale = await poll(seeded.ids.new_files, {
        events: [{}],
        state: [{ key: 'cursor', operation: 'set', value: 'b.csv', if_version: 0 }],
      });
      expect(stale.statusCode).toBe(412);
      expect(await events()).toHaveLength(1);
    });
  });

  describe('with a state backend that cannot list', () => {
    beforeEach(async () => {
      await harness.close();
      await open({
        stateBackend: (database) => {
          const inner = delegatingBackend(
            new MetastoreStateBackend(database, { maxValueBytes: 1_000, historyDepth: 10 }),
          );
          return { ...inner, list: async () => Promise.reject(new Error('the state store is unreadable')) };
        },
      });
    });

    it('still renews the leases, with no state, so that only the polls meet the error', async () => {
      const response = await lease('host-a:1', 10, tokenA, { with_state: true });
      expect(response.statusCode).toBe(200);
      expect(leaseResponseSchema.parse(response.json()).watchers.map((watcher) => watcher.state)).toEqual([null, null]);
    });
  });
});

/** A backend the server cannot recognise as the metastore one: every call delegated. */
function delegatingBackend(inner: StateBackend): StateBackend {
  return {
    enforcesAttemptFence: false,
    get: (...args) => inner.get(...args),
    set: (...args) => inner.set(...args),
    delete: (...args) => inner.delete(...args),
    clear: (...args) => inner.clear(...args),
    list: (...args) => inner.list(...args),
    advance: (...args) => inner.advance(...args),
    history: (...args) => inner.history(...args),
    cleanup: (...args) => inner.cleanup(...args),
  };
}
