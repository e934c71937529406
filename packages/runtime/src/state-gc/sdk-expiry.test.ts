import { taskScope } from '@tidemark/core';
import { MetastoreStateBackend, upsertSerializedDag } from '@tidemark/db';
import { eachDialect } from '@tidemark/db/testing';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { openWorkerTestWorld, type WorkerTestWorld } from '../worker/fixtures/worker-test-world.ts';
import { runAttempt } from '../worker/supervisor.ts';
import { readExpiry } from './fixtures/expiry-dags.ts';

const FIXTURES = `${import.meta.dirname}/fixtures`;

/** SPEC §6: `ctx.taskState` never returns an expired key, whether or not GC has removed it yet. */
describe.each(eachDialect())('expired task state through the SDK on %s', (dialect) => {
  let world: WorkerTestWorld;
  beforeEach(async () => {
    world = await openWorkerTestWorld(dialect);
    await upsertSerializedDag(world.database.db, readExpiry.serialize('expiry-dags.ts'));
  });
  afterEach(() => world.close());

  it('get, getEntry and keys treat an expired key as absent; ifVersion 0 may create it again', async () => {
    const run = await world.trigger('state_expiry_sdk');
    const backend = new MetastoreStateBackend(world.database, { maxValueBytes: 0, historyDepth: 10 });
    const scope = taskScope({ dagId: run.dagId, runId: run.runId, taskId: 'read_expiry' });
    await backend.set(scope, 'expired', 'old job', { expiresAt: Date.now() - 1_000 });
    await backend.set(scope, 'live', 'current job', { expiresAt: Date.now() + 3_600_000 });
    const tiId = await world.queue(run, 'read_expiry');

    const claimed = await world.api.claim('test-worker:1');
    if (!claimed) throw new Error('nothing was claimable');
    await runAttempt({ claimed, api: world.api, dagsFolder: FIXTURES, killGracePeriodMs: 500 });
    const state = (await world.taskInstance(tiId)).state;
    if (state !== 'success') throw new Error(`read_expiry ended ${state}: ${await world.attemptLog(tiId, 1)}`);

    expect(await world.returnValue(run, 'read_expiry')).toMatchObject({
      expired: 'absent',
      expiredEntry: 'absent',
      live: 'current job',
      brief: 'absent',
      keys: ['live'],
      recreated: { version: 2 },
    });
  }, 60_000);
});
