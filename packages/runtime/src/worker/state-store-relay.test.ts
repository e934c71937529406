import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { type JsonValue, offloadRef } from '@tidemark/core';
import { activateAsset, offloadOrphanSweep, upsertSerializedDag } from '@tidemark/db';
import { eachDialect } from '@tidemark/db/testing';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { FilesystemOffloadStore } from '../offload/filesystem-offload-store.ts';
import { bigString, OFFLOAD_DAG_FILE, offloadDag, sha256 } from './fixtures/offload-test-dags.ts';
import {
  FIXTURE_DAGS_FOLDER,
  openWorkerTestWorld,
  type TestRun,
  type WorkerTestWorld,
} from './fixtures/worker-test-world.ts';
import { runAttempt } from './supervisor.ts';

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
  const THRESHOLD = 1_000;

  beforeEach(async () => {
    world = await openWorkerTestWorld(dialect);
    await activateAsset(world.database.db, { name: 'orders' });
    await upsertSerializedDag(world.database.db, offloadDag.serialize(OFFLOAD_DAG_FILE));
    folder = mkdtempSync(join(tmpdir(), 'tidemark-offload-'));
    store = new FilesystemOffloadStore(folder);
  });
  afterEach(async () => {
    await world.close();
    rmSync(folder, { recursive: true, force: true });
  });

  /** Runs one task of worker_offload to its end, offloading above THRESHOLD unless `offload: false`. */
  async function runTask(taskId: string, conf: Record<string, JsonValue> = {}, offload = true) {
    const run = await world.trigger('worker_offload', conf);
    const tiId = await world.queue(run, taskId);
    const claimed = await world.api.claim('test-worker:1');
    if (!claimed) throw new Error('nothing was claimable');
    await runAttempt({
      claimed,
      api: world.api,
      dagsFolder: FIXTURE_DAGS_FOLDER,
      killGracePeriodMs: 500,
      ...(offload ? { offload: { store, thresholdBytes: THRESHOLD } } : {}),
    });
    const state = (await world.taskInstance(tiId)).state;
    if (state !== 'success') throw new Error(`${taskId} ended ${state}: ${await world.attemptLog(tiId, 1)}`);
    return { run, result: (await world.returnValue(run, taskId)) as Record<string, JsonValue> };
  }

  const taskRef = (run: TestRun, taskId: string, key: string) =>
    offloadRef({ kind: 'task', dagId: 'worker_offload', runId: run.runId, taskId, mapIndex: -1 }, key);
  const assetRef = (key: string) => offloadRef({ kind: 'asset', name: 'orders' }, key);
  const objectFile = (ref: string) => join(folder, ...ref.split('/'));
  const refs = async () => {
    const found: string[] = [];
    for await (const object of store.list()) found.push(object.ref);
    return found.sort();
  };
  const taskRow = (run: TestRun, key: string) =>
    world.database.db
      .selectFrom('task_state')
      .select(['value', 'version'])
      .where('run_id', '=', run.runId)
      .where('key', '=', key)
      .executeTakeFirst();

  it('a 50 MB value goes task → supervisor → store and back byte for byte; the row holds the envelope', async () => {
    const bytes = 50 * 1024 * 1024;
    const { run, result } = await runTask('round_trip', { bytes });
    const expectedJson = JSON.stringify({ blob: bigString(bytes), n: 1 });
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

    const ref = taskRef(run, 'round_trip', 'blob');
    expect(ref).toMatch(/^task\/[0-9a-f]{64}\/[0-9a-f]{64}$/);
    const row = await taskRow(run, 'blob');
    expect(row?.value).toBe(JSON.stringify({ __tidemark_ref__: ref }));
    expect(readFileSync(objectFile(ref)).equals(Buffer.from(expectedJson, 'utf8'))).toBe(true);
    expect(readFileSync(objectFile(assetRef('blob'))).equals(Buffer.from(expectedJson, 'utf8'))).toBe(true);
    expect(await refs()).toEqual([assetRef('blob'), ref].sort());

    // Another attempt (another task) reads the asset's payload back through the store.
    expect((await runTask('read_asset')).result).toEqual({ sha256: sha256(expectedJson) });
  }, 120_000);

  it('CAS, update and delete on offloaded values; a refused write or delete keeps the payload; staged is refused', async () => {
    const { run, result } = await runTask('lifecycle', { bytes: 5_000 });
    expect(result).toEqual({
      conflict: { code: 'state_conflict', message: 'state key "b" is at version 1, not 7; read it again and retry' },
      afterConflict: 'b1',
      casWrite: { version: 2 },
      updatedTag: 'b2+u',
      failedDelete: { code: 'state_conflict', message: expect.stringContaining('version 1, not 9') },
      afterFailedDelete: 'a',
      afterDelete: ['b', 'lookalike', 'small'],
      staged: { code: 'invalid_state_option', message: expect.stringContaining('state.offload.threshold_bytes') },
      lookalike: { __tidemark_ref__: 'task/not-a-ref' },
    });
    // The delete removed the row and then the object; b, and the look-alike small value, are offloaded.
    expect(await taskRow(run, 'a')).toBeUndefined();
    expect(existsSync(objectFile(taskRef(run, 'lifecycle', 'a')))).toBe(false);
    expect((await taskRow(run, 'b'))?.value).toBe(JSON.stringify({ __tidemark_ref__: taskRef(run, 'lifecycle', 'b') }));
    expect((await taskRow(run, 'small'))?.value).toBe('1');
    expect(await refs()).toEqual([taskRef(run, 'lifecycle', 'b'), taskRef(run, 'lifecycle', 'lookalike')].sort());
  });

  it('clear removes the rows, then the objects of the scope', async () => {
    const kept = await runTask('clear_asset', { bytes: 5_000 });
    expect(kept.result).toEqual(['k1', 'k2']);
    expect(await refs()).toEqual([assetRef('k1'), assetRef('k2')].sort());
    const cleared = await runTask('clear_asset', { bytes: 5_000, clear: true });
    expect(cleared.result).toEqual([]);
    expect(await refs()).toEqual([]);
  });

  it('without an offload store a value over state.max_value_bytes is refused with 413, naming the limit', async () => {
    const { run, result } = await runTask('too_large', { bytes: 100_000 }, false);
    expect(result).toEqual({
      code: 'value_too_large',
      message: expect.stringMatching(
        /over the limit of 65536 bytes \(state\.max_value_bytes\).*state\.offload\.backend/,
      ),
    });
    expect(await taskRow(run, 'blob')).toBeUndefined();
    expect(await refs()).toEqual([]);
  });

  it('the orphan sweep removes an object whose row is gone, once it is older than the grace period', async () => {
    const { run } = await runTask('lifecycle', { bytes: 5_000 });
    const orphan = taskRef(run, 'lifecycle', 'b');
    // A crash between the row delete and the object delete: the row is gone, the object stays.
    await world.database.db.deleteFrom('task_state').where('run_id', '=', run.runId).where('key', '=', 'b').execute();
    const live = taskRef(run, 'lifecycle', 'lookalike');

    const fresh = offloadOrphanSweep({ database: world.database, store });
    expect(await fresh.run({ dryRun: false, batchSize: 100 })).toEqual({ removed: 0, items: [] });
    expect(existsSync(objectFile(orphan))).toBe(true);

    const later = () => Date.now() + 2 * 3_600_000;
    const dry = offloadOrphanSweep({ database: world.database, store, clock: later });
    expect(await dry.run({ dryRun: true, batchSize: 1 })).toEqual({ removed: 1, items: [orphan] });
    expect(existsSync(objectFile(orphan))).toBe(true);

    const sweep = offloadOrphanSweep({ database: world.database, store, clock: later });
    expect(sweep.name).toBe('offload-orphans');
    expect(await sweep.run({ dryRun: false, batchSize: 1 })).toEqual({ removed: 1, items: [orphan] });
    expect(existsSync(objectFile(orphan))).toBe(false);
    expect(await refs()).toEqual([live]);

    const shortGrace = offloadOrphanSweep({ database: world.database, store, graceMs: 0, clock: later });
    expect(await shortGrace.run({ dryRun: false, batchSize: 100 })).toEqual({ removed: 0, items: [] });
  });
});
