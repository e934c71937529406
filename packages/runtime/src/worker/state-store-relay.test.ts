import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  type ClaimedAttempt,
  type JsonValue,
  offloadKeyPrefix,
  offloadRef,
  offloadScopePrefix,
  signJwt,
} from '@tidemark/core';
import { activateAsset, offloadOrphanSweep, upsertSerializedDag } from '@tidemark/db';
import { eachDialect, waitUntil } from '@tidemark/db/testing';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { FilesystemOffloadStore } from '../offload/filesystem-offload-store.ts';
import { bigString, OFFLOAD_DAG_FILE, offloadDag, sha256, tagged } from './fixtures/offload-test-dags.ts';
import {
  FIXTURE_DAGS_FOLDER,
  openWorkerTestWorld,
  TEST_SECRET_KEY,
  type TestRun,
  type WorkerTestWorld,
} from './fixtures/worker-test-world.ts';
import { runAttempt } from './supervisor.ts';

/** The key the world's api-server signs user tokens with. */
const SESSION_KEY = `${TEST_SECRET_KEY}-session`;

async function claimAndRun(world: WorkerTestWorld) {
  const claimed = await world.api.claim('test-worker:1');
  if (!claimed) throw new Error('nothing was claimable');
  return runAttempt({ claimed, api: world.api, dagsFolder: FIXTURE_DAGS_FOLDER, killGracePeriodMs: 500 });
}

describe.each(eachDialect())('ctx.taskState and ctx.assetState through the supervisor on %s', (dialect) => {
  let world: WorkerTestWorld;
  beforeEach(async () => {
    world = await openWorkerTestWorld(dialect);
    // The DAG processor activates declared assets; this world registers DAGs without it.
    await activateAsset(world.database.db, { name: 'orders' });
    await activateAsset(world.database.db, { name: 'customers', uri: 's3://lake/customers' });
  });
  afterEach(() => world.close());

  it('a task calls every accessor method; staged asset writes apply when it succeeds', async () => {
    const run = await world.trigger('worker_state_store');
    const tiId = await world.queue(run, 'use_state');
    await claimAndRun(world);
    const state = (await world.taskInstance(tiId)).state;
    if (state !== 'success') throw new Error(`use_state ended ${state}: ${await world.attemptLog(tiId, 1)}`);
    const seen = (await world.returnValue(run, 'use_state')) as Record<string, unknown>;
    expect(seen).toMatchObject({
      absent: 'none',
      set: { version: 1 },
      entry: { value: { page: 1 }, version: 1 },
      neverExpires: { version: 1 },
      retentionMs: null,
      conflict: 'state_conflict',
      update: { value: 1, version: 1 },
      update2: { value: 2, version: 2 },
      advance: { value: 10, advanced: true },
      advanceBack: { value: 10, advanced: false },
      keys: ['count', 'cursor', 'forever', 'hw', 'short'],
      afterDelete: ['cursor', 'forever', 'hw'],
      afterClear: [],
      assetSet: { version: 1 },
      assetAdvance: { value: '2026-02-01', version: 2, advanced: true },
      assetUpdate: { value: 1, version: 1 },
      staged: { staged: true },
      stagedAdvance: { staged: true },
      stagedVisible: 'not yet',
      assetKeys: ['hw', 'runs'],
      undeclared: 'undeclared_asset',
      shorthand: 'ambiguous_asset_state',
    });
    expect(typeof (seen.entry as { expiresAt: unknown }).expiresAt).toBe('string');
    expect(seen.customers).toBeUndefined();

    const readerId = await world.queue(run, 'read_staged');
    await claimAndRun(world);
    expect((await world.taskInstance(readerId)).state).toBe('success');
    expect(await world.returnValue(run, 'read_staged')).toEqual({ staged: 5, stagedHw: 7 });
  });

  it('AttemptApiClient maps by-uri targets, If-Match, ETag and a missing key', async () => {
    const run = await world.trigger('worker_state_store');
    await world.queue(run, 'use_state');
    const claimed = await world.api.claim('test-worker:1');
    if (!claimed) throw new Error('nothing was claimable');
    const attempt = world.api.forAttempt(claimed);
    const byUri = { kind: 'asset', uri: 's3://lake/customers' } as const;
    expect(await attempt.getState(byUri, 'k')).toBeNull();
    expect(await attempt.setState(byUri, 'k', { value: 1, ifVersion: 0 })).toEqual({ version: 1 });
    expect(await attempt.relayState('get', { target: { kind: 'asset', name: 'customers' }, key: 'k' })).toEqual({
      value: 1,
      version: 1,
      expires_at: null,
    });
    await expect(attempt.setState(byUri, 'k', { value: 2, ifVersion: 0 })).rejects.toMatchObject({
      code: 'state_conflict',
      details: { status: 412 },
    });
    await expect(attempt.deleteState(byUri, 'k', 7)).rejects.toMatchObject({ code: 'state_conflict' });
    expect(await attempt.advanceState(byUri, 'k', 3)).toEqual({ value: 3, version: 2, advanced: true });
    expect(await attempt.listStateKeys(byUri)).toEqual({ keys: [{ key: 'k', version: 2, expires_at: null }] });
    await attempt.deleteState(byUri, 'k', 2);
    expect(await attempt.relayState('keys', { target: byUri })).toEqual({ keys: [] });
    const task = { kind: 'task' } as const;
    expect(await attempt.relayState('set', { target: task, key: 'a/b c', value: 'x', retention: '1h' })).toEqual({
      version: 1,
    });
    expect(await attempt.getState(task, 'a/b c')).toMatchObject({ value: 'x', version: 1 });
    await expect(attempt.getState({ kind: 'asset', name: 'payments' }, 'k')).rejects.toMatchObject({
      code: 'asset_not_found',
      details: { status: 404 },
    });
    await activateAsset(world.database.db, { name: 'payments' });
    await expect(attempt.getState({ kind: 'asset', name: 'payments' }, 'k')).rejects.toMatchObject({
      code: 'undeclared_asset',
      details: { status: 403 },
    });
  });

  it('measures one ctx.taskState.set from task code to the database (median, p99)', async () => {
    const run = await world.trigger('worker_state_store', { samples: 200 });
    const tiId = await world.queue(run, 'time_state_set');
    await claimAndRun(world);
    expect((await world.taskInstance(tiId)).state).toBe('success');
    const timing = (await world.returnValue(run, 'time_state_set')) as { medianMs: number; p99Ms: number };
    console.log(
      `ctx.taskState.set on ${dialect}: median ${timing.medianMs.toFixed(2)} ms, p99 ${timing.p99Ms.toFixed(2)} ms (200 sets)`,
    );
    expect(timing.medianMs).toBeGreaterThan(0);
  });
});

describe.each(eachDialect())('state values above the offload threshold on %s', (dialect) => {
  let world: WorkerTestWorld;
  let folder: string;
  let store: FilesystemOffloadStore;
  let ordersId: number;
  const THRESHOLD = 1_000;
  const BYTES = 5_000;
  const orders = { kind: 'asset', name: 'orders' } as const;

  beforeEach(async () => {
    // History depth 2, so the tests see versions leave the history. Heartbeats every 150 s, so an
    // attempt made stale on purpose learns it from its own write, not from a heartbeat.
    world = await openWorkerTestWorld(dialect, {
      state: { history_depth: 2 },
      scheduler: { task_heartbeat_timeout: 600_000 },
    });
    ordersId = await activateAsset(world.database.db, { name: 'orders' });
    await upsertSerializedDag(world.database.db, offloadDag.serialize(OFFLOAD_DAG_FILE));
    folder = mkdtempSync(join(tmpdir(), 'tidemark-offload-'));
    store = new FilesystemOffloadStore(folder);
  });
  afterEach(async () => {
    await world.close();
    rmSync(folder, { recursive: true, force: true });
  });

  const offload = () => ({ store, thresholdBytes: THRESHOLD });
  const runClaimed = (claimed: ClaimedAttempt) =>
    runAttempt({
      claimed,
      api: world.api,
      dagsFolder: FIXTURE_DAGS_FOLDER,
      killGracePeriodMs: 500,
      offload: offload(),
    });

  /** Runs one task of worker_offload to its end, offloading above THRESHOLD unless `offload: false`. */
  async function runTask(
    taskId: string,
    conf: Record<string, JsonValue> = {},
    options: { offload?: boolean; expectState?: string } = {},
  ) {
    const run = await world.trigger('worker_offload', conf);
    const tiId = await world.queue(run, taskId);
    const claimed = await world.api.claim('test-worker:1');
    if (!claimed) throw new Error('nothing was claimable');
    await runAttempt({
      claimed,
      api: world.api,
      dagsFolder: FIXTURE_DAGS_FOLDER,
      killGracePeriodMs: 500,
      ...(options.offload === false ? {} : { offload: offload() }),
    });
    const state = (await world.taskInstance(tiId)).state;
    const expected = options.expectState ?? 'success';
    if (state !== expected) throw new Error(`${taskId} ended ${state}: ${await world.attemptLog(tiId, 1)}`);
    return { run, result: (await world.returnValue(run, taskId)) as Record<string, JsonValue> };
  }

  const payloadOf = (value: JsonValue) => Buffer.from(JSON.stringify(value), 'utf8');
  const taskScope = (run: TestRun, taskId: string) =>
    ({ kind: 'task', dagId: 'worker_offload', runId: run.runId, taskId, mapIndex: -1 }) as const;
  const taskRef = (run: TestRun, taskId: string, key: string, value: JsonValue) =>
    offloadRef(taskScope(run, taskId), key, payloadOf(value));
  const assetRef = (key: string, value: JsonValue) => offloadRef(orders, key, payloadOf(value));
  const envelope = (ref: string) => JSON.stringify({ __tidemark_ref__: ref });
  const big = (tag: string) => tagged(tag, BYTES);
  const objectFile = (ref: string) => join(folder, ...ref.split('/'));
  const refs = async (prefix?: string) => {
    const found: string[] = [];
    for await (const object of store.list(prefix)) found.push(object.ref);
    return found.sort();
  };
  const taskRow = (run: TestRun, key: string) =>
    world.database.db
      .selectFrom('task_state')
      .select(['value', 'version'])
      .where('run_id', '=', run.runId)
      .where('key', '=', key)
      .executeTakeFirst();
  const assetRow = (key: string) =>
    world.database.db
      .selectFrom('asset_state')
      .select(['value', 'version'])
      .where('asset_id', '=', ordersId)
      .where('key', '=', key)
      .executeTakeFirst();
  /** The public API as an `op` user (the api-server checks the token like any other). */
  const publicApi = (method: string, path: string, headers: Record<string, string> = {}) => {
    const now = Math.floor(Date.now() / 1000);
    const token = signJwt({ sub: 'alice', kind: 'user', role: 'op', iat: now, exp: now + 3_600 }, SESSION_KEY);
    return fetch(`${world.apiUrl}${path}`, { method, headers: { ...headers, authorization: `Bearer ${token}` } });
  };
  const sweepLater = () =>
    offloadOrphanSweep({ database: world.database, store, clock: () => Date.now() + 2 * 3_600_000 });

  it('a 50 MB value goes task → supervisor → store and back byte for byte; the row holds the envelope', async () => {
    const bytes = 50 * 1024 * 1024;
    const { run, result } = await runTask('round_trip', { bytes });
    const value = { blob: bigString(bytes), n: 1 };
    const expectedJson = JSON.stringify(value);
    const { timings, ...read } = result;
    const { setMs, getMs } = timings as { setMs: number; getMs: number };
    console.log(`50 MB offloaded on ${dialect}: set ${setMs.toFixed(0)} ms, get ${getMs.toFixed(0)} ms (task code)`);
    expect(read).toEqual({
      set: { version: 1 },
      bytes: Buffer.byteLength(expectedJson),
      sha256: sha256(expectedJson),
      readSha256: sha256(expectedJson),
      readAssetSha256: sha256(expectedJson),
    });
    expect(result.bytes as number).toBeGreaterThan(bytes);

    const ref = taskRef(run, 'round_trip', 'blob', value);
    expect(ref).toBe(`${offloadKeyPrefix(taskScope(run, 'round_trip'), 'blob')}${sha256(expectedJson)}`);
    expect(ref).toMatch(/^task\/[0-9a-f]{64}\/[0-9a-f]{64}\/[0-9a-f]{64}$/);
    expect((await taskRow(run, 'blob'))?.value).toBe(envelope(ref));
    expect(readFileSync(objectFile(ref)).equals(Buffer.from(expectedJson, 'utf8'))).toBe(true);
    expect(readFileSync(objectFile(assetRef('blob', value))).equals(Buffer.from(expectedJson, 'utf8'))).toBe(true);
    expect(await refs()).toEqual([assetRef('blob', value), ref].sort());

    // Another attempt (another task) reads the asset's payload back through the store.
    expect((await runTask('read_asset')).result).toEqual({ sha256: sha256(expectedJson), tag: null });
  }, 120_000);

  it('CAS, update, delete and a staged write on offloaded values; a refused write or delete keeps the payload', async () => {
    const { run, result } = await runTask('lifecycle', { bytes: BYTES });
    expect(result).toEqual({
      conflict: { code: 'state_conflict', message: 'state key "b" is at version 1, not 7; read it again and retry' },
      afterConflict: 'b1',
      casWrite: { version: 2 },
      updatedTag: 'b2+u',
      failedDelete: { code: 'state_conflict', message: expect.stringContaining('version 2, not 9') },
      afterFailedDelete: 'a',
      afterDelete: ['b', 'lookalike', 'small'],
      staged: { staged: true },
      stagedBeforeSuccess: null,
      lookalike: { __tidemark_ref__: 'task/not-a-ref' },
    });
    const ref = (key: string, value: JsonValue) => taskRef(run, 'lifecycle', key, value);
    const lookalike = { __tidemark_ref__: 'task/not-a-ref' };
    // The conflicting write stored its payload under its own ref: the live one was never touched.
    expect(existsSync(objectFile(ref('b', big('lost'))))).toBe(true);
    expect(await taskRow(run, 'b')).toEqual({
      value: envelope(ref('b', { tag: 'b2+u', blob: big('b2').blob })),
      version: 3,
    });
    expect((await taskRow(run, 'small'))?.value).toBe('1');
    expect((await taskRow(run, 'lookalike'))?.value).toBe(envelope(ref('lookalike', lookalike)));
    // The delete removed the row, then every object of the key (both versions of a).
    expect(await taskRow(run, 'a')).toBeUndefined();
    expect(await refs(offloadKeyPrefix(taskScope(run, 'lifecycle'), 'a'))).toEqual([]);
    // Older versions of b keep their objects (the orphan sweep decides when they go).
    expect(await refs(offloadScopePrefix(taskScope(run, 'lifecycle')))).toEqual(
      [
        ref('b', big('b1')),
        ref('b', big('lost')),
        ref('b', big('b2')),
        ref('b', { tag: 'b2+u', blob: big('b2').blob }),
        ref('lookalike', lookalike),
      ].sort(),
    );

    // The staged write was applied when the attempt succeeded; another attempt reads its payload.
    expect(await assetRow('staged')).toEqual({ value: envelope(assetRef('staged', big('s'))), version: 1 });
    expect((await runTask('read_asset', { key: 'staged' })).result).toEqual({
      sha256: sha256(JSON.stringify(big('s'))),
      tag: 's',
    });
  });

  it('a fenced attempt’s large write, made after its retry started, leaves the live payload as it was', async () => {
    const run = await world.trigger('worker_offload', { bytes: BYTES });
    const tiId = await world.queue(run, 'zombie_write');
    const first = await world.api.claim('test-worker:1');
    if (!first) throw new Error('nothing was claimable');
    const zombie = runClaimed(first);
    await waitUntil(
      () => (existsSync(join(world.pidDir, 'zombie_write.ready')) ? true : undefined),
      'try 1 to write k',
      30_000,
      20,
    );
    // Its log line is shipped: the attempt sends nothing more until its next write.
    await waitUntil(
      async () => ((await world.attemptLog(tiId, 1)).includes('waiting for the retry') ? true : undefined),
      'try 1 to ship its log line',
      30_000,
      20,
    );

    // The retry starts, as after the scheduler found try 1 a zombie: try 1 is no longer the running attempt.
    await world.database.db.updateTable('task_instance').set({ state: 'queued' }).where('id', '=', tiId).execute();
    const retry = await world.api.claim('test-worker:2');
    expect(retry?.try_number).toBe(2);
    writeFileSync(join(world.pidDir, 'zombie_write.go'), '');
    const fenced = await zombie;
    expect(fenced.outcome).toEqual({ state: 'stale', reason: expect.stringMatching(/no longer the running attempt/) });
    expect(fenced.state).toBeNull();

    // The zombie's payload reached the store, under its own ref; the row still names the live one.
    const liveRef = taskRef(run, 'zombie_write', 'k', big('live'));
    expect(existsSync(objectFile(taskRef(run, 'zombie_write', 'k', big('zombie'))))).toBe(true);
    expect(await taskRow(run, 'k')).toEqual({ value: envelope(liveRef), version: 1 });
    expect(readFileSync(objectFile(liveRef), 'utf8')).toBe(JSON.stringify(big('live')));

    // The retry reads what try 1 wrote before it was fenced off.
    if (!retry) throw new Error('the retry was not claimed');
    expect((await runClaimed(retry)).state).toBe('success');
    expect(await world.returnValue(run, 'zombie_write')).toEqual({ read: 'live' });
  }, 60_000);

  it('restoring an older offloaded version through the public API brings its own payload back', async () => {
    const { result } = await runTask('two_versions', { bytes: BYTES });
    expect(result).toEqual({ v1: { version: 1 }, v2: { version: 2 } });
    const [v1Ref, v2Ref] = [assetRef('r', big('v1')), assetRef('r', big('v2'))];
    const base = `/api/v2/assets/${ordersId}/state-store/r`;

    const history = await publicApi('GET', `${base}/history`);
    expect(history.status).toBe(200);
    const versions = ((await history.json()) as { history: { version: number; value: JsonValue }[] }).history;
    expect(versions.map(({ version, value }) => ({ version, value }))).toEqual([
      { version: 2, value: { __tidemark_ref__: v2Ref } },
      { version: 1, value: { __tidemark_ref__: v1Ref } },
    ]);

    const restored = await publicApi('POST', `${base}/history/1/restore`, { 'if-match': '"2"' });
    expect(restored.status).toBe(200);
    expect(restored.headers.get('etag')).toBe('"3"');
    expect(await assetRow('r')).toEqual({ value: envelope(v1Ref), version: 3 });
    // Version 2 is only in the history now; the sweep keeps it, so it can be restored too.
    expect(await sweepLater().run({ dryRun: false, batchSize: 100 })).toEqual({ removed: 0, items: [] });
    expect(existsSync(objectFile(v2Ref))).toBe(true);

    expect((await runTask('read_asset', { key: 'r' })).result).toEqual({
      sha256: sha256(JSON.stringify(big('v1'))),
      tag: 'v1',
    });
  });

  it('clear removes the rows, then the objects of the scope', async () => {
    const kept = await runTask('clear_asset', { bytes: BYTES });
    expect(kept.result).toEqual(['k1', 'k2']);
    const value = bigString(BYTES);
    expect(await refs()).toEqual([assetRef('k1', value), assetRef('k2', value)].sort());
    const cleared = await runTask('clear_asset', { bytes: BYTES, clear: true });
    expect(cleared.result).toEqual([]);
    expect(await refs()).toEqual([]);
  });

  it('without an offload store a value over state.max_value_bytes is refused with 413, naming the limit', async () => {
    const { run, result } = await runTask('too_large', { bytes: 100_000 }, { offload: false });
    expect(result).toEqual({
      code: 'value_too_large',
      message: expect.stringMatching(
        /over the limit of 65536 bytes \(state\.max_value_bytes\).*state\.offload\.backend/,
      ),
    });
    expect(await taskRow(run, 'blob')).toBeUndefined();
    expect(await refs()).toEqual([]);
  });

  it('the orphan sweep removes objects no row names once past the grace period, and keeps those the history names', async () => {
    const { run } = await runTask('lifecycle', { bytes: BYTES });
    await runTask('staged_then_fail', { bytes: BYTES }, { expectState: 'failed' });
    expect(await assetRow('dropped')).toBeUndefined();
    const ref = (key: string, value: JsonValue) => taskRef(run, 'lifecycle', key, value);
    const b2u = { tag: 'b2+u', blob: big('b2').blob };
    // Named by nothing: the refused write, b's first version (trimmed from the history at depth 2),
    // and the staged write the failed attempt dropped.
    const orphans = [ref('b', big('lost')), ref('b', big('b1')), assetRef('dropped', big('dropped'))].sort();
    const named = [
      ref('b', big('b2')),
      ref('b', b2u),
      ref('lookalike', { __tidemark_ref__: 'task/not-a-ref' }),
      assetRef('staged', big('s')),
    ];
    expect(await refs()).toEqual([...orphans, ...named].sort());

    const fresh = offloadOrphanSweep({ database: world.database, store });
    expect(await fresh.run({ dryRun: false, batchSize: 100 })).toEqual({ removed: 0, items: [] });
    expect(await refs()).toEqual([...orphans, ...named].sort());

    const dry = await sweepLater().run({ dryRun: true, batchSize: 1 });
    expect({ ...dry, items: dry.items.sort() }).toEqual({ removed: 3, items: orphans });
    expect(await refs()).toEqual([...orphans, ...named].sort());

    const sweep = sweepLater();
    expect(sweep.name).toBe('offload-orphans');
    const swept = await sweep.run({ dryRun: false, batchSize: 2 });
    expect({ ...swept, items: swept.items.sort() }).toEqual({ removed: 3, items: orphans });
    // b's version 2 is named only by its history row, and stays.
    expect((await taskRow(run, 'b'))?.value).toBe(envelope(ref('b', b2u)));
    expect(await refs()).toEqual(named.sort());

    // Once a row is gone and the history no longer names the object either, it goes too.
    await world.database.db.deleteFrom('task_state').where('run_id', '=', run.runId).where('key', '=', 'b').execute();
    expect(await sweepLater().run({ dryRun: false, batchSize: 100 })).toEqual({ removed: 0, items: [] });
    await world.database.db.deleteFrom('state_history').where('key', '=', 'b').execute();
    const last = await sweepLater().run({ dryRun: false, batchSize: 100 });
    expect({ ...last, items: last.items.sort() }).toEqual({
      removed: 2,
      items: [ref('b', big('b2')), ref('b', b2u)].sort(),
    });

    const shortGrace = offloadOrphanSweep({ database: world.database, store, graceMs: 0, clock: () => Date.now() + 1 });
    expect(await shortGrace.run({ dryRun: false, batchSize: 100 })).toEqual({ removed: 0, items: [] });
  });
});
