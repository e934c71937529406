import { activateAsset } from '@tidemark/db';
import { eachDialect } from '@tidemark/db/testing';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { FIXTURE_DAGS_FOLDER, openWorkerTestWorld, type WorkerTestWorld } from './fixtures/worker-test-world.ts';
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
